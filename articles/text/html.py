"""Sanitising and splitting the HTML a story body is stored as."""

import html
import re
from html.parser import HTMLParser

import nh3

from articles.text.paste import clean_pasted, looks_pasted, tidy_pasted

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "mark",
    "small",
    "a",
    "abbr",
    "q",
    "cite",
    "code",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "figure",
    "figcaption",
    "img",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "lang", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "q": {"cite", "lang"},
    "blockquote": {"cite", "lang"},
    "p": {"lang"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Attributes holding an address that nh3's url_schemes does not check (it checks href and src).
QUOTED_SOURCE_ATTRIBUTES = {"cite"}
# Browsers drop ASCII whitespace and control characters from an address before reading its scheme.
IGNORED_IN_ADDRESS = re.compile(r"[\x00-\x20\x7f]+")
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
BLOCK_TAGS = {"p", "blockquote", "ul", "ol", "h2", "h3", "h4", "figure", "hr", "table"}
BLOCK_START = re.compile(r"<({})[\s>]".format("|".join(sorted(BLOCK_TAGS))))


def sanitize_html(markup):
    """Only the markup a story page prints; text pasted from Word or Google Docs comes out as clean blocks."""
    markup = markup or ""
    pasted = looks_pasted(markup)
    cleaned = nh3.clean(
        clean_pasted(markup) if pasted else markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=drop_unsafe_addresses,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
    # Pasted text comes out one block a line, as the editor and the importers write it.
    return "\n".join(split_blocks(tidy_pasted(cleaned))) if pasted else cleaned


def drop_unsafe_addresses(tag, attribute, value):
    """A quote's cite="javascript:…" (or any scheme but web and mail) is dropped, as nh3 drops such an href."""
    if attribute in QUOTED_SOURCE_ATTRIBUTES:
        scheme = SCHEME.match(IGNORED_IN_ADDRESS.sub("", value))
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            return None
    return value


def paragraphs_to_html(paragraphs):
    return "\n".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs if text.strip())


BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|td|th|caption|pre)>|<br\s*/?>", re.IGNORECASE)


def block_texts(markup):
    """The plain text of each block (paragraph, heading, list item…), cheaply, for searching."""
    text = html_to_text(BLOCK_END.sub("\n", markup or ""))
    return [line.strip() for line in text.split("\n") if line.strip()]


def html_to_text(markup):
    return html.unescape(nh3.clean(markup or "", tags=set())).strip()


class _BlockSplitter(HTMLParser):
    """Cuts sanitised HTML into its top-level blocks, keeping the markup of each."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks, self.current, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth == 0 and tag in BLOCK_TAGS and self.current:
            self._flush()
        self.current.append(self.get_starttag_text())
        if tag not in {"br", "img", "hr"}:
            self.depth += 1
        elif self.depth == 0 and tag == "hr":
            self._flush()

    def handle_endtag(self, tag):
        self.current.append(f"</{tag}>")
        self.depth = max(self.depth - 1, 0)
        if self.depth == 0 and tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if self.depth == 0 and not data.strip():
            return
        self.current.append(data)

    def handle_entityref(self, name):
        self.current.append(f"&{name};")

    def handle_charref(self, name):
        self.current.append(f"&#{name};")

    def _flush(self):
        block = "".join(self.current).strip()
        if block and not BLOCK_START.match(block):
            block = f"<p>{block}</p>"
        if block:
            self.blocks.append(block)
        self.current = []

    def close(self):
        super().close()
        self._flush()


def split_blocks(markup):
    splitter = _BlockSplitter()
    splitter.feed(markup or "")
    splitter.close()
    return splitter.blocks
