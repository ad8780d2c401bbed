from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, F
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Correction, Story, Tag, audit
from articles.models.linking import resolve_links_for
from articles.models.revisions import record_baseline, record_revision
from articles.newsdesk.admin.caching import ActionsInvalidatePublicPages
from articles.newsdesk.admin.concurrency import ConcurrentEditingMixin
from articles.newsdesk.admin.inlines import AttributionInline, BylineInline, CorrectionInline, RelatedLinkInline
from articles.newsdesk.admin.ordering import OrderedInlinesMixin
from articles.newsdesk.admin.revisions import StoryRevisionsMixin
from articles.newsdesk.admin.suggestions import SuggestionsMixin
from articles.newsdesk.admin.writing import WritingToolsMixin
from articles.newsdesk.previews import preview_story, render_preview, share, shared_url
from articles.newsdesk.workflow import (
    allowed_statuses,
    can_edit,
    can_link,
    can_transition,
    can_view,
    is_editor,
    linkable_stories,
    transition_message,
    unseen_story_label,
)
from articles.writing.renditions import make_renditions_after_commit, record_original_size, renditions_current

# What the publish action reads of each selected story.
PUBLISH_FIELDS = [
    "headline",
    "slug",
    "status",
    "published_at",
    "hero_image",
    "hero_image_url",
    "hero_image_alt",
    "created_by",
]
# The sidebar offers the most used tags; any tag works through ?tag=<slug> (the tag list links there).
TAG_FILTER_LIMIT = 40


class TagFilter(admin.SimpleListFilter):
    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = Tag.objects.annotate(story_count=Count("tagged_stories")).order_by("-story_count", "name")
        return [(tag.slug, tag.name) for tag in tags[:TAG_FILTER_LIMIT]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class WorkflowFilter(admin.SimpleListFilter):
    title = _("workflow")
    parameter_name = "workflow"

    def lookups(self, request, model_admin):
        return [("review", _("In review")), ("scheduled", _("Scheduled"))]

    def queryset(self, request, queryset):
        if self.value() == "review":
            return queryset.filter(status=Story.Status.IN_REVIEW)
        if self.value() == "scheduled":
            return queryset.scheduled()
        return queryset


class StoryForm(forms.ModelForm):
    """Refuses a change of state, or a publication time, that the user's role does not allow (articles.newsdesk.workflow).

    The server decides, whatever the page offered: a forged POST gets the same errors as the form.
    """

    user = None  # set per request by StoryAdmin.get_form()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and not is_editor(self.user):
            allowed = allowed_statuses(self.user, self.instance)
            self.fields["status"].choices = [choice for choice in self.fields["status"].choices if choice[0] in allowed]
        if "translation_of" in self.fields and not is_editor(self.user):
            self.keep_unseen_original()

    def keep_unseen_original(self):
        """An original the user may not see (an editor chose it) stays as it is, shown by number, not by headline."""
        original = self.instance.translation_of if self.instance.translation_of_id else None
        if original is None or can_link(self.user, original):
            return
        field = self.fields["translation_of"]
        field.queryset = Story.objects.filter(pk=original.pk)
        field.widget = forms.Select(choices=[(original.pk, unseen_story_label(original.pk))])
        field.disabled = True  # whatever is posted, the stored value is kept

    def clean(self):
        cleaned = super().clean()
        story, new_status = self.instance, cleaned.get("status")
        if new_status and not can_transition(self.user, story, new_status):
            self.add_error("status", _("Your role does not allow this change of status."))
        if not is_editor(self.user):
            for field in ("published_at", "embargo_until"):
                if field in self.changed_data:
                    self.add_error(field, _("Only editors set publication and embargo times."))
        return cleaned


def prepare_publication(stories, now):
    """Stamp stories as published, now or at the time already set (a future time keeps one scheduled).

    Returns the stories ready to save and why the others were refused: their slug is taken on
    their day, by a story already out or by another one in this batch.
    """
    ready, refused, days = [], [], set()
    for story in stories:
        story.status = Story.Status.PUBLISHED
        story.published_at = story.published_at or now
        story.updated_at = now
        day_slug = (story.publication_date, story.slug)
        try:
            story.clean()
            if day_slug in days:
                raise ValidationError(_("Another story published on this day already uses this slug."))
        except ValidationError as error:
            refused.append(f"{story.slug}: {' '.join(error.messages)}")
        else:
            days.add(day_slug)
            ready.append(story)
    return ready, refused


@admin.register(Story)
class StoryAdmin(
    StoryRevisionsMixin,
    ConcurrentEditingMixin,
    SuggestionsMixin,
    WritingToolsMixin,
    ActionsInvalidatePublicPages,
    OrderedInlinesMixin,
    admin.ModelAdmin,
):
    form = StoryForm
    fieldsets = [
        (_("Content"), {"fields": ["headline", "lead", "body", "tags"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "withdrawn_reason",
                    "published_at",
                    "embargo_until",
                    "section",
                    "language",
                    "slug",
                    "translation_of",
                ]
            },
        ),
        (
            _("Hero image"),
            {"fields": ["hero_image", "hero_image_url", "hero_image_alt", "hero_image_caption", "hero_image_credit"]},
        ),
        (
            _("Import and history"),
            {"fields": ["origin", "external_id", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]
    # The import key is (origin, external_id): editing it by hand would make the next import duplicate the story.
    readonly_fields = ["origin", "external_id", "created_at", "updated_at"]
    inlines = [BylineInline, AttributionInline, RelatedLinkInline, CorrectionInline]
    autocomplete_fields = ["section", "translation_of"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    list_display = [
        "headline",
        "status",
        "published_at",
        "section",
        "language",
        "tag_list",
        "being_edited_by",
        "site_link",
    ]
    list_select_related = ["section"]
    list_filter = [WorkflowFilter, "status", "section", "language", TagFilter, "published_at"]
    search_fields = ["headline", "lead", "body", "slug"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish", "submit_for_review"]

    def get_queryset(self, request):
        stories = super().get_queryset(request).prefetch_related("tags")
        if is_editor(request.user):
            return stories
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            # A reporter links their draft to any story readers can see, not only to their own.
            return linkable_stories(request.user, stories)
        return stories.filter(created_by=request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", view(self.preview_view), name="articles_story_preview"),
            path("<path:object_id>/share-preview/", view(self.share_preview_view), name="articles_story_share_preview"),
            *super().get_urls(),
        ]

    def viewable_story(self, request, object_id):
        story = Story.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if story is None:
            raise Http404
        if not self.has_view_permission(request, story):
            raise PermissionDenied
        return story

    def preview_view(self, request, object_id):
        """The story exactly as readers will see it, whatever its state, for whoever may view it here."""
        story = self.viewable_story(request, object_id)
        return render_preview(request, preview_story(story.pk))

    def share_preview_view(self, request, object_id):
        """POST: create a signed link to the preview that works without logging in, and show it to the editor."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        story = self.viewable_story(request, object_id)
        shared = share(story, request.user)
        url = request.build_absolute_uri(shared_url(shared))
        until = timezone.localtime(shared.expires_at)
        self.log_change(request, story, audit.line(audit.SHARED, time=f"{until:%Y-%m-%d %H:%M %Z}"))
        self.message_user(request, _("Preview link (works without logging in): %(url)s") % {"url": url})
        return HttpResponseRedirect(reverse("admin:articles_story_change", args=[story.pk]))

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            for row in formset.forms:
                if row.instance.pk is None:
                    row.instance.created_by = request.user
        super().save_formset(request, form, formset, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # What is offered is what is accepted: a forged id of a story the user may not see is "not a valid choice".
        if db_field.name == "translation_of":
            kwargs["queryset"] = linkable_stories(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        story = super().get_object(request, object_id, from_field)
        if story is not None:
            # A posted form with errors writes its values into this instance before the page is drawn again, and an
            # empty slug has no address: "View on site" is worked out now, from the story as stored.
            story.stored_site_url = self.view_on_site(story)
        return story

    def get_view_on_site_url(self, obj=None):
        if obj is not None and hasattr(obj, "stored_site_url"):
            return obj.stored_site_url
        return super().get_view_on_site_url(obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_publish_permission(self, request):
        return is_editor(request.user)

    def changelist_view(self, request, extra_context=None):
        stories = self.get_queryset(request).prefetch_related(None)
        summary = {
            "in_review_count": stories.filter(status=Story.Status.IN_REVIEW).count(),
            "next_scheduled": stories.scheduled().order_by("published_at").only("headline", "published_at").first(),
        }
        return super().changelist_view(request, extra_context={**summary, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if message := transition_message(form.initial.get("status") if change else None, obj):
            self.log_change(request, obj, message)
        upload = form.cleaned_data.get("hero_image")
        if "hero_image" in form.changed_data and getattr(upload, "image", None):
            record_original_size(obj, upload.image)
        if obj.hero_image and not renditions_current(obj):
            make_renditions_after_commit(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        resolve_links_for([form.instance])

    def view_on_site(self, obj):
        # Only a live story has a page; a draft, scheduled or withdrawn one would link to a 404.
        return obj.get_absolute_url() if obj.is_public() else None

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description=_("on site"))
    def site_link(self, obj):
        url = self.view_on_site(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("view")) if url else ""

    @admin.action(description=_("Publish the selected stories"), permissions=["publish"])
    def publish(self, request, queryset):
        pending = queryset.exclude(status=Story.Status.PUBLISHED, published_at__isnull=False)
        pending = pending.select_related(None).prefetch_related(None).only(*PUBLISH_FIELDS)
        pending = [story for story in pending if can_transition(request.user, story, Story.Status.PUBLISHED)]
        published, refused = prepare_publication(pending, timezone.now())
        for story in published:
            record_baseline(story.pk)
        for story in published:
            story.version = F("version") + 1
        Story.objects.bulk_update(published, ["status", "published_at", "updated_at", "version"])
        # Read back, so the instances handed on (log entries, revisions) hold the stored number, not an expression.
        versions = dict(Story.objects.filter(pk__in=[story.pk for story in published]).values_list("pk", "version"))
        for story in published:
            story.version = versions[story.pk]
            self.log_change(request, story, transition_message(None, story))
            record_revision(story, request.user, transition_message(None, story))
        message = ngettext("%(count)d story was published.", "%(count)d stories were published.", len(published))
        level = messages.SUCCESS if published else messages.INFO
        self.message_user(request, message % {"count": len(published)}, level)
        if refused:
            message = ngettext(
                "%(count)d story was not published: %(reasons)s",
                "%(count)d stories were not published: %(reasons)s",
                len(refused),
            )
            self.message_user(
                request, message % {"count": len(refused), "reasons": " ".join(refused)}, messages.WARNING
            )

    @admin.action(description=_("Unpublish the selected stories (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        live = list(queryset.filter(status=Story.Status.PUBLISHED).select_related(None).prefetch_related(None))
        for story in live:
            record_baseline(story.pk)
        count = Story.objects.filter(pk__in=[story.pk for story in live]).update(
            status=Story.Status.DRAFT, updated_at=timezone.now(), version=F("version") + 1
        )
        for story in live:
            self.log_change(request, story, audit.line(audit.UNPUBLISHED))
            record_revision(story, request.user, audit.line(audit.UNPUBLISHED))
        message = ngettext(
            "%(count)d story was moved back to draft.", "%(count)d stories were moved back to draft.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Submit the selected stories for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        drafts = queryset.filter(status=Story.Status.DRAFT).select_related(None).prefetch_related(None)
        drafts = drafts.only("headline", "status", "created_by")
        ready = [story for story in drafts if can_transition(request.user, story, Story.Status.IN_REVIEW)]
        for story in ready:
            record_baseline(story.pk)
        count = Story.objects.filter(pk__in=[story.pk for story in ready]).update(
            status=Story.Status.IN_REVIEW, updated_at=timezone.now(), version=F("version") + 1
        )
        for story in ready:
            story.status = Story.Status.IN_REVIEW
            self.log_change(request, story, transition_message(Story.Status.DRAFT, story))
            record_revision(story, request.user, transition_message(Story.Status.DRAFT, story))
        message = ngettext(
            "%(count)d story was submitted for review.", "%(count)d stories were submitted for review.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS if count else messages.INFO)
