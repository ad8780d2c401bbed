"""Shared preview links: who shared which story and until when; revoking one takes effect on the next request."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import SharedPreview, Story, audit
from articles.newsdesk.previews import shared_url
from articles.newsdesk.workflow import can_view, is_editor


@admin.register(SharedPreview)
class SharedPreviewAdmin(admin.ModelAdmin):
    list_display = ["story", "created_by", "created_at", "expires_at", "revoked_at", "link"]
    list_select_related = ["story", "created_by"]
    list_filter = ["revoked_at", "expires_at"]
    fields = ["story", "created_by", "created_at", "expires_at", "revoked_at", "link"]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        shared = super().get_queryset(request)
        return shared if is_editor(request.user) else shared.filter(story__created_by=request.user)

    # Links are made from a story's change form ("Share preview") and never edited, only revoked.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        allowed = request.user.has_perm("articles.view_story")
        return allowed and (obj is None or can_view(request.user, obj.story))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    @admin.display(description=_("link"))
    def link(self, obj):
        url = shared_url(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.action(description=_("Revoke the selected preview links"), permissions=["change"])
    def revoke(self, request, queryset):
        live = [shared for shared in queryset.filter(revoked_at__isnull=True) if can_view(request.user, shared.story)]
        now = timezone.now()
        SharedPreview.objects.filter(pk__in=[shared.pk for shared in live]).update(revoked_at=now)
        # Logged on the story, so its "History" page shows who shared and who revoked its links.
        story_admin = self.admin_site.get_model_admin(Story)
        for shared in live:
            shared_on = timezone.localtime(shared.created_at)
            revoked = audit.line(audit.REVOKED, time=f"{shared_on:%Y-%m-%d %H:%M %Z}")
            story_admin.log_change(request, shared.story, revoked)
        message = ngettext("%(count)d preview link was revoked.", "%(count)d preview links were revoked.", len(live))
        self.message_user(request, message % {"count": len(live)}, messages.SUCCESS)
