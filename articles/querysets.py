from django.db import models
from django.db.models import Count, F, Min, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone


class StoryQuerySet(models.QuerySet):
    def published(self, at=None):
        """The one definition of what readers may see: live, past its time and any embargo."""
        now = at or timezone.now()
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            status=self.model.Status.PUBLISHED,
            published_at__lte=now,
        )

    def scheduled(self, at=None):
        now = at or timezone.now()
        return self.filter(status=self.model.Status.PUBLISHED).filter(
            Q(published_at__gt=now) | Q(embargo_until__gt=now)
        )

    def next_public_at(self, at=None):
        """The earliest moment a scheduled or embargoed story becomes public, or None: one aggregate query."""
        goes_public = Greatest("published_at", Coalesce("embargo_until", "published_at"))
        scheduled = self.scheduled(at).filter(published_at__isnull=False)
        return scheduled.aggregate(moment=Min(goes_public))["moment"]

    def in_section(self, section):
        return self.filter(section=section)

    def tagged(self, tag):
        return self.filter(tags=tag)

    def citing(self, source):
        return self.filter(attributions__source=source).distinct()

    def search(self, text):
        """Stories matching every word of text in any inflected form, best first (see articles.search)."""
        from articles.search import search

        return search(self, text)

    def for_listing(self):
        from articles.models import Byline

        return (
            self.select_related("section")
            .defer("body", "search_document")
            .prefetch_related("tags", Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def for_search_results(self):
        """What a search result prints: headline, date, section, and the lead and body its snippet is cut from."""
        return self.select_related("section").defer("search_document")

    def for_page(self):
        from articles.models import Attribution, Byline, RelatedLink

        return self.select_related("section").prefetch_related(
            "tags",
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            Prefetch("attributions", queryset=Attribution.objects.select_related("source")),
            Prefetch("related_links", queryset=RelatedLink.objects.select_related("target")),
        )

    def in_export_order(self):
        """An order that survives an export and re-import (primary keys do not)."""
        return self.order_by(F("published_at").asc(nulls_last=True), "headline", "slug", "origin", "external_id", "pk")

    def for_export(self):
        from articles.models import Attribution, Byline, RelatedLink

        return self.select_related("section", "translation_of").prefetch_related(
            "tags",
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            Prefetch("attributions", queryset=Attribution.objects.select_related("source")),
            Prefetch("related_links", queryset=RelatedLink.objects.select_related("target")),
        )

    def sharing_tags_with(self, story, tag_ids):
        return (
            self.filter(tags__in=tag_ids)
            .exclude(pk=story.pk)
            .distinct()
            .order_by("-published_at", "-pk")
        )


class TagQuerySet(models.QuerySet):
    def with_published_counts(self):
        from articles.models import Story

        live = Story.objects.published().values("pk")
        return self.annotate(
            story_count=Count("tagged_stories", filter=Q(tagged_stories__content_object__in=live))
        ).filter(story_count__gt=0)
