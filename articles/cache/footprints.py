"""A story's public footprint: where on the public site it shows, read in a few queries for any number of stories.

A write reads the footprints of the stories it touches before and after; `touched_keys()` turns the two into the
surrogate keys whose pages must render again. The rules:

- a story that is public neither before nor after (a draft, a story in review, a scheduled story) touches nothing;
- a public story whose text changed touches the pages that print it (its key), the sitemaps and search;
- a story entering or leaving the public site, or changing its date, section, tags, sources, authors or edition
  group while public, also touches the lists it enters and leaves: the home page, the all-stories lists, its
  archives, and the pages of its section, tags, sources and authors.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from articles.cache import keys
from articles.models import Attribution, Byline, Story, TaggedStory

STORED = ["pk", "status", "published_at", "embargo_until", "slug", "section_id", "translation_of_id"]


@dataclass(frozen=True)
class Footprint:
    story: int
    public: bool
    path: str | None = None
    day: date | None = None
    section: int | None = None
    tags: frozenset = frozenset()
    sources: frozenset = frozenset()
    authors: frozenset = frozenset()
    edition_group: int | None = None
    # When a published story still waiting for its time or embargo goes public by itself.
    goes_public_at: datetime | None = None

    def listings(self):
        """The list keys of the pages this story appears on while public."""
        if not self.public:
            return set()
        found = {keys.HOME, keys.STORIES, keys.SITEMAPS, keys.SEARCH, keys.CATALOGUE, *keys.archive(self.day)}
        found |= {keys.editions(self.edition_group)}
        if self.section is not None:
            found.add(keys.section_stories(self.section))
        found |= {keys.tag_stories(pk) for pk in self.tags}
        found |= {keys.source_stories(pk) for pk in self.sources}
        found |= {keys.author_stories(pk) for pk in self.authors}
        return found


def pending_moment(row, now):
    if row["status"] != Story.Status.PUBLISHED or row["published_at"] is None:
        return None
    moment = max(filter(None, [row["published_at"], row["embargo_until"]]))
    return moment if moment > now else None


def story_path(row):
    return Story(slug=row["slug"], published_at=row["published_at"]).get_absolute_url()


def grouped(pairs):
    found = {}
    for story, other in pairs:
        found.setdefault(story, set()).add(other)
    return {story: frozenset(others) for story, others in found.items()}


def footprints(pks, now=None):
    """{pk: Footprint} of the stories with these primary keys as stored now; missing stories have none."""
    pks = list(pks)
    if not pks:
        return {}
    now = now or timezone.now()
    rows = Story.objects.filter(pk__in=pks).values(*STORED)
    tags = grouped(TaggedStory.objects.filter(content_object_id__in=pks).values_list("content_object_id", "tag_id"))
    sources = grouped(Attribution.objects.filter(story_id__in=pks).values_list("story_id", "source_id"))
    authors = grouped(Byline.objects.filter(story_id__in=pks).values_list("story_id", "author_id"))
    found = {}
    for row in rows:
        pk = row["pk"]
        public = Story(**{name: row[name] for name in ("status", "published_at", "embargo_until")}).is_public(now)
        found[pk] = Footprint(
            story=pk,
            public=public,
            path=story_path(row) if public else None,
            day=timezone.localdate(row["published_at"]) if public else None,
            section=row["section_id"],
            tags=tags.get(pk, frozenset()),
            sources=sources.get(pk, frozenset()),
            authors=authors.get(pk, frozenset()),
            edition_group=row["translation_of_id"] or pk,
            goes_public_at=pending_moment(row, now),
        )
    return found


def touched_keys(before, after):
    """The keys whose pages a change of one story from footprint `before` to `after` alters (either may be None)."""
    before = before or Footprint(story=None, public=False)
    after = after or Footprint(story=None, public=False)
    if not (before.public or after.public):
        return set()
    story = before.story if before.story is not None else after.story
    touched = {keys.story(story), keys.SITEMAPS, keys.SEARCH}
    if before.listings() != after.listings():
        touched |= before.listings() | after.listings()
    return touched


def publication_keys(pks, now=None):
    """The keys touched by these stories going public by themselves (their time or embargo came)."""
    touched = set()
    for footprint in footprints(pks, now).values():
        touched |= touched_keys(None, footprint)
    return touched
