"""Point related links at the stories they name.

A link is resolved when its title equals a story's headline or its URL is a
story's address on this site. Links are resolved in both directions: a new
story's own links, and older links that were waiting for this story.
"""

import re
from urllib.parse import urlsplit

from django.db.models import Q
from django.urls import Resolver404, resolve

from articles.models import RelatedLink, Story

CHUNK = 500
WHITESPACE = re.compile(r"\s+")


def normalize_title(title):
    return WHITESPACE.sub(" ", title or "").strip()


def story_key_from_url(url):
    """(date, slug) for a URL of a story page on this site, or None."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.url_name != "story" or match.namespace != "articles":
        return None
    kw = match.kwargs
    return f"{kw['year']:04d}-{kw['month']}-{kw['day']}", kw["slug"]


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _stories_by_headline(titles):
    found = {}
    for chunk in _chunks(titles):
        for pk, headline in Story.objects.filter(headline__in=chunk).order_by("pk").values_list("pk", "headline"):
            found.setdefault(headline, pk)
    return found


def _stories_by_url_key(keys):
    found = {}
    slugs = {slug for _, slug in keys}
    for chunk in _chunks(slugs):
        for story in Story.objects.filter(slug__in=chunk, published_at__isnull=False).only("slug", "published_at"):
            found.setdefault((story.publication_date.isoformat(), story.slug), story.pk)
    return found


def resolve_outbound(links):
    """Set targets on unresolved links; returns the links changed (not yet saved)."""
    pending = [link for link in links if link.target_id is None]
    by_title = _stories_by_headline({normalize_title(link.title) for link in pending})
    url_keys = {link.pk: story_key_from_url(link.url) for link in pending if link.url}
    by_url = _stories_by_url_key({key for key in url_keys.values() if key})
    changed = []
    for link in pending:
        target = by_url.get(url_keys.get(link.pk)) or by_title.get(normalize_title(link.title))
        if target and target != link.story_id:
            link.target_id = target
            changed.append(link)
    return changed


def resolve_links_for(stories):
    """Resolve the links of these stories and the links elsewhere that name them."""
    stories = [story for story in stories if story.pk]
    if not stories:
        return 0
    ids = [story.pk for story in stories]
    candidates = list(RelatedLink.objects.filter(target__isnull=True, story_id__in=ids))
    for chunk in _chunks(stories):
        headlines = [normalize_title(story.headline) for story in chunk]
        url_tails = Q()
        for story in chunk:
            url_tails |= Q(url__contains=f"/{story.slug}")
        inbound = RelatedLink.objects.filter(target__isnull=True).exclude(story_id__in=ids)
        candidates += list(inbound.filter(Q(title__in=headlines) | url_tails))
    changed = resolve_outbound(candidates)
    RelatedLink.objects.bulk_update(changed, ["target"])
    return len(changed)
