"""Point related links at the stories they name.

A link is resolved when its title equals a story's headline or its URL is a
story's address on this site. Links are resolved in both directions: a new
story's own links, and older links that were waiting for this story.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import Resolver404, resolve

from articles.models import RelatedLink, Story

CHUNK = 500
WHITESPACE = re.compile(r"\s+")


def normalize_title(title):
    return WHITESPACE.sub(" ", title or "").strip()


def story_key_from_url(url):
    """(date, slug) for a URL of a story page on this site, or None."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc.split(":")[0] not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "story" or match.namespace != "articles":
        return None
    kw = match.kwargs
    return f"{kw['year']:04d}-{kw['month']}-{kw['day']}", kw["slug"]


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stories_by_headline(titles):
    found = {}
    for chunk in chunks(titles):
        for pk, headline in Story.objects.filter(headline__in=chunk).order_by("pk").values_list("pk", "headline"):
            found.setdefault(headline, pk)
    return found


def _stories_by_url_key(keys):
    found = {}
    slugs = {slug for _, slug in keys}
    for chunk in chunks(slugs):
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
    candidates = {}
    for part in chunks([story.pk for story in stories]):
        candidates.update(
            {link.pk: link for link in RelatedLink.objects.filter(target__isnull=True, story_id__in=part)}
        )
    # Matching addresses costs a condition per story; skip it when no unresolved link has an address.
    any_addressed = RelatedLink.objects.filter(target__isnull=True).exclude(url="").exists()
    for part in chunks(stories):
        names_them = Q(title__in={normalize_title(story.headline) for story in part})
        for story in part if any_addressed else ():
            if story.published_at and story.slug:
                names_them |= Q(url__endswith=story.get_absolute_url())
        inbound = RelatedLink.objects.filter(names_them, target__isnull=True)
        candidates.update({link.pk: link for link in inbound})
    changed = resolve_outbound(candidates.values())
    RelatedLink.objects.bulk_update(changed, ["target"], batch_size=CHUNK)
    return len(changed)
