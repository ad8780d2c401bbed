"""Sitemaps of public stories, tags and sections, and the Google News sitemap of the last two days."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from articles.models import Section, Story, Tag

NEWS_WINDOW = timedelta(hours=48)


def newest_public_update(stories):
    """The newest `updated_at` among the public stories reached through the relation `stories`."""
    live = Story.objects.published().values("pk")
    return Max(f"{stories}__updated_at", filter=Q(**{f"{stories}__in": live}))


class StorySitemap(Sitemap):
    limit = 5000

    def items(self):
        # Oldest first, so a new story lands on the last page and the earlier pages keep their contents.
        return Story.objects.published().only("slug", "published_at", "updated_at").order_by("published_at", "pk")

    def lastmod(self, story):
        return story.updated_at

    def get_latest_lastmod(self):
        return Story.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class AnnotatedLastmodSitemap(Sitemap):
    """Items annotated with `lastmod` in the one query that lists them."""

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("lastmod"))["latest"]


class TagSitemap(AnnotatedLastmodSitemap):
    def items(self):
        tags = Tag.objects.with_published_counts()
        return tags.annotate(lastmod=newest_public_update("tagged_stories__content_object")).order_by("name", "pk")


class SectionSitemap(AnnotatedLastmodSitemap):
    def items(self):
        # A section without public stories is an empty page: search engines need not visit it.
        sections = Section.objects.annotate(lastmod=newest_public_update("stories"))
        return sections.filter(lastmod__isnull=False).order_by("position", "name", "pk")


class NewsSitemap(Sitemap):
    """Google News wants only the stories of the last two days, at most 1,000 to a sitemap page."""

    limit = 1000

    def items(self):
        now = timezone.now()
        return (
            Story.objects.published(at=now)
            .filter(published_at__gte=now - NEWS_WINDOW)
            .only("headline", "slug", "language", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, story):
        return story.updated_at


SITEMAPS = {"stories": StorySitemap, "tags": TagSitemap, "sections": SectionSitemap}
NEWS_SITEMAPS = {"news": NewsSitemap}
