"""Slugs for stories created in bulk: unique per publication day, like Story.unique_slug."""

from articles.models import Story
from articles.text.slugs import ascii_slug, numbered

CHUNK = 500


class DaySlugs:
    def __init__(self, stories):
        self.bases = {
            id(story): story.slug or ascii_slug(story.headline, story.language, fallback="story") for story in stories
        }
        self.taken = set()
        self.load(set(self.bases.values()))

    def load(self, slugs):
        slugs = list(slugs)
        for start in range(0, len(slugs), CHUNK):
            rows = Story.objects.filter(slug__in=slugs[start : start + CHUNK], published_at__isnull=False)
            self.remember(rows)

    def remember(self, rows):
        for slug, published_at in rows.values_list("slug", "published_at"):
            self.taken.add((Story(published_at=published_at).publication_date, slug))

    def assign(self, story):
        base = self.bases[id(story)]
        if story.published_at is None:
            return base
        day = story.publication_date
        slug, number = base, 1
        if (day, base) in self.taken:
            self.remember(Story.objects.filter(slug__startswith=f"{base}-", published_at__isnull=False))
        while (day, slug) in self.taken:
            number += 1
            slug = numbered(base, number)
        self.taken.add((day, slug))
        return slug
