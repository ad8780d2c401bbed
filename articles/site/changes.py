"""What changed: word-level diffs of a story's texts, and the public page a correction note links to.

The public page compares the revision a note points at with the revision readers saw before it: the previous
one recorded while the story was public by its own data (published, past its publication time and any embargo).
Text written while the story was a draft, scheduled or embargoed was never public, and is never shown.
"""

import re
from difflib import SequenceMatcher
from functools import cached_property

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.views.generic.dates import DateDetailView

from articles.models import Story
from articles.models.revisions import serialized_fields, story_versions
from articles.site.views import PublishedStoryMixin
from articles.text.html import block_texts

TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
PUBLIC_TEXTS = ["headline", "lead", "body"]


def text_of(name, value):
    """A field as the diff compares it: the body as the plain text of its paragraphs, one per line."""
    value = value or ""
    return "\n".join(block_texts(value)) if name == "body" else value


def changed_words(old, new):
    """The escaped HTML of `new` with words removed from `old` in <del> and added ones in <ins>."""
    old_words, new_words = TOKENS.findall(old), TOKENS.findall(new)
    runs = []  # [removed, added], or a string both texts share
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed, added = "".join(old_words[old_start:old_end]), "".join(new_words[new_start:new_end])
        if operation == "equal":
            runs.append(removed)
        elif runs and isinstance(runs[-1], list):
            runs[-1][0] += removed
            runs[-1][1] += added
        elif len(runs) > 1 and runs[-1].isspace() and isinstance(runs[-2], list):
            # "a b" → "c d" reads as one change, not two around a kept space.
            space = runs.pop()
            runs[-1][0] += space + removed
            runs[-1][1] += space + added
        else:
            runs.append([removed, added])
    return "".join(marked(run) for run in runs)


def marked(run):
    if isinstance(run, str):
        return escape(run)
    removed, added = run
    return (format_html("<del>{}</del>", removed) if removed else "") + (
        format_html("<ins>{}</ins>", added) if added else ""
    )


def text_diff(old, new):
    """Paragraph by paragraph first, so a long body is not compared word against every word; then word by word."""
    old_lines, new_lines = (old or "").split("\n"), (new or "").split("\n")
    pieces = []
    for operation, old_start, old_end, new_start, new_end in SequenceMatcher(
        None, old_lines, new_lines, autojunk=False
    ).get_opcodes():
        if operation == "equal":
            pieces += [escape(line) for line in old_lines[old_start:old_end]]
        else:
            before, after = "\n".join(old_lines[old_start:old_end]), "\n".join(new_lines[new_start:new_end])
            pieces.append(changed_words(before, after))
    # Every piece was escaped above.
    return mark_safe("\n".join(pieces))


def moment(value):
    return parse_datetime(value) if value else None


def was_public(fields, at):
    """Whether a story version was on the site at `at`, by its own status, publication time and embargo."""
    published_at, embargo_until = moment(fields.get("published_at")), moment(fields.get("embargo_until"))
    return (
        fields.get("status") == Story.Status.PUBLISHED
        and published_at is not None
        and published_at <= at
        and (embargo_until is None or embargo_until <= at)
    )


class PublicTexts:
    """The story's versions up to one revision, newest first, read in one query."""

    def __init__(self, story, up_to):
        versions = story_versions(story).filter(revision_id__lte=up_to).select_related("revision")
        self.versions = list(versions.order_by("-revision_id"))

    @cached_property
    def fields(self):
        return {version.revision_id: serialized_fields(version.serialized_data) for version in self.versions}

    def is_public(self, version):
        return was_public(self.fields[version.revision_id], version.revision.date_created)

    def change(self, revision_id):
        """(the revision's story version, the public one before it), or None when there is nothing to show."""
        position = next((i for i, version in enumerate(self.versions) if version.revision_id == revision_id), None)
        if position is None or not self.is_public(self.versions[position]):
            return None
        base = next((version for version in self.versions[position + 1 :] if self.is_public(version)), None)
        return (self.versions[position], base) if base else None

    def diff(self, revision_id):
        target, base = self.change(revision_id)
        new, old = self.fields[target.revision_id], self.fields[base.revision_id]
        changes = []
        for name in PUBLIC_TEXTS:
            before, after = text_of(name, old.get(name)), text_of(name, new.get(name))
            if before != after:
                changes.append((capfirst(Story._meta.get_field(name).verbose_name), text_diff(before, after)))
        return changes


def changes_url(story, revision_id):
    local = timezone.localtime(story.published_at)
    return reverse(
        "articles:story_changes",
        kwargs={
            "year": local.year,
            "month": f"{local.month:02d}",
            "day": f"{local.day:02d}",
            "slug": story.slug,
            "revision_id": revision_id,
        },
    )


def public_change_urls(story):
    """{revision id: "what changed" page} for the story's notes that have one; kept on the story for the page."""
    if "_public_change_urls" not in story.__dict__:
        wanted = {note.revision_id for note in story.correction_notes() if note.revision_id}
        urls = {}
        if wanted and story.is_public():
            texts = PublicTexts(story, max(wanted))
            urls = {pk: changes_url(story, pk) for pk in sorted(wanted) if texts.change(pk)}
        story._public_change_urls = urls
    return story._public_change_urls


class StoryChangesView(PublishedStoryMixin, DateDetailView):
    """What a correction or update changed in a public story: its headline, lead and body, word by word."""

    template_name = "articles/story_changes.html"
    context_object_name = "story"

    def get_queryset(self):
        return Story.objects.published().select_related("section")

    def get_context_data(self, **kwargs):
        revision_id = self.kwargs["revision_id"]
        # Only a change a note tells readers about is shown: an edit made without one (a legal removal, say)
        # must not be found by trying revision numbers.
        notes = list(self.object.corrections.filter(revision_id=revision_id))
        texts = PublicTexts(self.object, revision_id)
        if not notes or texts.change(revision_id) is None:
            raise Http404
        target, base = texts.change(revision_id)
        return super().get_context_data(
            notes=notes,
            changes=texts.diff(revision_id),
            changed_at=target.revision.date_created,
            compared_with=base.revision.date_created,
            **kwargs,
        )
