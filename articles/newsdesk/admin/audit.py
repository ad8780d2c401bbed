"""The audit log: who published, scheduled, withdrew, restored, merged or shared what, and when; read only.

Django's admin already writes a LogEntry for every add, change and delete, and the newsroom's own actions add
theirs with `ModelAdmin.log_change()`; this page lets editors read them. Reporters may not: the log names
stories still in the works and other people's edits.
"""

from collections import defaultdict

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.models.audit import AuditEntry
from articles.newsdesk.workflow import is_editor


def mark_existing_objects(entries):
    """Set `object_exists` on each entry: one query per kind of object on the page, not one per entry."""
    ids_by_type = defaultdict(set)
    for entry in entries:
        if entry.content_type_id and entry.object_id:
            ids_by_type[entry.content_type].add(entry.object_id)
    existing = set()
    for content_type, object_ids in ids_by_type.items():
        if (model := content_type.model_class()) is None:
            continue
        pks = []
        for object_id in object_ids:
            try:
                pks.append(model._meta.pk.to_python(object_id))
            except ValidationError:
                continue
        found = model._base_manager.filter(pk__in=pks).values_list("pk", flat=True)
        existing.update((content_type.pk, str(pk)) for pk in found)
    for entry in entries:
        entry.object_exists = (entry.content_type_id, entry.object_id) in existing


class AuditChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        mark_existing_objects(self.result_list)


@admin.register(AuditEntry)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["action_time", "user", "logged_object", "action_flag", "message"]
    list_select_related = ["user", "content_type"]
    list_filter = [
        ("user", admin.RelatedOnlyFieldListFilter),
        "action_flag",
        ("content_type", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "action_time"
    search_fields = ["change_message", "object_repr"]
    fields = ["action_time", "user", "content_type", "object_id", "object_repr", "action_flag", "message"]
    readonly_fields = fields
    actions = None
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    def has_module_permission(self, request):
        return is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context={"title": _("Audit log"), **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"title": _("Audit log entry"), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("object"), ordering="object_repr")
    def logged_object(self, entry):
        # Deleted objects (a merged tag, a removed story) keep their name, but have no page left to link to.
        url = entry.get_admin_url() if getattr(entry, "object_exists", True) else None
        return format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr

    @admin.display(description=_("change message"))
    def message(self, entry):
        return entry.get_change_message()
