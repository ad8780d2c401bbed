"""Inline "Читайте також: «…»" paragraphs typed or pasted into a body become related links.

A read-also link is data (RelatedLink, kind read_also, after a paragraph), never markup in the body: the page
prints it in its place, feeds and exports leave it out, and the link follows its story. The paragraph is
recognised as the plain-text importer recognises it (articles.transfer.importers.text.READ_ALSO).
"""

import html
import re
from dataclasses import dataclass

from articles.models import RelatedLink, Story
from articles.models.linking import normalize_title
from articles.text.html import html_to_text, split_blocks
from articles.text.language import detect_language
from articles.transfer.importers.text import READ_ALSO

FIRST_HREF = re.compile(r"<a\s[^>]*?href=\"([^\"]*)\"", re.IGNORECASE)
QUOTES = {"«": "»", "“": "”", "„": "“", '"': '"'}


@dataclass
class FoundLink:
    title: str
    url: str
    paragraph: int  # the number of body blocks before it, once read-also paragraphs are out
    block: int  # its own block number in the body as it was posted (1 = the first)


def read_also_match(block):
    if not block.startswith("<p"):
        return None
    match = READ_ALSO.match(" ".join(html_to_text(block).split()))
    return match if match and match["title"].strip() else None


def extract_read_also(body):
    """(The body without its read-also paragraphs, the links they named); the body is untouched if none."""
    kept, found = [], []
    for number, block in enumerate(split_blocks(body), 1):
        if match := read_also_match(block):
            href = FIRST_HREF.search(block)
            url = html.unescape(href[1]) if href else ""
            found.append(FoundLink(title=match["title"].strip(), url=url, paragraph=len(kept), block=number))
        else:
            kept.append(block)
    return ("\n".join(kept), found) if found else (body, [])


def unquoted(title):
    if len(title) > 2 and QUOTES.get(title[0]) == title[-1]:
        return title[1:-1].strip()
    return title


def titles_as_headlines(titles):
    """Each title with its typographic quotes taken off, unless a story's headline has them too."""
    headlines = set(Story.objects.filter(headline__in=titles).values_list("headline", flat=True))
    return {title: title if title in headlines else unquoted(title) for title in titles}


def shifted(paragraph, removed_blocks):
    """Where a link placed after block `paragraph` of the posted body goes once those blocks are out."""
    return paragraph - sum(1 for block in removed_blocks if block <= paragraph)


def is_duplicate(found, title, links):
    same_title = normalize_title(title).casefold()
    return any(
        link.kind == RelatedLink.Kind.READ_ALSO
        and (normalize_title(link.title).casefold() == same_title or (found.url and link.url == found.url))
        for link in links
    )


def save_read_also_links(story, found_links):
    """Create the related links the body named, and keep the inline links already there in their places.

    Returns the number of links created (an identical read-also link already on the story is not repeated).
    """
    if not found_links:
        return 0
    links = list(story.related_links.all())
    removed = [found.block for found in found_links]
    for link in links:
        paragraph = shifted(link.paragraph, removed) if link.paragraph else link.paragraph
        if link.kind == RelatedLink.Kind.READ_ALSO and paragraph != link.paragraph:
            link.paragraph = paragraph
            link.save(update_fields=["paragraph"])
    titles = titles_as_headlines({normalize_title(found.title) for found in found_links})
    position = max((link.position for link in links), default=0)
    created = []
    for found in found_links:
        title = titles[normalize_title(found.title)]
        if is_duplicate(found, title, [*links, *created]):
            continue
        position += 1
        created.append(
            RelatedLink.objects.create(
                story=story,
                kind=RelatedLink.Kind.READ_ALSO,
                position=position,
                paragraph=found.paragraph,
                title=title,
                url=found.url,
                language=detect_language(title, default=story.language),
            )
        )
    return len(created)
