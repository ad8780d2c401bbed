from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.db.models.lookups import Contains
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

    def unpublished(self, at=None):
        """Everything `published()` leaves out: drafts, stories in review, scheduled, embargoed, withdrawn."""
        return self.exclude(pk__in=self.model.objects.published(at).values("pk"))

    def scheduled(self, at=None):
        now = at or timezone.now()
        return self.filter(status=self.model.Status.PUBLISHED).filter(
            Q(published_at__gt=now) | Q(embargo_until__gt=now)
        )

    def withdrawn(self):
        """Withdrawn stories that had an address: it answers 410 Gone with the public reason."""
        return self.filter(status=self.model.Status.WITHDRAWN, published_at__isnull=False)

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

    def written_by(self, author):
        return self.filter(bylines__author=author)

    def latest_per_section(self, count):
        """The `count` newest stories of each section, and of the stories in none: one query, ranked by a window."""
        rank = Window(RowNumber(), partition_by=F("section_id"), order_by=[F("published_at").desc(), F("pk").desc()])
        return self.annotate(section_rank=rank).filter(section_rank__lte=count)

    def adjacency(self, story):
        """A condition for the story just before and the one just after `story` in this queryset (ties by pk)."""
        moment, pk = story.published_at, story.pk
        earlier = self.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))
        later = self.filter(Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk))
        previous = earlier.order_by("-published_at", "-pk").values("pk")[:1]
        following = later.order_by("published_at", "pk").values("pk")[:1]
        return Q(pk=Subquery(previous)) | Q(pk=Subquery(following))

    def adjacent_to(self, story):
        """The story just before and the one just after `story` by publication time: one query."""
        return self.filter(self.adjacency(story))

    def search(self, text):
        """Stories matching every word of text in any inflected form, best first (see articles.models.search)."""
        from articles.models.search import search

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
        from articles.models import Attribution, Byline, Correction, RelatedLink

        # Corrections are rare: a flag in the story's own query spares every other page a prefetch query.
        notes = Correction.objects.filter(story=OuterRef("pk"))
        return (
            self.select_related("section")
            .annotate(has_corrections=Exists(notes))
            .prefetch_related(
                "tags",
                Prefetch("bylines", queryset=Byline.objects.select_related("author")),
                Prefetch("attributions", queryset=Attribution.objects.select_related("source")),
                Prefetch("related_links", queryset=RelatedLink.objects.for_readers()),
            )
        )

    def with_translation_flag(self):
        """Mark stories that other stories translate, so a page asks for editions only when there are any."""
        translated = self.model.objects.filter(translation_of=OuterRef("pk"))
        return self.select_related("translation_of").annotate(is_translated=Exists(translated))

    @staticmethod
    def translation_group(story):
        """A condition for `story`'s translation group: its original, the original's translations, and theirs."""
        root = (
            story.translation_of.translation_of_id or story.translation_of_id if story.translation_of_id else story.pk
        )
        return Q(pk=root) | Q(translation_of=root) | Q(translation_of__translation_of=root)

    def sharing_tags(self, story, tag_ids, excluded=(), limit=6):
        """A condition for the `limit` newest stories that share a tag with `story` (not it, not `excluded`)."""
        from articles.models import TaggedStory

        tagged = TaggedStory.objects.filter(content_object=OuterRef("pk"), tag__in=tag_ids)
        newest = self.filter(Exists(tagged)).exclude(pk=story.pk).exclude(pk__in=list(excluded))
        return Q(pk__in=Subquery(newest.order_by("-published_at", "-pk").values("pk")[:limit]))

    def around(self, story, tag_ids=(), excluded=(), related_limit=6):
        """The stories a story page names besides its own relations, in one query.

        Its neighbours in its section (flagged `is_neighbour`), the editions of its translation group
        (`in_group`, the original first) and the newest stories sharing one of `tag_ids` (`shares_tags`);
        nothing is asked when the story has none of these.
        """
        flags = {}
        if story.section_id:
            flags["is_neighbour"] = self.in_section(story.section_id).adjacency(story)
        if story.translation_of_id or getattr(story, "is_translated", False):
            flags["in_group"] = self.translation_group(story)
        if tag_ids:
            flags["shares_tags"] = self.sharing_tags(story, tag_ids, excluded, related_limit)
        if not flags:
            return self.none()
        either = Q()
        for condition in flags.values():
            either |= condition
        annotations = {
            name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in flags.items()
        }
        return (
            self.filter(either)
            .annotate(**annotations)
            .only("headline", "slug", "published_at", "language", "translation_of")
            .order_by(F("translation_of").asc(nulls_first=True), "published_at", "pk")
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


class TagQuerySet(models.QuerySet):
    def with_published_counts(self):
        from articles.models import Story

        live = Story.objects.published().values("pk")
        return self.annotate(
            story_count=Count("tagged_stories", filter=Q(tagged_stories__content_object__in=live))
        ).filter(story_count__gt=0)

    def popular(self):
        """Tags of public stories, the most used first, each with its `story_count`: one query."""
        return self.with_published_counts().order_by("-story_count", "name", "pk")


class AuthorQuerySet(models.QuerySet):
    def with_published_stories(self):
        """Authors with a public story: anyone else's name would give unpublished work away."""
        from articles.models import Byline, Story

        live = Byline.objects.filter(author=OuterRef("pk"), story__in=Story.objects.published().values("pk"))
        return self.filter(Exists(live))


class SectionQuerySet(models.QuerySet):
    def with_published_stories(self):
        """Sections holding a public story: like a tag or an author, one known only from drafts is no one's business."""
        from articles.models import Story

        return self.filter(Exists(Story.objects.published().filter(section=OuterRef("pk"))))


class SourceQuerySet(models.QuerySet):
    def with_published_stories(self):
        """Sources a public story cites: a source cited only by an embargoed story would announce it."""
        from articles.models import Attribution, Story

        live = Attribution.objects.filter(source=OuterRef("pk"), story__in=Story.objects.published().values("pk"))
        return self.filter(Exists(live))


class RelatedLinkQuerySet(models.QuerySet):
    def for_readers(self):
        """With their target, and flagged `names_unpublished` when the title holds an unpublished story's headline.

        The flag comes in the links' own query, so a story page spends nothing on it (articles.site.related).
        """
        from articles.models import Story

        # Contained, not only equal: a title that quotes a hidden headline («…») gives it away just the same.
        title = ExpressionWrapper(OuterRef("title"), output_field=models.TextField())
        hidden = Story.objects.unpublished().filter(Contains(title, F("headline")))
        return self.select_related("target").annotate(names_unpublished=Exists(hidden))
