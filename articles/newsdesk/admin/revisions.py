"""The story admin's revisions: one per save that changed the content, a history page with a field-level diff of
each, and a one-click restore (articles.models.revisions records and restores; articles.site.changes diffs the words)."""

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from articles.models import (
    Attribution,
    Author,
    Byline,
    Correction,
    RelatedLink,
    Section,
    Source,
    Story,
    Tag,
    TaggedStory,
    audit,
)
from articles.models.audit import AuditEntry
from articles.models.revisions import (
    RestoreError,
    latest_revision,
    record_baseline,
    record_revision,
    restore_revision,
    revision_label,
    states_of,
    story_revisions,
)
from articles.newsdesk.workflow import shown_name
from articles.site.changes import PublicTexts, changes_url, text_diff, text_of

# Shown newest first; the one after the last is read too, as the base of the last one's diff.
HISTORY_LIMIT = 50
TEXT_FIELDS = [
    "headline",
    "slug",
    "lead",
    "body",
    "hero_image",
    "hero_image_url",
    "hero_image_alt",
    "hero_image_caption",
    "hero_image_credit",
    "withdrawn_reason",
    "origin",
    "external_id",
]
VALUE_FIELDS = ["status", "published_at", "embargo_until", "section", "language", "translation_of"]
SAVE_KEY = "_story_revision_save"


@dataclass
class HistoryEntry:
    revision: object
    changes: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    first: bool = False

    @property
    def comment(self):
        """The revision's comment in the editor's language: Django's change message, or one of our audit lines."""
        return audit.translated(self.revision.get_comment())


class Names:
    """Names of what the shown revisions refer to by id: one query per kind, and only for the ids seen.

    A story `user` may not see (workflow.can_link) is named by its number, not by its headline.
    """

    def __init__(self, states, user):
        wanted = {Section: set(), Story: set(), Author: set(), Source: set(), Tag: set()}
        for state in states:
            wanted[Section].add(state.fields.get("section"))
            wanted[Story].add(state.fields.get("translation_of"))
            wanted[Story].update(row.get("target") for row in state.parts.get(RelatedLink, {}).values())
            for model, (name, target) in {Byline: ("author", Author), Attribution: ("source", Source)}.items():
                wanted[target].update(row[name] for row in state.parts.get(model, {}).values())
            wanted[Tag].update(row["tag"] for row in state.parts.get(TaggedStory, {}).values())
        self.names = {}
        for model, ids in wanted.items():
            ids.discard(None)
            found = model.objects.filter(pk__in=ids).in_bulk() if ids else {}
            self.names[model] = {pk: shown_name(user, obj) for pk, obj in found.items()}

    def __call__(self, model, pk):
        if pk is None:
            return ""
        return self.names[model].get(pk) or _("%(kind)s #%(id)s (deleted)") % {
            "kind": model._meta.verbose_name,
            "id": pk,
        }


def shown_value(name, value, names):
    if value in (None, ""):
        return "—"
    model_field = Story._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if name in ("section", "translation_of"):
        return names(Section if name == "section" else Story, value)
    if name in ("published_at", "embargo_until"):
        return date_format(localtime(parse_datetime(value)), "DATETIME_FORMAT")
    return str(value)


def part_items(state, names):
    """Each part of a story state as the list of lines an editor recognises, in the story's order."""

    def ordered(model):
        return sorted(state.parts.get(model, {}).values(), key=lambda row: (row.get("position", 0), str(row)))

    def link_line(row):
        kind = dict(RelatedLink.Kind.choices).get(row["kind"], row["kind"])
        where = names(Story, row["target"]) if row.get("target") else row.get("url", "")
        return f"{kind}: {row['title']}" + (f" ({where})" if where else "")

    return [
        (capfirst(Tag._meta.verbose_name_plural), sorted(names(Tag, row["tag"]) for row in ordered(TaggedStory))),
        (capfirst(Byline._meta.verbose_name_plural), [names(Author, row["author"]) for row in ordered(Byline)]),
        (
            _("Sources"),
            [
                names(Source, row["source"]) + (f": {row['sentence']}" if row.get("sentence") else "")
                for row in ordered(Attribution)
            ],
        ),
        (capfirst(RelatedLink._meta.verbose_name_plural), [link_line(row) for row in ordered(RelatedLink)]),
    ]


def field_changes(old, new, names):
    """What changed from state `old` to state `new`: text as word diffs, values before and after, parts as items."""
    changes = []
    for name in TEXT_FIELDS:
        before, after = text_of(name, old.fields.get(name)), text_of(name, new.fields.get(name))
        if before != after:
            changes.append({"kind": "text", "label": label(name), "diff": text_diff(before, after)})
    for name in VALUE_FIELDS:
        before, after = old.fields.get(name), new.fields.get(name)
        if before != after:
            changes.append(
                {
                    "kind": "value",
                    "label": label(name),
                    "before": shown_value(name, before, names),
                    "after": shown_value(name, after, names),
                }
            )
    for (part_label, before), (_label, after) in zip(part_items(old, names), part_items(new, names), strict=True):
        if before != after:
            changes.append(
                {
                    "kind": "items",
                    "label": part_label,
                    "added": [item for item in after if item not in before],
                    "removed": [item for item in before if item not in after],
                    "reordered": sorted(before) == sorted(after),
                }
            )
    return changes


def label(name):
    return capfirst(Story._meta.get_field(name).verbose_name)


def history_entries(story, user):
    """The story's revisions, newest first, each with its changes from the one before and the notes it made."""
    revisions = list(story_revisions(story).select_related("user")[: HISTORY_LIMIT + 1])
    states = states_of(revisions, story)
    names = Names(states.values(), user)
    notes = {}
    for note in Correction.objects.filter(story=story, revision__in=revisions):
        notes.setdefault(note.revision_id, []).append(note)
    public_urls = public_change_urls_for(story, notes)
    entries = []
    for newer, older in zip(revisions[:HISTORY_LIMIT], [*revisions[1:], None], strict=False):
        entry = HistoryEntry(newer, first=older is None)
        if older is not None:
            entry.changes = field_changes(states[older.pk], states[newer.pk], names)
        entry.notes = [(note, public_urls.get(newer.pk, "")) for note in notes.get(newer.pk, [])]
        entries.append(entry)
    return entries, len(revisions) > HISTORY_LIMIT


def public_change_urls_for(story, notes):
    if not notes or not story.is_public():
        return {}
    texts = PublicTexts(story, max(notes))
    return {pk: changes_url(story, pk) for pk in notes if texts.change(pk)}


def change_message(admin, request, form, formsets, add):
    return json.dumps(admin.construct_change_message(request, form, formsets, add))


class StoryRevisionsMixin:
    """Records a revision after each admin save of a story, and serves its history and restore."""

    object_history_template = "admin/articles/story/object_history.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        restore = view(self.restore_revision_view)
        return [
            path("<path:object_id>/history/<int:revision_id>/restore/", restore, name="articles_story_restore"),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One transaction for the save and its revision: a revision never describes a save that was rolled back.
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if saved := request.__dict__.pop(SAVE_KEY, None):
                self.record_saved_story(request, *saved)
        return response

    def save_model(self, request, obj, form, change):
        if change:
            record_baseline(obj.pk)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        new_notes = [
            note for formset in formsets if formset.model is Correction for note in getattr(formset, "new_objects", [])
        ]
        message = change_message(self, request, form, formsets, not change)
        request.__dict__[SAVE_KEY] = (form.instance, message, new_notes)

    def record_saved_story(self, request, story, message, new_notes):
        revision = record_revision(story, request.user, message)
        if new_notes:
            # A note added by a save that changed nothing else tells about the content as it already was.
            revision = revision or latest_revision(story)
            Correction.objects.filter(pk__in=[note.pk for note in new_notes]).update(revision=revision)

    def history_view(self, request, object_id, extra_context=None):
        pk = unquote(object_id)
        story = self.get_queryset(request).prefetch_related(None).filter(pk=pk).first() if pk.isdigit() else None
        context = {}
        if story is not None and self.has_view_or_change_permission(request, story):
            entries, truncated = history_entries(story, request.user)
            context = {
                "revision_entries": entries,
                "revisions_truncated": truncated,
                "can_restore": self.has_change_permission(request, story),
            }
        response = super().history_view(request, object_id, {**context, **(extra_context or {})})
        if hasattr(response, "context_data"):
            # Django lists LogEntry rows; as audit entries (the same rows) their lines read translated.
            for action in response.context_data.get("action_list", []):
                action.__class__ = AuditEntry
        return response

    def restore_revision_view(self, request, object_id, revision_id):
        """POST: restore a revision's content (not its status or times), audited, for whoever may edit the story."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        story = Story.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if story is None:
            raise Http404
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        revision = story_revisions(story).filter(pk=revision_id).select_related("user").first()
        if revision is None:
            raise Http404
        try:
            with transaction.atomic():
                restore_revision(story, revision, request.user)
                restored = audit.line(audit.RESTORED, number=revision.pk, date=revision_label(revision))
                self.log_change(request, story, restored)
        except RestoreError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            message = _("The revision of %(date)s was restored.") % {"date": revision_label(revision)}
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_story_history", args=[story.pk]))
