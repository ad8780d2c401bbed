"""The passage of a found story that shows why it was found, with the matching words marked.

Matching compares search keys (articles.text.morphology), so "Пхеньян" marks "Пхеньяні". The text is
escaped piece by piece and only the <mark> added here is markup: neither the story nor the query
can put HTML on the page.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.text.html import block_texts
from articles.text.morphology import word_keys

SNIPPET_CHARS = 240
CONTEXT_BEFORE = 60
MAX_MATCHES = 50


def candidate_pattern(terms):
    """Words starting with the first letter of some key: only these are worth looking up."""
    initials = sorted({key[0] for keys in terms for key in keys})
    return re.compile(rf"(?<![^\W_])[{re.escape(''.join(initials))}][^\W_]*(?:['’ʼ`][^\W_]+)*", re.IGNORECASE)


def matches(text, terms):
    """(start, end, term index) of each word of text that is a form of a query word."""
    found = []
    for match in candidate_pattern(terms).finditer(text):
        keys = set(word_keys(match.group()).split())
        hits = [index for index, term in enumerate(terms) if keys & term]
        if hits:
            found.append((match.start(), match.end(), hits[0]))
            if len(found) == MAX_MATCHES:
                break
    return found


def best_window(text, found):
    """The start of the passage holding the most distinct query words, the earliest of equals."""
    best_start, best_count = 0, 0
    for start, _end, _term in found:
        count = len({term for s, e, term in found if start <= s and e <= start + SNIPPET_CHARS - CONTEXT_BEFORE})
        if count > best_count:
            best_start, best_count = start, count
    return max(best_start - CONTEXT_BEFORE, 0)


def cut(text, start):
    """A passage of about SNIPPET_CHARS from start, moved to whole words, and whether text goes on either side."""
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + CONTEXT_BEFORE else start
    end = start + SNIPPET_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, min(end, len(text))


def snippet(story, terms):
    """HTML: a passage of the story's lead and body with the forms of the query words in <mark>."""
    text = " ".join([story.lead, *block_texts(story.body)]).strip()
    if not text:
        return ""
    found = matches(text, terms) if terms else []
    start, end = cut(text, best_window(text, found) if found else 0)
    parts = ["…" if start > 0 else ""]
    position = start
    for match_start, match_end, _term in found:
        if match_start >= start and match_end <= end:
            parts += [escape(text[position:match_start]), "<mark>", escape(text[match_start:match_end]), "</mark>"]
            position = match_end
    parts += [escape(text[position:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts))  # every piece of story text above went through escape()
