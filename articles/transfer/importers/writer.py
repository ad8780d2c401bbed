"""The one upsert every importer shares, keyed on (origin, external_id).

Each stored story keeps a digest of the record it was imported from. A record
whose digest matches is skipped without a write, so a second run over the same
input changes nothing, while an item changed at the source is updated (and
edits made in the admin since are kept until then). The digest covers the
record only, never the catalogue: adding or editing a source must not make
every stored story "changed" and revert editors' work. A new source that a
stored story names is offered to editors by the admin's suggestions and is
attributed the next time the item changes at its source. Writes go in bulk,
batch by batch, inside the caller's transaction.
"""

import hashlib
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from articles.models import Story
from articles.models.redirects import remember_old_addresses
from articles.models.revisions import record_import_revisions
from articles.models.search import set_search_documents
from articles.site.caching import public_site_changed
from articles.text.html import block_texts, sanitize_html
from articles.text.mentions import MentionFinder
from articles.transfer.importers import catalog
from articles.transfer.importers.bulk import create_objects
from articles.transfer.importers.records import Deferred, StoryRecord
from articles.transfer.importers.relations import RelationWriter
from articles.transfer.importers.slugger import DaySlugs

CREATED, UPDATED, SKIPPED, FAILED = "created", "updated", "skipped", "failed"
LOOKUP_CHUNK = 1000
UPDATE_FIELDS = [
    "headline",
    "lead",
    "body",
    "language",
    "status",
    "published_at",
    "embargo_until",
    "section",
    "hero_image",
    "hero_image_url",
    "hero_image_alt",
    "hero_image_caption",
    "hero_image_credit",
    "slug",
    "import_digest",
    "updated_at",
    "search_document",
    "version",
]


@dataclass
class Report:
    counts: dict = field(default_factory=lambda: dict.fromkeys((CREATED, UPDATED, SKIPPED, FAILED), 0))
    failures: list = field(default_factory=list)

    def add(self, action):
        self.counts[action] += 1

    def fail(self, problem):
        self.counts[FAILED] += 1
        self.failures.append(str(problem))

    def summary(self):
        return ", ".join(f"{action} {count}" for action, count in self.counts.items())


def digest_of(record):
    """A fingerprint of everything the record says (its location aside)."""
    fields = dict(vars(record))
    fields.pop("location")
    # repr() of dataclasses, strings, dates and lists is deterministic and much cheaper than JSON. The
    # (…, None) shape is the one stories imported with explicit attributions were stored with.
    return hashlib.sha256(repr((sorted(fields.items()), None)).encode("utf-8")).hexdigest()


def digest_of_item(item):
    if isinstance(item, Deferred):
        return hashlib.sha256(repr(item.fingerprint).encode()).hexdigest()
    return digest_of(item)


def legacy_digest(item, catalogue):
    """The digest stored before it stopped covering the source catalogue (see StoryWriter.restamp)."""
    if isinstance(item, Deferred):
        return hashlib.sha256(repr((item.fingerprint, catalogue)).encode()).hexdigest()
    fields = dict(vars(item))
    fields.pop("location")
    context = catalogue if item.attributions is None else None
    return hashlib.sha256(repr((sorted(fields.items()), context)).encode("utf-8")).hexdigest()


class StoryWriter:
    def __init__(self, default_language="uk", now=None, on_problem=None):
        self.default_language = default_language
        self.on_problem = on_problem or self.report_problem
        self.now = now or timezone.now()
        self.relations = RelationWriter(self)
        self.report = Report()
        self.touched = []
        self.updated = []  # pks of stories that were already stored
        self.loaded = False

    def load(self):
        """Read the catalogues on the first write, so a run that fails on its input never touches the database."""
        self.tags, self.authors = catalog.Tags(), catalog.Authors()
        self.sections, self.sources = catalog.Sections(), catalog.Sources()
        self.mentions = MentionFinder(self.sources.by_name.values())
        self.catalogue = sorted((s.pk, s.name, s.aliases) for s in self.sources.by_name.values())
        self.loaded = True

    def write(self, records, on_item=None):
        """Upsert one batch of records; on_item(record, action) is called for each."""
        if records and not self.loaded:
            self.load()
        for batch in unique_key_batches(records):
            self.write_batch(batch, on_item)

    def write_batch(self, items, on_item):
        stored = stored_versions([item.key for item in items])
        new, changed = [], []
        self.restamp(items, stored)
        for item in items:
            current = stored.get(item.key)
            record_digest = digest_of_item(item)
            if current and current["import_digest"] == record_digest:
                self.finish_item(item, SKIPPED, on_item)
                continue
            record = item.build() if isinstance(item, Deferred) else item
            if not isinstance(record, StoryRecord):
                self.refuse(record)
                continue
            story = self.build(record, current, record_digest)
            (changed if current else new).append((record, story))
        self.save(new, changed)
        for record, _story in new:
            self.finish_item(record, CREATED, on_item)
        for record, _story in changed:
            self.finish_item(record, UPDATED, on_item)

    def restamp(self, items, stored):
        """Give unchanged stories imported under the old digest the new one, without touching anything else.

        Stories stored before the digest stopped covering the catalogue would otherwise all count as changed
        once (reverting editors' edits); this works while the catalogue is as it was at their last import.
        """
        restamped = []
        for item in items:
            current = stored.get(item.key)
            if not current or current["import_digest"] == (digest := digest_of_item(item)):
                continue
            if current["import_digest"] == legacy_digest(item, self.catalogue):
                current["import_digest"] = digest
                restamped.append(Story(pk=current["pk"], import_digest=digest))
        Story.objects.bulk_update(restamped, ["import_digest"], batch_size=LOOKUP_CHUNK)

    def refuse(self, problems):
        for problem in problems if isinstance(problems, list) else [problems]:
            self.on_problem(problem)

    def finish_item(self, record, action, on_item):
        self.report.add(action)
        if on_item:
            on_item(record, action)

    def report_problem(self, problem):
        self.report.fail(problem)

    def build(self, record, current, record_digest):
        story = Story(pk=current["pk"]) if current else Story(origin=record.origin, external_id=record.external_id)
        if current:
            # Raised in the UPDATE itself, so a change form opened before the import sees a newer version.
            story.version = F("version") + 1
        status = record.status or (current["status"] if current else Story.Status.PUBLISHED)
        published_at = record.published_at or (current["published_at"] if current else None)
        if published_at is None and status == Story.Status.PUBLISHED:
            published_at = self.now
        story.headline, story.lead = record.headline, record.lead
        story.body = record.body  # sanitised in finish_in_memory(), while earlier rows are being stored
        story.language = record.language or self.default_language
        story.status, story.published_at, story.embargo_until = status, published_at, record.embargo_until
        story.section_id = self.section_id(record, current)
        # A story's address never changes on re-import, even when the source renames it.
        story.slug = current["slug"] if current else record.slug
        story.hero_image_url = record.hero_image_url
        story.hero_image = (
            record.hero_image_file if record.hero_image_file is not None else (current["hero_image"] if current else "")
        )
        story.hero_image_alt, story.hero_image_caption = record.hero_image_alt, record.hero_image_caption
        story.hero_image_credit = record.hero_image_credit
        story.import_digest = record_digest
        story.created_at = story.updated_at = self.now
        return story

    def section_id(self, record, current):
        if record.section:
            return self.sections.by_slug[record.section].pk
        if record.section_name:
            return self.sections.named(record.section_name, record.section_slug).pk
        return current["section_id"] if current else None

    @staticmethod
    def paragraphs(story):
        return block_texts(story.body)

    def save(self, new, changed):
        slugs = DaySlugs([story for _, story in new + changed])
        for _, story in new:
            story.slug = slugs.assign(story)
        self.relations.prepare(new + changed, changed)
        records = {id(story): record for record, story in new}

        create_objects(
            Story,
            [story for _, story in new],
            prepare=finish_in_memory,
            with_pk=lambda story: self.relations.collect(records[id(story)], story),
        )
        for _, story in changed:
            finish_in_memory(story)
        # Bulk writes send no signals: a public story whose date the source changed keeps its old address.
        remember_old_addresses([story for _, story in changed])
        Story.objects.bulk_update([story for _, story in changed], UPDATE_FIELDS, batch_size=LOOKUP_CHUNK)
        for record, story in changed:
            self.relations.collect(record, story)
        self.relations.write()
        self.touched += [story for _, story in new + changed]
        self.updated += [story.pk for _, story in changed]

    def finish(self):
        """Work that needs every batch written: links and translations pointing across the input."""
        self.relations.resolve(self.touched)
        record_import_revisions(self.updated)
        if self.touched:
            # Bulk writes send no signals: invalidate the cached public pages (again when the import commits).
            public_site_changed()
        return self.report


def finish_in_memory(story):
    """Sanitise the body and fill the search document (bulk writes send no post_save to do it)."""
    story.body = sanitize_html(story.body)
    set_search_documents([story])


def unique_key_batches(records, size=LOOKUP_CHUNK):
    """Split records into batches of distinct keys, so an item repeated in one input is applied in order."""
    batch, keys = [], set()
    for record in records:
        if record.key in keys or len(batch) >= size:
            yield batch
            batch, keys = [], set()
        batch.append(record)
        keys.add(record.key)
    if batch:
        yield batch


def stored_versions(keys):
    found = {}
    by_origin = {}
    for origin, external_id in keys:
        by_origin.setdefault(origin, []).append(external_id)
    fields = [
        "pk",
        "origin",
        "external_id",
        "import_digest",
        "status",
        "published_at",
        "section_id",
        "slug",
        "hero_image",
    ]
    for origin, ids in by_origin.items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            # external_id != "" lets PostgreSQL use the partial unique index on (origin, external_id).
            rows = Story.objects.filter(origin=origin, external_id__in=ids[start : start + LOOKUP_CHUNK])
            rows = rows.exclude(external_id="")
            found.update({(row["origin"], row["external_id"]): row for row in rows.values(*fields)})
    return found
