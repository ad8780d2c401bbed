"""What the admin offers to add to a saved story: the sources its text names but does not cite, and related stories.

Sources are found as the importers find them (articles.text.mentions), declined forms and aliases included. Related
stories are public stories sharing the story's tags (the most shared first), then stories whose text has the
words of its headline (articles.models.search keys, so inflected forms match).
"""

from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import add, or_

from django.contrib.postgres.search import SearchQuery
from django.db import connections, transaction
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.utils.translation import gettext_lazy as _

from articles.models import Attribution, RelatedLink, Source, Story
from articles.models.querysets import StoryQuerySet
from articles.models.search import DocumentVector, search_terms
from articles.text.html import block_texts
from articles.text.mentions import MentionFinder

RELATED_LIMIT = 5
# A story sharing one common headline word ("Україна") is no relative; two shared words make one.
MIN_SHARED_TERMS = 2


class SuggestionRefused(Exception):
    """The suggestion cannot be accepted: the message says why, in words an editor understands."""


@dataclass(frozen=True)
class Suggestions:
    sources: list
    stories: list

    def __bool__(self):
        return bool(self.sources or self.stories)


def text_paragraphs(story):
    # The body comes first: a source is cited by a sentence of the body; the headline and lead only name it.
    return [text for text in (*block_texts(story.body), story.lead.strip(), story.headline.strip()) if text]


@lru_cache(maxsize=1)
def finder_for(source_rows):
    """Compiled patterns of every source, kept while the sources stay as they are (thousands of regexes)."""
    return MentionFinder([Source(pk=pk, name=name, aliases=aliases) for pk, name, aliases in source_rows])


def source_finder():
    """A finder over the registered sources: one query; the patterns are compiled again only when a source changed."""
    return finder_for(tuple(Source.objects.order_by("pk").values_list("pk", "name", "aliases")))


def unattributed_mentions(story, finder=None):
    """Mentions of registered sources the story does not cite yet, in the order the text names them."""
    mentions = (finder or source_finder()).find(text_paragraphs(story))
    if not mentions:
        return []
    cited = set(story.attributions.values_list("source_id", flat=True))
    return [mention for mention in mentions if mention.source.pk not in cited]


def key_terms(story):
    return search_terms(story.headline)


def related_candidates(story):
    """Public stories besides `story`, its editions and the stories its related links already point to."""
    linked = RelatedLink.objects.filter(story=story, target__isnull=False).values("target_id")
    return (
        Story.objects.published()
        .exclude(pk=story.pk)
        .exclude(StoryQuerySet.translation_group(story))
        .exclude(pk__in=linked)
        .only("headline", "slug", "published_at", "language")
    )


def term_hits(terms):
    """How many of the terms a story's search document contains (a term matches when any of its keys does)."""
    counts = [
        Case(When(reduce(or_, (Q(search_document__contains=f" {key} ") for key in keys)), then=1), default=0)
        for keys in terms
    ]
    return reduce(add, counts, Value(0, output_field=IntegerField()))


def sharing_terms(candidates, terms):
    if connections[candidates.db].vendor == "postgresql":
        # The GIN index finds the stories with any of the words; only those are counted.
        any_word = reduce(or_, (SearchQuery(key, config="simple") for keys in terms for key in sorted(keys)))
        candidates = candidates.alias(search_vector=DocumentVector("search_document")).filter(search_vector=any_word)
    needed = min(MIN_SHARED_TERMS, len(terms))
    return candidates.annotate(shared_terms=term_hits(terms)).filter(shared_terms__gte=needed)


def related_suggestions(story, limit=RELATED_LIMIT):
    """Up to `limit` public stories: those sharing the most tags first, then those sharing headline words."""
    candidates = related_candidates(story)
    tag_ids = [tag.pk for tag in story.tags.all()]  # the admin's story has its tags prefetched
    found = []
    if tag_ids:
        by_tags = candidates.filter(tagged_items__tag__in=tag_ids).annotate(shared_tags=Count("tagged_items"))
        found = list(by_tags.order_by("-shared_tags", "-published_at", "-pk")[:limit])
    terms = key_terms(story)
    if terms and len(found) < limit:
        by_terms = sharing_terms(candidates.exclude(pk__in=[relative.pk for relative in found]), terms)
        found += by_terms.order_by("-shared_terms", "-published_at", "-pk")[: limit - len(found)]
    return found


def suggestions_for(story):
    return Suggestions(sources=unattributed_mentions(story), stories=related_suggestions(story))


def locked(story):
    """The story's row, held until the transaction ends: a double click adds one row, and the version stays exact."""
    return Story.objects.select_for_update().get(pk=story.pk)


def saved(story):
    """Save the story as an edit does (a new version, a revision when one is being recorded), its text untouched."""
    story.save(update_fields=["updated_at"])


def next_position(rows):
    return (rows.aggregate(last=Max("position"))["last"] or 0) + 1


def attribute_mentioned_source(story, source_id):
    """Cite the source, with the sentence naming it, after the story's other sources; None if it is cited already."""
    source = Source.objects.filter(pk=source_id).first() if str(source_id).isdigit() else None
    if source is None:
        raise SuggestionRefused(_("No such source is registered."))
    mentions = MentionFinder([source]).find(text_paragraphs(story))
    if not mentions:
        raise SuggestionRefused(_("The story's text does not name %(source)s.") % {"source": source.name})
    with transaction.atomic():
        story = locked(story)
        if Attribution.objects.filter(story=story, source=source).exists():
            return None
        attribution = Attribution.objects.create(
            story=story, source=source, position=next_position(story.attributions), sentence=mentions[0].sentence
        )
        saved(story)
    return attribution


def relate_public_story(story, target_id):
    """Add a "more on this topic" link to a public story, after the other links; None if one points there already."""
    target = Story.objects.published().filter(pk=target_id).first() if str(target_id).isdigit() else None
    if target is None or target.pk == story.pk:
        raise SuggestionRefused(_("Only another published story can be added as related."))
    with transaction.atomic():
        story = locked(story)
        if RelatedLink.objects.filter(story=story, target=target).exists():
            return None
        link = RelatedLink.objects.create(
            story=story,
            kind=RelatedLink.Kind.MORE,
            position=next_position(story.related_links),
            target=target,
            title=target.headline,
            date=target.publication_date,
            language=target.language,
        )
        saved(story)
    return link
