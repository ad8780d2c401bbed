"""No lost updates on the story change form, and a notice naming who else has the story open.

The form carries the version of the story it was loaded from. On save, the row is locked inside the admin's
transaction and its version compared: if anyone saved in between (another editor, an admin action, an import),
nothing is saved and the form comes back with the editor's input, the other editor's values beside it, and the
stored version in the hidden field, so saving again after merging by hand goes through.
"""

from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Story
from articles.newsdesk.conflicts import field_differences, last_change, stored_story
from articles.newsdesk.presence import (
    HEARTBEAT_SECONDS,
    display_name,
    editors_of,
    end_presence,
    presence_notice,
    record_presence,
)
from articles.newsdesk.workflow import shown_name

VERSION_FIELD = "loaded_version"


def locked_version(pk):
    """The stored version of story `pk`, its row locked until the surrounding transaction ends."""
    with transaction.atomic():
        return Story.objects.select_for_update().filter(pk=pk).values_list("version", flat=True).first()


class VersionCheckedForm:
    """Refuses to save over a story saved since the form was loaded; `conflict_version` then holds the stored one."""

    conflict_version = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault(VERSION_FIELD, self.instance.version)

    def clean(self):
        cleaned = super().clean()
        loaded, stored = cleaned.get(VERSION_FIELD), locked_version(self.instance.pk)
        if loaded is not None and loaded == stored:
            self.instance.version = stored
            return cleaned
        if loaded is None:
            message = _(
                "This form did not say which version of the story it was opened from, so saving it could "
                "overwrite someone else's changes. Nothing was saved: check the stored values and save again."
            )
        else:
            message = _(
                "Someone saved this story after you opened it. Nothing was saved: compare the stored values with "
                "yours, merge them by hand, and save again."
            )
        self.add_error(None, message)
        self.conflict_version = stored
        # The next save is made against what the editor has now seen.
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = "" if stored is None else str(stored)
        self.data = data
        return cleaned


def version_field():
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class PresenceChangeList(ChangeList):
    """The story list, each story knowing who has its form open (one query for the page)."""

    def get_results(self, request):
        super().get_results(request)
        open_by = editors_of([story.pk for story in self.result_list])
        for story in self.result_list:
            story.open_by = open_by.get(story.pk, [])


class ConcurrentEditingMixin:
    def get_changelist(self, request, **kwargs):
        return PresenceChangeList

    @admin.display(description=_("being edited by"))
    def being_edited_by(self, story):
        return ", ".join(getattr(story, "open_by", []))

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.presence_view)
        return [
            path("<path:object_id>/presence/", view, name=f"{opts.app_label}_{opts.model_name}_presence"),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None or obj.pk is None:
            return form
        return type(form.__name__, (VersionCheckedForm, form), {VERSION_FIELD: version_field()})

    @property
    def media(self):
        scripts = [forms.Script(f"admin/articles/{name}.js", defer=True) for name in ("presence", "conflict")]
        return super().media + forms.Media(js=scripts)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk is not None:
            context.update(self.presence_context(request, obj))
            context.update(self.conflict_context(request, context))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def presence_context(self, request, obj):
        others = record_presence(obj, request.user)
        opts = self.model._meta
        return {
            "presence_notice": presence_notice(others),
            "presence_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_presence", args=[obj.pk]),
            "presence_heartbeat_ms": HEARTBEAT_SECONDS * 1000,
        }

    def conflict_context(self, request, context):
        form = context["adminform"].form
        if VERSION_FIELD not in form.fields:
            return {}
        extra = {"version_field": form[VERSION_FIELD]}
        if form.conflict_version is None:
            return extra
        stored = stored_story(form.instance.pk)
        if stored is None:
            return extra
        formsets = [inline.formset for inline in context["inline_admin_formsets"]]
        saved_at, saved_by = last_change(stored)
        return {
            **extra,
            "conflict": {
                "differences": field_differences(stored, form, formsets, partial(shown_name, request.user)),
                "saved_at": saved_at,
                "saved_by": display_name(saved_by) if saved_by else "",
            },
        }

    def response_change(self, request, obj):
        end_presence(obj, request.user)
        return super().response_change(request, obj)

    def presence_view(self, request, object_id):
        """POST (heartbeat): keep this user's editing session and return who else has the story open.

        POST with `end`: the page is being left, forget the session.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        story = self.viewable_story(request, object_id)
        if request.POST.get("end"):
            end_presence(story, request.user)
            return JsonResponse({"ended": True})
        others = record_presence(story, request.user)
        return JsonResponse({"others": [display_name(user) for user in others], "notice": presence_notice(others)})
