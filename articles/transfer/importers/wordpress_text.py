"""WordPress post content to HTML: shortcodes, then wpautop.

WordPress stores posts as text with blank lines for paragraphs and [shortcodes], and
turns them into HTML only when a page is shown (the_content filters). An export holds
the stored text, so importing it means doing that work once: this ports wpautop()
(wp-includes/formatting.php) and renders the core shortcodes a newsroom uses.
The writer sanitises the result; nothing here needs to be safe on its own.
"""

import html
import re

# wpautop()'s $allblocks: elements it never wraps in <p>.
BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    r"blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|"
    r"nav|figure|figcaption|details|menu|summary)"
)
BLOCK_TAG = rf"</?{BLOCKS}[^>]*>"
PRE = re.compile(r"<pre\b.*?</pre>", re.S | re.I)
TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
NEWLINE_MARK = " <!-- wpnl --> "
KEEP_NEWLINES = re.compile(r"<(script|style|svg|math)\b.*?</\1>", re.S | re.I)

# "[name attrs]", "[name attrs /]"; attributes never hold "[" or "]", which keeps the scan linear.
OPENING = re.compile(r"\[(?P<name>[A-Za-z][\w-]*)(?![\w-])(?P<attrs>[^\[\]/]*(?:/(?!\])[^\[\]/]*)*?)(?P<slash>/)?\]")
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"]+))""")
CAPTIONED = re.compile(r"((?:<a\s[^>]+>\s*)?<img\s[^>]+>(?:\s*</a>)?)(.*)", re.S | re.I)
BARE_URL = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.M)
MEDIA_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "mp3", "m4a", "ogg", "wav", "flv")
# A lone "[word]" in news copy is usually an editor's note ("[sic]"), so only these count as shortcodes
# without attributes or a closing tag (plus any name with "-" or "_", which prose never has).
BARE_SHORTCODES = {
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "audio",
    "video",
    "playlist",
    "toc",
    "divider",
    "clear",
    "spacer",
    "ad",
    "ads",
}
MAX_NESTING = 20


def content_to_html(content, gallery=None):
    """HTML paragraphs from a post's stored content; gallery(attrs) returns (url, alt, caption) images."""
    text = expand_shortcodes(content or "", gallery or (lambda attrs: []))
    text = BARE_URL.sub(lambda match: f"{match[1]}{link_paragraph(match[2])}{match[3]}", text)
    return autop(text)


def autop(text):
    """WordPress's wpautop(): blank lines make paragraphs, single newlines <br />, blocks stay unwrapped."""
    if not text.strip():
        return ""
    pres = {}

    def hold_pre(match):
        key = f"<pre wp-pre-tag-{len(pres)}></pre>"
        pres[key] = match[0]
        return key

    text = PRE.sub(hold_pre, text + "\n")
    text = line_breaks(wrap_paragraphs(separate_blocks(text)))
    for key, original in pres.items():
        text = text.replace(key, original)
    return text.replace(NEWLINE_MARK, "\n").replace(NEWLINE_MARK.strip(), "\n").strip()


def separate_blocks(text):
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(rf"(<{BLOCKS}[\s/>])", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</{BLOCKS}>)", r"\1\n\n", text, flags=re.I)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text, flags=re.I)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = TAG_OR_COMMENT.sub(lambda match: match[0].replace("\n", NEWLINE_MARK), text)
    text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(r"</figcaption>\s*", "</figcaption>", text, flags=re.I)
    return re.sub(r"\n\n+", "\n\n", text)


def wrap_paragraphs(text):
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in re.split(r"\n\s*\n", text) if part)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text, flags=re.I)
    text = re.sub(rf"<p>\s*({BLOCK_TAG})\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.I)
    text = re.sub(rf"<p>\s*({BLOCK_TAG})", r"\1", text, flags=re.I)
    return re.sub(rf"({BLOCK_TAG})\s*</p>", r"\1", text, flags=re.I)


def line_breaks(text):
    text = KEEP_NEWLINES.sub(lambda match: match[0].replace("\n", "<WPPreserveNewline />"), text)
    text = re.sub(r"<br\s*/?>", "<br />", text, flags=re.I)
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = re.sub(rf"({BLOCK_TAG})\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text, flags=re.I)
    return re.sub(r"\n</p>$", "</p>", text)


def parse_attrs(text):
    return {match[1].lower(): match[2] or match[3] or match[4] or "" for match in ATTRIBUTE.finditer(text)}


def is_shortcode(match, content):
    name, attrs = match["name"], match["attrs"]
    has_attrs = attrs[:1].isspace() and ATTRIBUTE.search(attrs)
    return bool(
        content is not None or match["slash"] or has_attrs or name in BARE_SHORTCODES or "-" in name or "_" in name
    )


def expand_shortcodes(text, gallery, depth=0):
    """Render [caption], [gallery], [embed], [audio], [video]; drop other shortcodes but keep what they enclose.

    [[name]] is WordPress's escape for a literal [name] and stays as that text.
    """
    out, pos, last_closing = [], 0, {}
    while depth < MAX_NESTING and (match := OPENING.search(text, pos)):
        start, end, name = match.start(), match.end(), match["name"]
        if start and text[start - 1] == "[" and text[end : end + 1] == "]":
            out += [text[pos : start - 1], text[start:end]]
            pos = end + 1
            continue
        content, closing = None, f"[/{name}]"
        if name not in last_closing:
            last_closing[name] = text.rfind(closing)
        if not match["slash"] and last_closing[name] >= end:
            at = text.find(closing, end)
            content, end = text[end:at], at + len(closing)
        if start and text[start - 1] == "[" and text[end : end + 1] == "]":
            out += [text[pos : start - 1], text[start:end]]
            pos = end + 1
        elif is_shortcode(match, content):
            attrs = parse_attrs(match["attrs"])
            inner = expand_shortcodes(content or "", gallery, depth + 1)
            out += [text[pos:start], render(name, attrs, inner, gallery)]
            pos = end
        else:
            out.append(text[pos : match.end()])
            pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def render(name, attrs, inner, gallery):
    if name in ("caption", "wp_caption"):
        return caption(attrs, inner)
    if name == "gallery":
        return "".join(figure(f'<img src="{attr(url)}" alt="{attr(alt)}">', text) for url, alt, text in gallery(attrs))
    if name == "embed":
        return link_paragraph(html.unescape(inner.strip()))
    if name in ("audio", "video"):
        return link_paragraph(next((attrs[key] for key in MEDIA_SOURCES if attrs.get(key)), ""))
    if name == "playlist":
        return ""
    return inner


def caption(attrs, inner):
    """[caption]<img …> Text[/caption], or caption="Text", as a figure with its figcaption."""
    text = attrs.get("caption", "")
    media = CAPTIONED.search(inner)
    if not media:
        return inner
    if not text:
        text = media[2].strip()
    return figure(media[1].strip(), text)


def figure(media, text):
    figcaption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"\n\n<figure>{media}{figcaption}</figure>\n\n"


def link_paragraph(url):
    url = url.strip()
    if not re.match(r"https?://\S+$", url, re.I):
        return html.escape(url, quote=False)
    return f'\n\n<p><a href="{attr(url)}">{html.escape(url, quote=False)}</a></p>\n\n'


def attr(value):
    return html.escape(html.unescape(value or ""), quote=True)
