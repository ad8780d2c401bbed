"""The one upsert every importer shares, keyed on (origin, external_id).

A record that matches what is stored is skipped without a write, so running
an import twice changes nothing the second time.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from articles.html import html_to_text, sanitize_html, split_blocks
from articles.linking import resolve_links_for
from articles.mentions import find_mentions
from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story

CREATED, UPDATED, SKIPPED, FAILED = "created", "updated", "skipped", "failed"
STORY_FIELDS = ("headline", "lead", "body", "language", "status", "published_at", "section_id")
LINK_FIELDS = ("kind", "title", "url", "date", "language", "paragraph")
LOOKUP_CHUNK = 500


@dataclass
class Report:
    counts: dict = field(default_factory=lambda: dict.fromkeys((CREATED, UPDATED, SKIPPED, FAILED), 0))
    failures: list = field(default_factory=list)

    def add(self, action):
        self.counts[action] += 1

    def fail(self, location, message):
        self.counts[FAILED] += 1
        self.failures.append(f"{location}: {message}")

    def summary(self):
        return ", ".join(f"{action} {count}" for action, count in self.counts.items())


def existing_stories(keys):
    found = {}
    by_origin = {}
    for origin, external_id in keys:
        by_origin.setdefault(origin, []).append(external_id)
    for origin, ids in by_origin.items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            stories = Story.objects.filter(Q(origin=origin) & Q(external_id__in=chunk)).prefetch_related(
                "tags",
                Prefetch("bylines", queryset=Byline.objects.select_related("author")),
                "attributions",
                "related_links",
            )
            found.update({story_key(story): story for story in stories})
    return found


def story_key(story):
    return story.origin, story.external_id


class StoryWriter:
    def __init__(self, default_language="uk", now=None):
        self.default_language = default_language
        self.now = now or timezone.now()
        self.sources = list(Source.objects.all())
        self.sections = {section.slug: section for section in Section.objects.all()}
        self.authors = {}

    def write(self, records, on_item=None):
        """Upsert the records; on_item(record, action) is called after each one."""
        report = Report()
        existing = existing_stories([record.key for record in records])
        touched = []
        for record in records:
            action, story = self.write_one(record, existing.get(record.key))
            if action != SKIPPED:
                existing[record.key] = story
                touched.append(story)
            report.add(action)
            if on_item:
                on_item(record, action)
        resolve_links_for(touched)
        return report

    def write_one(self, record, story):
        wanted = self.desired_state(record, story)
        if story is not None and self.state_of(story) == self.comparable(wanted):
            return SKIPPED, story
        created = story is None
        story = story or Story(origin=record.origin, external_id=record.external_id)
        for name in STORY_FIELDS:
            setattr(story, name, wanted[name])
        story.save()
        self.replace_relations(story, wanted, created)
        story._prefetched_objects_cache = {}
        return (CREATED if created else UPDATED), story

    def desired_state(self, record, story):
        body = sanitize_html(record.body)
        status = record.status or (story.status if story else Story.Status.PUBLISHED)
        published_at = record.published_at or (story.published_at if story else None)
        if published_at is None and status == Story.Status.PUBLISHED:
            published_at = self.now
        section_id = story.section_id if story else None
        if record.section:
            section_id = self.sections[record.section].pk
        paragraphs = [html_to_text(block) for block in split_blocks(body)]
        return {
            "headline": record.headline,
            "lead": record.lead,
            "body": body,
            "language": record.language or self.default_language,
            "status": status,
            "published_at": published_at,
            "section_id": section_id,
            "tags": record.tags if record.tags is not None else (self.tag_names(story) if story else []),
            "authors": record.authors if record.authors is not None else (self.author_names(story) if story else []),
            "attributions": [(m.source.pk, m.sentence) for m in find_mentions(paragraphs, self.sources)],
            "links": [tuple(getattr(link, name) for name in LINK_FIELDS) for link in record.links],
        }

    @staticmethod
    def comparable(state):
        return {**state, "tags": sorted({name.casefold() for name in state["tags"]})}

    def state_of(self, story):
        state = {name: getattr(story, name) for name in STORY_FIELDS}
        state["tags"] = self.tag_names(story)
        state["authors"] = self.author_names(story)
        state["attributions"] = [(a.source_id, a.sentence) for a in story.attributions.all()]
        state["links"] = [tuple(getattr(link, name) for name in LINK_FIELDS) for link in story.related_links.all()]
        return self.comparable(state)

    @staticmethod
    def tag_names(story):
        return [tag.name for tag in story.tags.all()]

    @staticmethod
    def author_names(story):
        return [byline.author.name for byline in story.bylines.all()]

    def replace_relations(self, story, wanted, created):
        story.tags.set(wanted["tags"], clear=not created)
        if not created:
            story.bylines.all().delete()
            story.attributions.all().delete()
            story.related_links.all().delete()
        Byline.objects.bulk_create(
            Byline(story=story, author=self.author(name), position=position)
            for position, name in enumerate(dict.fromkeys(wanted["authors"]), 1)
        )
        Attribution.objects.bulk_create(
            Attribution(story=story, source_id=source_id, position=position, sentence=sentence)
            for position, (source_id, sentence) in enumerate(wanted["attributions"], 1)
        )
        RelatedLink.objects.bulk_create(
            RelatedLink(story=story, position=position, **dict(zip(LINK_FIELDS, values, strict=True)))
            for position, values in enumerate(wanted["links"], 1)
        )

    def author(self, name):
        if name not in self.authors:
            self.authors[name] = Author.objects.filter(name=name).first() or Author.objects.create(name=name)
        return self.authors[name]
