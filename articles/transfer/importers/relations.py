"""Tags, bylines, attributions, related links and translations of imported stories, written in bulk."""

from articles.models import Attribution, Byline, RelatedLink, Story, TaggedStory
from articles.models.linking import chunks, resolve_links_for
from articles.transfer.importers.bulk import insert_rows

CHUNK = 500
LINK_FIELDS = ("kind", "title", "url", "date", "language", "paragraph")


class RelationWriter:
    def __init__(self, writer):
        self.writer = writer
        self.pending_targets = []  # (RelatedLink, (origin, external_id))
        self.pending_translations = []  # (story pk, (origin, external_id))

    def prepare(self, pairs, changed):
        """The database work before a batch is written: catalogue rows it names, old relations it replaces."""
        records = [record for record, _ in pairs]
        self.writer.tags.ensure(name for record in records for name in record.tags or ())
        self.writer.authors.ensure(name for record in records for name in record.authors or ())
        for record in records:
            if record.attributions is not None:
                self.writer.sources.ensure_described(record.attributions)
        self.clear(changed)
        self.rows = {"tags": [], "bylines": [], "attributions": [], "links": []}

    def write(self):
        rows = self.rows
        insert_rows(TaggedStory, ["content_object", "tag"], rows["tags"])
        insert_rows(Byline, ["story", "author", "position"], rows["bylines"])
        insert_rows(Attribution, ["story", "source", "position", "sentence"], rows["attributions"])
        RelatedLink.objects.bulk_create(rows["links"], batch_size=CHUNK)

    def clear(self, changed):
        """Remove the relations the new records replace; those a record leaves as None stay."""

        def ids(attribute):
            return [story.pk for record, story in changed if getattr(record, attribute) is not None]

        for part in chunks([story.pk for _, story in changed]):
            Attribution.objects.filter(story_id__in=part).delete()
        for part in chunks(ids("tags")):
            TaggedStory.objects.filter(content_object_id__in=part).delete()
        for part in chunks(ids("authors")):
            Byline.objects.filter(story_id__in=part).delete()
        for part in chunks(ids("links")):
            RelatedLink.objects.filter(story_id__in=part).delete()

    def collect(self, record, story):
        """The relation rows of one story, in memory only (it runs while the stories are being copied in)."""
        writer, rows = self.writer, self.rows
        if record.tags is not None:
            tag_ids = dict.fromkeys(writer.tags.get(name).pk for name in record.tags)
            rows["tags"] += [(story.pk, tag_id) for tag_id in tag_ids]
        if record.authors is not None:
            author_ids = dict.fromkeys(writer.authors.get(name).pk for name in record.authors)
            rows["bylines"] += [(story.pk, author_id, position) for position, author_id in enumerate(author_ids, 1)]
        rows["attributions"] += self.attributions(record, story)
        for position, link in enumerate(record.links or [], 1):
            row = RelatedLink(
                story_id=story.pk, position=position, **{name: getattr(link, name) for name in LINK_FIELDS}
            )
            rows["links"].append(row)
            if link.target:
                self.pending_targets.append((row, link.target))
        if record.translation_of:
            self.pending_translations.append((story.pk, record.translation_of))

    def attributions(self, record, story):
        if record.attributions is None:
            cited = [(m.source.pk, m.sentence) for m in self.writer.mentions.find(self.writer.paragraphs(story))]
        else:
            cited = [(self.writer.sources.get(a.source).pk, a.sentence) for a in record.attributions]
        first_sentence = {}
        for source_id, sentence in cited:
            first_sentence.setdefault(source_id, sentence)
        return [
            (story.pk, source_id, position, sentence)
            for position, (source_id, sentence) in enumerate(first_sentence.items(), 1)
        ]

    def resolve(self, touched):
        keys = {key for _, key in self.pending_targets + self.pending_translations}
        found = stories_by_key(keys)
        links = [link for link, key in self.pending_targets if found.get(key)]
        for link, key in self.pending_targets:
            link.target_id = found.get(key)
        RelatedLink.objects.bulk_update(links, ["target"], batch_size=CHUNK)
        translations = [
            Story(pk=pk, translation_of_id=found[key]) for pk, key in self.pending_translations if key in found
        ]
        Story.objects.bulk_update(translations, ["translation_of"], batch_size=CHUNK)
        resolve_links_for(touched)


def stories_by_key(keys):
    found = {}
    by_origin = {}
    for origin, external_id in keys:
        by_origin.setdefault(origin, []).append(external_id)
    for origin, ids in by_origin.items():
        for part in chunks(ids):
            rows = Story.objects.filter(origin=origin, external_id__in=part).values_list("external_id", "pk")
            found.update({(origin, external_id): pk for external_id, pk in rows})
    return found
