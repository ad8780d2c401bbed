"""Text pasted from Word and Google Docs, turned into plain blocks before articles.text.html sanitises it.

Word's clipboard HTML is a whole document: <meta>, <style>, <xml> settings inside conditional comments,
mso-* classes and styles on every element, <o:p> spacers, list numbers as text inside <![if !supportLists]>,
runs of &nbsp; instead of spaces. Google Docs wraps everything in <b id="docs-internal-guid-…"
style="font-weight:normal">, marks bold and italic only with <span style>, and puts <br> between paragraphs.
clean_pasted() turns that into plain blocks before nh3 sanitises them; tidy_pasted() drops what is left empty.
Other markup never goes through either, so what we store from the editor and imports does not change.
"""

import html
import re
from html.parser import HTMLParser

PASTED_MARKUP = re.compile(
    r"mso-|class=\"?Mso|<o:p|urn:schemas-microsoft-com|docs-internal-guid|<!--\[if|<!\[if|<xml", re.IGNORECASE
)
SKIPPED_WITH_CONTENT = {"head", "style", "script", "xml", "title", "template"}
UNWRAPPED = {"html", "body", "div", "span", "font", "section", "article", "center", "o:p"}
DROPPED = {"meta", "link", "base"}
VOID = {"br", "img", "hr", "meta", "link", "base", "col", "wbr", "input"}
RENAMED = {"b": "strong", "i": "em", "h1": "h2", "h5": "h4", "h6": "h4"}
TEXT_BLOCKS = {"p", "li", "h2", "h3", "h4", "td", "th", "caption", "figcaption", "blockquote"}
PASTE_ATTRIBUTES = {"href", "title", "src", "alt", "width", "height", "colspan", "rowspan", "scope", "cite"}
# Not Word's mso-bidi-font-weight and the like: those are about right-to-left scripts.
STYLE_BOLD = re.compile(r"(?<![\w-])font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
STYLE_NOT_BOLD = re.compile(r"(?<![\w-])font-weight\s*:\s*(?:normal|[1-4]00)", re.IGNORECASE)
STYLE_ITALIC = re.compile(r"(?<![\w-])font-style\s*:\s*italic", re.IGNORECASE)
STYLE_NOT_ITALIC = re.compile(r"(?<![\w-])font-style\s*:\s*normal", re.IGNORECASE)
WORD_LIST_ITEM = re.compile(r"mso-list\s*:\s*l\d", re.IGNORECASE)
NUMBERED_MARKER = re.compile(r"^\(?\w{1,5}[.)]$")
WHITESPACE = re.compile(r"[ \t\r\n\f]+")
CONDITIONAL_COMMENT = re.compile(r"\[(?:if [^\]<>]*|endif)\]", re.IGNORECASE)


def looks_pasted(markup):
    return bool(PASTED_MARKUP.search(markup))


class _PasteCleaner(HTMLParser):
    """Rewrites Word and Google Docs markup as plain HTML blocks (nh3 still decides what is allowed)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.open = [], []  # open: (source tag, closing markup or "" if unwrapped) of each element inside
        self.skipping, self.skip_nesting, self.conditional_depth = None, 0, 0
        self.marker, self.word_list = None, None  # the list number being read; [index in out, "ul"/"ol"]

    def handle_starttag(self, tag, attrs):
        if self.skipping == "head" and tag == "body":
            self.skipping = None
        if self.skipping:
            self.skip_nesting += tag == self.skipping
        elif tag in SKIPPED_WITH_CONTENT or tag.startswith("v:"):
            self.skipping, self.skip_nesting = tag, 1
        elif tag in DROPPED or self.conditional_depth or (tag == "br" and not self._in_text_block()):
            return
        else:
            opening, closing = self._rewrite(tag, dict(attrs))
            self.out.append(opening)
            if tag not in VOID:
                self.open.append((tag, closing))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skipping:
            self.skip_nesting -= tag == self.skipping
            self.skipping = self.skipping if self.skip_nesting else None
            return
        if self.conditional_depth:
            return
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                self.out.extend(closing for _tag, closing in reversed(self.open[depth:]))
                del self.open[depth:]
                return

    def handle_data(self, data):
        if self.skipping:
            return
        if self.conditional_depth:
            if self.marker is not None:
                self.marker.append(data)
            return
        text = WHITESPACE.sub(" ", data)
        if text.strip() or not self._at_top():
            self.out.append(html.escape(text, quote=False))

    def unknown_decl(self, data):
        # Word's downlevel-revealed conditionals: <![if !supportLists]>1.<![endif]> and the like.
        condition = data.lower()
        if condition.startswith("if"):
            self.conditional_depth += 1
            self.marker = [] if "supportlists" in condition else self.marker
        elif condition.startswith("endif") and self.conditional_depth:
            self.conditional_depth -= 1
            if self.marker is not None and self.word_list and self.word_list[1] is None:
                self.word_list[1] = "ol" if NUMBERED_MARKER.match("".join(self.marker).strip()) else "ul"
            self.marker = None

    def handle_comment(self, data):
        # Newer Word writes the same conditionals as comments around visible markup: <!--[if !supportLists]-->…
        if CONDITIONAL_COMMENT.fullmatch(data):
            self.unknown_decl(data[1:-1])

    def _rewrite(self, tag, attrs):
        """(Opening markup, closing markup) of an element; ("", "") unwraps it."""
        style = attrs.get("style") or ""
        if tag == "p" and WORD_LIST_ITEM.search(style):
            return self._word_list_item()
        if tag in TEXT_BLOCKS | {"h1", "h5", "h6", "ul", "ol", "table", "hr"} and self._at_top():
            self._close_word_list()
        if tag == "p" and self.open and self.open[-1][0] == "li":
            return "", ""
        if tag in {"b", "strong"} and (STYLE_NOT_BOLD.search(style) or attrs.get("id", "").startswith("docs-")):
            return "", ""
        if tag in {"i", "em"} and STYLE_NOT_ITALIC.search(style):
            return "", ""
        if tag in {"span", "font"}:
            return self._styled_inline(style)
        if tag in UNWRAPPED or ":" in tag:
            return "", ""
        name = RENAMED.get(tag, tag)
        kept = "".join(
            f' {key}="{html.escape(value or "")}"' for key, value in attrs.items() if key in PASTE_ATTRIBUTES
        )
        return f"<{name}{kept}>", "" if tag in VOID else f"</{name}>"

    @staticmethod
    def _styled_inline(style):
        marks = [mark for mark, found in (("strong", STYLE_BOLD), ("em", STYLE_ITALIC)) if found.search(style)]
        return "".join(f"<{mark}>" for mark in marks), "".join(f"</{mark}>" for mark in reversed(marks))

    def _word_list_item(self):
        if self.word_list is None:
            self.word_list = [len(self.out), None]
            self.out.append("")
        return "<li>", "</li>"

    def _close_word_list(self):
        if self.word_list is not None:
            index, kind = self.word_list
            self.out[index] = f"<{kind or 'ul'}>"
            self.out.append(f"</{kind or 'ul'}>")
            self.word_list = None

    def _at_top(self):
        """Outside every element we keep: only unwrapped containers (body, div, Docs' <b>) are open."""
        return not any(closing for _tag, closing in self.open)

    def _in_text_block(self):
        return any(tag in TEXT_BLOCKS or RENAMED.get(tag) in TEXT_BLOCKS for tag, _closing in self.open)

    def close(self):
        super().close()
        self.out.extend(closing for _tag, closing in reversed(self.open))
        self.open = []
        self._close_word_list()


def clean_pasted(markup):
    cleaner = _PasteCleaner()
    cleaner.feed(markup)
    cleaner.close()
    return "".join(cleaner.out)


SPACE_RUN = re.compile(r"(?:&nbsp;| ){2,}")
BLOCK_EDGE_SPACE = re.compile(r"(<(?:p|li|h[2-4]|td|th)>)(?:&nbsp;| )+|(?:&nbsp;| )+(</(?:p|li|h[2-4]|td|th)>)")
EMPTY_ELEMENT = re.compile(r"<(strong|em|u|s|sub|sup|a|p|li|h[2-4]|ul|ol|blockquote)\b[^>]*>(?:\s|&nbsp;|<br>)*</\1>")


def tidy_pasted(markup):
    """Sanitised pasted markup without runs of spaces, empty paragraphs and wrappers."""
    markup = SPACE_RUN.sub(" ", markup)
    previous = None
    while previous != markup:
        previous = markup
        markup = EMPTY_ELEMENT.sub("", BLOCK_EDGE_SPACE.sub(r"\1\2", markup))
    return markup
