"""A story as stored beside the same story as an editor submitted it, field by field, for the conflict panel.

Both sides are described as lists of lines (a headline is one line, a body one line per paragraph, an inline one
line per row), so comparing them, and printing them, is the same for every field.
"""

from typing import NamedTuple

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from taggit.utils import edit_string_for_tags

from articles.models import Attribution, Byline, Correction, RelatedLink, Story
from articles.models.revisions import latest_revision
from articles.text.html import block_texts

# In the order the change form shows them; a field the form does not carry (read-only for this user) is skipped.
STORY_FIELDS = [
    "headline",
    "lead",
    "body",
    "tags",
    "status",
    "withdrawn_reason",
    "published_at",
    "embargo_until",
    "section",
    "language",
    "slug",
    "translation_of",
    "hero_image_url",
    "hero_image_alt",
    "hero_image_caption",
    "hero_image_credit",
]
# Fields whose input takes the stored value as it is (times, choices of other stories and inlines do not).
COPYABLE_FIELDS = {
    "headline",
    "lead",
    "body",
    "tags",
    "status",
    "withdrawn_reason",
    "language",
    "slug",
    "hero_image_url",
    "hero_image_alt",
    "hero_image_caption",
    "hero_image_credit",
}


def byline_row(byline):
    return str(byline.author)


def attribution_row(attribution):
    return " — ".join(part for part in (str(attribution.source), attribution.sentence) if part)


def related_link_row(link, name_of=str):
    where = link.url or (name_of(link.target) if link.target_id else "")
    parts = [link.get_kind_display(), link.title, where]
    if link.paragraph:
        parts.append(f"¶{link.paragraph}")
    return " — ".join(part for part in parts if part)


def correction_row(correction):
    when = describe_value(correction.published_at)
    return f"{correction.get_kind_display()}, {when}: {correction.text}"


ROW_TEXT = {Byline: byline_row, Attribution: attribution_row, RelatedLink: related_link_row, Correction: correction_row}


def row_text(model, row, name_of=str):
    # Only a related link names a story, which `name_of` may have to keep from the user.
    return related_link_row(row, name_of) if model is RelatedLink else ROW_TEXT[model](row)


STORED_ROWS = {
    Byline: "bylines",
    Attribution: "attributions",
    RelatedLink: "related_links",
    Correction: "corrections",
}


def stored_story(pk):
    """The story as committed, with everything the panel prints, or None if it was deleted meanwhile."""
    stories = Story.objects.select_related("section", "translation_of").prefetch_related(
        "tags", "bylines__author", "attributions__source", "related_links__target", "corrections"
    )
    return stories.filter(pk=pk).first()


def describe_value(value, name_of=str):
    if value in (None, ""):
        return ""
    if isinstance(value, models.Model):
        return name_of(value)
    if hasattr(value, "tzinfo"):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    return str(value)


def describe_field(name, value, name_of=str):
    """The lines one story field shows in the panel: the body by paragraph, choices by their label."""
    if name == "body":
        return block_texts(value)
    if name == "tags":
        return [", ".join(sorted(value))] if value else []
    field = Story._meta.get_field(name)
    if field.choices and value:
        value = dict(field.flatchoices).get(value, value)
    text = describe_value(value, name_of)
    return [text] if text else []


def stored_lines(story, name, name_of=str):
    if name == "tags":
        return describe_field(name, [tag.name for tag in story.tags.all()])
    return describe_field(name, getattr(story, name), name_of)


def submitted_lines(form, name, name_of=str):
    """What the editor submitted: the cleaned value, or the raw input when it did not validate."""
    if name in form.cleaned_data:
        return describe_field(name, form.cleaned_data[name], name_of)
    raw = form[name].value()
    return [str(raw)] if raw not in (None, "") else []


def submitted_rows(formset, name_of=str):
    """The rows the editor kept, in the order they would be saved (a typed position first, else the page order).

    Rows that do not validate are shown too, as far as they can be: one whose stored row was deleted meanwhile
    is exactly what the editor needs to see.
    """
    kept = []
    for index, row in enumerate(formset.forms, 1):
        row.is_valid()
        if row.cleaned_data.get("DELETE") or not (row.instance.pk or row.has_changed()):
            continue
        try:
            text = row_text(formset.model, row.instance, name_of)
        except ObjectDoesNotExist:  # a required choice left empty or not valid
            continue
        kept.append(((row.cleaned_data.get("position") or index, index), text))
    return [text for _rank, text in sorted(kept, key=lambda item: item[0])]


class Difference(NamedTuple):
    label: str
    theirs: list
    yours: list
    # The form field that "Use the stored version" fills, and with what; "" for fields it cannot fill in one go.
    field: str = ""
    stored_value: str = ""


def stored_form_value(story, name):
    """The stored value as the form's own input holds it, for the fields the panel can copy back into the form."""
    if name not in COPYABLE_FIELDS:
        return ""
    if name == "tags":
        return edit_string_for_tags(list(story.tags.all()))
    return str(getattr(story, name) or "")


def field_differences(stored, form, formsets, name_of=str):
    """A Difference for every field and inline where the stored story and the form differ.

    `name_of` names the stories they point to (a reporter may not read every headline: workflow.shown_name).
    """
    rows = []
    for name in STORY_FIELDS:
        if name not in form.fields:
            continue
        theirs, yours = stored_lines(stored, name, name_of), submitted_lines(form, name, name_of)
        if theirs != yours:
            label = capfirst(Story._meta.get_field(name).verbose_name)
            field = form.add_prefix(name) if name in COPYABLE_FIELDS else ""
            rows.append(Difference(label, theirs, yours, field, stored_form_value(stored, name)))
    for formset in formsets:
        if formset.model not in ROW_TEXT:
            continue
        theirs = [row_text(formset.model, row, name_of) for row in getattr(stored, STORED_ROWS[formset.model]).all()]
        yours = submitted_rows(formset, name_of)
        if theirs != yours:
            rows.append(Difference(capfirst(formset.model._meta.verbose_name_plural), theirs, yours))
    return rows


def latest_revision_change(story):
    """(time, user) of the newest revision holding `story`."""
    revision = latest_revision(story)
    return (revision.date_created, revision.user) if revision else None


def latest_log_change(story):
    """(time, user) of the newest admin log entry about `story`."""
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Story), object_id=str(story.pk))
    entry = entries.select_related("user").order_by("-action_time", "-pk").first()
    return (entry.action_time, entry.user) if entry else None


def last_change(story):
    """(time, user or None) of the most recent recorded save of `story`: admin log or revision, whichever is newer."""
    changes = [change for change in (latest_log_change(story), latest_revision_change(story)) if change]
    return max(changes, key=lambda change: change[0]) if changes else (story.updated_at, None)
