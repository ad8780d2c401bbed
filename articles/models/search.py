"""Full-text search over stories: the stored search document, keeping it current, and matching it.

Every story stores `search_document`: the normalised keys (articles.text.morphology) of its headline
on the first line, then of its lead and body. On PostgreSQL a GIN index over
to_tsvector('simple', search_document) (migration 0005) answers the match, and results are
ranked by ts_rank, the headline weighted highest, damped by age. Elsewhere (SQLite) every query
word must appear among the document's keys, newest first. Both compare keys that Python made,
so a word matches its inflected forms the same way on either database.

Stories saved through save() are re-indexed when their transaction commits; the bulk import
writer fills the document itself before its COPY (set_search_documents), and `reindex_search`
rebuilds them all.
"""

import html
import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connections, transaction
from django.db.models import ExpressionWrapper, F, FloatField, Func, Q, TextField, Value
from django.utils import timezone

from articles.text.morphology import normalise, query_terms

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
TAG = re.compile(r"<[^>]*>")
INDEXED_FIELDS = frozenset({"headline", "lead", "body"})
# A story a year old needs about three times the relevance of today's to rank above it.
AGE_DAMPING_DAYS = 180
# A tsvector holds at most 1 MB; news bodies are far shorter, but an imported page need not be.
MAX_INDEXED_CHARS = 300_000


def search_document(headline, lead, body):
    """The headline's keys, a newline, the lead's and body's keys; padded so every key has a space either side."""
    text = f"{lead}\n{body_text(body)}"[:MAX_INDEXED_CHARS]
    return f" {normalise(headline)} \n {normalise(text)} "


def body_text(body):
    # The body is sanitised HTML, so dropping its tags is enough, and far cheaper than parsing it.
    return html.unescape(TAG.sub(" ", body))


def set_search_documents(stories):
    """Fill each story's search document in memory, for a caller that writes the stories in bulk."""
    for story in stories:
        story.search_document = search_document(story.headline, story.lead, story.body)


def reindex_stories(queryset, batch_size=500):
    """Rebuild the documents of the stories in queryset, a batch at a time; yields the count done so far."""
    stories = queryset.order_by("pk").only("pk", "headline", "lead", "body")
    writer = queryset.model._base_manager.using(queryset.db)
    done = last_pk = 0
    while batch := list(stories.filter(pk__gt=last_pk)[:batch_size]):
        set_search_documents(batch)
        writer.bulk_update(batch, ["search_document"])
        done, last_pk = done + len(batch), batch[-1].pk
        yield done


def index_after_commit(sender, instance, update_fields=None, using=None, **kwargs):
    """post_save: re-index the story once its transaction commits, unless the save left its text alone."""
    if update_fields is not None and not INDEXED_FIELDS.intersection(update_fields):
        return
    story = sender._base_manager.using(using).filter(pk=instance.pk)
    transaction.on_commit(lambda: list(reindex_stories(story)), using=using, robust=True)


def search_terms(text):
    """The query's words as sets of keys: at most MAX_TERMS words from its first MAX_QUERY_CHARS characters."""
    return query_terms((text or "")[:MAX_QUERY_CHARS], MAX_TERMS)


class DocumentVector(Func):
    """to_tsvector('simple', search_document): the very expression the GIN index is built on."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


class AgeDamping(Func):
    """1 for a story published at the given time, 1/2 AGE_DAMPING_DAYS earlier, 1/3 twice as long before."""

    template = "(1 / (1 + GREATEST(EXTRACT(EPOCH FROM %(expressions)s), 0)::float8 / %(seconds)s))"
    output_field = FloatField()

    def __init__(self, now):
        super().__init__(Value(now) - F("published_at"), seconds=float(AGE_DAMPING_DAYS * 86400))


def search_score(query, now):
    """Relevance, the headline (the document's first line) weighing most, damped by age."""
    headline = Func(F("search_document"), Value("\n"), Value(1), function="split_part", output_field=TextField())
    vector = SearchVector(headline, config="simple", weight="A") + SearchVector("search_document", config="simple")
    return ExpressionWrapper(SearchRank(vector, query, normalization=Value(1)) * AgeDamping(now), FloatField())


def tsquery(terms):
    def word(keys):
        return reduce(or_, (SearchQuery(key, config="simple") for key in sorted(keys)))

    return reduce(and_, (word(keys) for keys in terms))


def search(queryset, text):
    """Stories of queryset matching every word of text in any of its forms, best first; none for no words."""
    terms = search_terms(text)
    if not terms:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        query = tsquery(terms)
        return (
            queryset.alias(search_vector=DocumentVector("search_document"))
            .filter(search_vector=query)
            .annotate(search_score=search_score(query, timezone.now()))
            .order_by("-search_score", "-published_at", "-pk")
        )
    # SQLite's LIKE folds ASCII case only; the document and the keys are both lowercase already.
    every_word = reduce(
        and_, (reduce(or_, (Q(search_document__contains=f" {key} ") for key in keys)) for keys in terms)
    )
    return queryset.filter(every_word).order_by("-published_at", "-pk")


def connect():
    from django.db.models.signals import post_save

    from articles.models import Story

    post_save.connect(index_after_commit, sender=Story, dispatch_uid="search-index-story")
