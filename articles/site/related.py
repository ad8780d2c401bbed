"""What a public page prints of a story's related links: nothing that only an unpublished story could tell.

A link whose story is public leads to that story, with the title the editors gave it. Any other link is a
link to elsewhere, and is printed only as far as it gives no unpublished story away:

- a link that points at a story readers may not see (its chosen story, or an address on this site of a
  story that is not public) is printed only with an outside address of its own; the date, which the tools
  fill from that story, is left out;
- an address on this site of a story that is not public is never printed;
- a link whose title holds the headline of an unpublished story (as it is, or quoted: «…») is not printed
  at all, address or not;
- a link to no story and with no address stays a plain-text reference.

"Unpublished" is whatever `Story.objects.published()` leaves out. The same rule serves the story page's
inline "Read also" links and its "More on this topic" block, and previews.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, Value

from articles.models import Story
from articles.models.linking import normalize_title, story_key_from_url


@dataclass(frozen=True)
class ShownLink:
    kind: str
    paragraph: int | None
    title: str
    href: str
    date: datetime.date | None
    language: str
    target_id: int | None


def shown_links(links, at=None):
    """The links as readers may see them, in their order; links that would give something away are left out.

    No query when `links` come from `RelatedLink.objects.for_readers()` and none has an address on this site
    without a public story behind it; at most two otherwise.
    """
    links = list(links)
    untold = [link for link in links if not link.public_target(at)]
    keys = {link.pk: key for link in untold if link.url and (key := story_key_from_url(link.url))}
    public = public_addresses(set(keys.values()), at)
    unflagged = [link for link in untold if not hasattr(link, "names_unpublished")]
    if unflagged:
        hidden = unpublished_headlines({link.title for link in unflagged}, at)
        for link in unflagged:
            link.names_unpublished = any(headline in link.title for headline in hidden)
    shown = [shown_link(link, keys.get(link.pk), public, at) for link in links]
    return [link for link in shown if link is not None]


def shown_link(link, key, public, at=None):
    parts = {"kind": link.kind, "paragraph": link.paragraph, "language": link.language, "target_id": link.target_id}
    if target := link.public_target(at):
        return ShownLink(title=link.title, href=target.get_absolute_url(), date=link.date, **parts)
    hidden_target = link.target if link.target_id else None
    if link.names_unpublished or (hidden_target and holds_headline(link.title, hidden_target.headline)):
        return None
    hidden_address = key is not None and key not in public
    url = "" if hidden_address else link.url
    if (hidden_target or hidden_address) and not url:
        return None
    return ShownLink(title=link.title, href=url, date=None if hidden_target or hidden_address else link.date, **parts)


def holds_headline(title, headline):
    headline = normalize_title(headline).casefold()
    return bool(headline) and headline in normalize_title(title).casefold()


def public_addresses(keys, at=None):
    """Which of these (date, slug) keys are addresses of public stories: one query, none without keys."""
    if not keys:
        return set()
    stories = Story.objects.published(at).filter(slug__in={slug for _, slug in keys}).only("slug", "published_at")
    return {found for story in stories if (found := (story.publication_date.isoformat(), story.slug)) in keys}


def unpublished_headlines(titles, at=None):
    titles = {title for title in titles if title}
    if not titles:
        return set()
    """The headlines of unpublished stories that one of `titles` holds, in one query."""
    named = {f"title_{number}": Value(title) for number, title in enumerate(sorted(titles))}
    held = Q()
    for name in named:
        held |= Q(**{f"{name}__contains": F("headline")})
    stories = Story.objects.unpublished(at).alias(**named)
    return set(stories.filter(held).values_list("headline", flat=True))
