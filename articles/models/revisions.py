"""Revisions of a story (django-reversion): what one holds, when one is recorded, and restoring one.

A revision holds the story's content fields and its parts: byline, attributions, related links and tag rows.
It is recorded explicitly, once the whole admin save (inlines and tags included) is done, and only when that
content differs from the story's latest revision. reversion's own `ignore_duplicates` compares the story's
columns alone, so it would drop a save that only added a tag; the whole snapshot is compared here instead.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story, Tag, TaggedStory, audit
from articles.writing.renditions import make_renditions_after_commit, renditions_current

# Columns that change on every save, or are derived from the content: they would make every save a new revision.
NOT_CONTENT = {"updated_at", "version", "search_document", "import_digest", "hero_image_renditions"}
# A restore brings content back; when and whether the story is public stays as it is now, and so does who
# created it (reporters' rights depend on it) and its import key.
KEPT_ON_RESTORE = {"status", "published_at", "embargo_until", "withdrawn_reason", "created_at", "created_by"}
KEPT_ON_RESTORE |= {"origin", "external_id"}
# Each part: the story's related name, and the foreign key back to the story.
PARTS = {
    Byline: ("bylines", "story"),
    Attribution: ("attributions", "story"),
    RelatedLink: ("related_links", "story"),
    TaggedStory: ("tagged_items", "content_object"),
}
NAMED_PARTS = [
    "bylines__author",
    "attributions__source",
    "related_links",
    "tagged_items__tag",
    "tagged_items__content_object",
]
# What a part must still find to be restored (required foreign keys), and what it may lose (nullable ones).
REQUIRED_REFERENCES = {Byline: ("author", Author), Attribution: ("source", Source), TaggedStory: ("tag", Tag)}
OPTIONAL_REFERENCES = {Story: [("section", Section), ("translation_of", Story)], RelatedLink: [("target", Story)]}


def content_fields(model):
    """Concrete columns a revision keeps; the story's many-to-many relations are kept as their part rows."""
    return [field.name for field in model._meta.local_fields if field.name not in NOT_CONTENT]


def register():
    """Called once, when the app is ready (articles/apps.py)."""
    reversion.register(Story, fields=content_fields(Story), follow=[name for name, _fk in PARTS.values()])
    # A part saved inside some other create_revision() block brings its whole story into that revision.
    for model, (_name, story_fk) in PARTS.items():
        reversion.register(model, fields=content_fields(model), follow=[story_fk])


@dataclass
class StoryState:
    """A story as one revision holds it: its fields, and its parts' rows ({model: {pk: fields}})."""

    revision: Revision
    fields: dict = field(default_factory=dict)
    parts: dict = field(default_factory=lambda: defaultdict(dict))

    def snapshot(self):
        return {"story": self.fields, **{model._meta.label: self.parts.get(model, {}) for model in PARTS}}


def serialized_fields(serialized_data):
    return json.loads(serialized_data)[0]["fields"]


def current_snapshot(story):
    """The story's content as stored now, in the shape `StoryState.snapshot()` gives a revision."""
    story = Story.objects.get(pk=story.pk)
    snapshot = {"story": serialized_fields(serializers.serialize("json", [story], fields=content_fields(Story)))}
    for model, (related_name, _fk) in PARTS.items():
        rows = getattr(story, related_name).all()
        data = json.loads(serializers.serialize("json", rows, fields=content_fields(model)))
        snapshot[model._meta.label] = {str(row["pk"]): row["fields"] for row in data}
    return snapshot


def story_versions(story):
    return Version.objects.get_for_object(story)


def story_revisions(story):
    """The revisions that hold `story`, newest first."""
    return Revision.objects.filter(pk__in=story_versions(story).values("revision_id")).order_by("-pk")


def states_of(revisions, story):
    """{revision id: StoryState} for `revisions` of `story`, from one query over their versions."""
    states = {revision.pk: StoryState(revision) for revision in revisions}
    for version in Version.objects.filter(revision__in=list(states)).order_by():
        model = ContentType.objects.get_for_id(version.content_type_id).model_class()
        state, data = states[version.revision_id], serialized_fields(version.serialized_data)
        if model is Story and version.object_id == str(story.pk):
            state.fields = data
        elif model in PARTS and str(data.get(PARTS[model][1])) == str(story.pk):
            state.parts[model][version.object_id] = data
    return states


def latest_revision(story):
    return story_revisions(story).select_related("user").first()


def record_revision(story, user, comment):
    """Record the story's current content as a revision, unless its latest revision already holds exactly that.

    Returns the new revision, or None when nothing changed.
    """
    latest = latest_revision(story)
    if latest is not None and states_of([latest], story)[latest.pk].snapshot() == current_snapshot(story):
        return None
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(user)
        reversion.set_comment(comment)
        # Each part's row is kept with its name (str(): author, source, tag): loaded here, not one query a row.
        reversion.add_to_revision(Story.objects.prefetch_related(*NAMED_PARTS).get(pk=story.pk))
    return latest_revision(story)


BASELINE_COMMENT = audit.line(audit.BASELINE)


def record_baseline(story_pk):
    """Keep a story's stored content as its first revision before it is changed, when it has no revision yet.

    Imports and older stories have none; without this their first edit could be neither compared nor undone.
    """
    story = Story.objects.filter(pk=story_pk).first()
    if story is not None and not story_versions(story).exists():
        record_revision(story, None, BASELINE_COMMENT)


IMPORT_COMMENT = audit.line(audit.IMPORTED)


def record_import_revisions(story_pks, chunk=1000):
    """A revision for each story an import updated that already keeps revisions.

    So an editor's next revision shows only their own change, not the import's. Stories without revisions get
    their first one when someone changes them (record_baseline()).
    """
    for start in range(0, len(story_pks), chunk):
        ids = [str(pk) for pk in story_pks[start : start + chunk]]
        versions = Version.objects.get_for_model(Story).filter(object_id__in=ids)
        # object_id is text: compared in Python, not joined to the integer primary key (PostgreSQL refuses that).
        with_history = {int(pk) for pk in versions.values_list("object_id", flat=True).distinct()}
        for story in Story.objects.filter(pk__in=with_history) if with_history else []:
            record_revision(story, None, IMPORT_COMMENT)


class RestoreError(Exception):
    pass


def deserialized(model, pk, data):
    payload = json.dumps([{"model": model._meta.label_lower, "pk": pk, "fields": data}])
    return next(serializers.deserialize("json", payload, ignorenonexistent=True)).object


def missing_references(state):
    """Names of what the revision's parts need and no longer exists (a deleted source, author or tag)."""
    missing = []
    for model, (name, target) in REQUIRED_REFERENCES.items():
        wanted = {data[name] for data in state.parts.get(model, {}).values()}
        found = set(target.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing += [f"{target._meta.verbose_name} #{pk}" for pk in sorted(wanted - found)]
    return missing


def drop_lost_references(model, data):
    """Clear nullable references to rows deleted since, as their deletion did to the live rows."""
    for name, target in OPTIONAL_REFERENCES.get(model, []):
        if data.get(name) is not None and not target.objects.filter(pk=data[name]).exists():
            data[name] = None
    return data


def restored_story(story, state):
    old = deserialized(Story, story.pk, drop_lost_references(Story, dict(state.fields)))
    for name in content_fields(Story):
        if name not in KEPT_ON_RESTORE and name != "id":
            column = Story._meta.get_field(name).attname
            setattr(story, column, getattr(old, column))
    try:
        story.clean()
    except ValidationError as error:
        raise RestoreError(" ".join(error.messages)) from error
    return story


def restore_parts(story, state):
    """Make the story's parts exactly the revision's: rows added since are deleted, the others written back."""
    for model, (related_name, _fk) in PARTS.items():
        rows = state.parts.get(model, {})
        getattr(story, related_name).exclude(pk__in=[int(pk) for pk in rows]).delete()
        for pk, data in rows.items():
            deserialized(model, int(pk), drop_lost_references(model, dict(data))).save()


def restore_revision(story, revision, user):
    """Bring back the content `revision` holds, keeping the story's life cycle; record it as a new revision.

    Raises RestoreError, with nothing changed, when the revision cannot be restored.
    """
    state = states_of([revision], story)[revision.pk]
    if not state.fields:
        raise RestoreError(_("This revision does not hold the story."))
    if missing := missing_references(state):
        message = _("The revision cannot be restored: it refers to what no longer exists (%(items)s).")
        raise RestoreError(message % {"items": ", ".join(missing)})
    with transaction.atomic():
        restored_story(story, state).save()
        restore_parts(story, state)
        if story.hero_image and not renditions_current(story):
            make_renditions_after_commit(story)
        return record_revision(story, user, restore_comment(revision))


def revision_label(revision):
    return f"{timezone.localtime(revision.date_created):%d.%m.%Y %H:%M}"


def restore_comment(revision):
    author = revision.user.get_username() if revision.user else "unknown"
    return audit.line(audit.RESTORED_REVISION, date=revision_label(revision), user=author)
