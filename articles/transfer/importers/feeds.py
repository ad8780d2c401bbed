"""RSS (2.0, 1.0, 0.9x) and Atom feeds: one story per item.

The bytes are decoded here first (byte-order mark, then the HTTP charset, then the
XML declaration, then UTF-8, then a guess by charset-normalizer), so that the safe parser and feedparser read the same UTF-8
document. feedparser only ever gets that document as a stream: given bytes it
would try them as a file path, given a string as a URL.

media:title and media:description are read from the safe tree and removed before
feedparser runs, because feedparser stores them as the item's title and summary
(a media:description before <description> even turns the real summary into content).
"""

import codecs
import datetime as dt
import hashlib
import html
import io
import re
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import charset_normalizer
import feedparser

from articles.models import Language
from articles.text.html import html_to_text, paragraphs_to_html
from articles.text.language import detect_language
from articles.transfer.importers import xmlsafe
from articles.transfer.importers.records import BadInput, BadItem, StoryRecord

MEDIA = "{http://search.yahoo.com/mrss/}"
ITEM_TAGS = {
    "item",
    "{http://purl.org/rss/1.0/}item",
    "{http://my.netscape.com/rdf/simple/0.9/}item",
    "{http://www.w3.org/2005/Atom}entry",
    "{http://purl.org/atom/ns#}entry",
}
MEDIA_TEXT_TAGS = {f"{MEDIA}title", f"{MEDIA}description", f"{MEDIA}text"}
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
DECLARATION_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
HTML_PAGE = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL
)
CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
BLOCK_BOUNDARY = re.compile(r"(?i)<(?=/?(?:p|div|br|li|h[1-6]|blockquote|tr|table|ul|ol|figure|figcaption)\b)")
SENTENCE = re.compile(r"^(.+?[.!?…])\s+\S")
IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)
LANGUAGE_ALIASES = {"ua": "uk"}  # a country code many Ukrainian feeds give as their language
HEADLINE_WORDS = 12
MAX = {
    "headline": 300,
    "external_id": 500,
    "origin": 200,
    "tag": 100,
    "author": 150,
    "image_url": 1000,
    "alt": 300,
    "caption": 500,
    "credit": 200,
}


def parse(payload, options):
    document = utf8_document(payload)
    if HTML_PAGE.match(document[:1024].decode("utf-8", errors="ignore")):
        raise BadInput(payload.name, html_page_message(document))
    root = safe_tree(document, payload.name)
    media = [media_texts(item) for item in root.iter() if item.tag in ITEM_TAGS]
    for parent in root.iter():
        for child in [child for child in parent if child.tag in MEDIA_TEXT_TAGS]:
            parent.remove(child)
    result = read_feed(ElementTree.tostring(root, encoding="utf-8"), payload.name, root.tag)
    origin = origin_of(result.feed, payload.name)
    base = payload.name if payload.name.startswith(("http://", "https://")) else result.feed.get("link", "")
    if not result.entries:
        raise BadInput(payload.name, "the feed has no items")
    if len(media) != len(result.entries):
        media = [{}] * len(result.entries)
    for number, (entry, texts) in enumerate(zip(result.entries, media, strict=True), 1):
        location = f"{payload.name} item {number}" + (f" ({entry.id})" if entry.get("id") else "")
        yield item_record(
            entry,
            texts,
            result.feed,
            origin=origin,
            base=base,
            location=location,
            default_language=options.default_language,
        )


def utf8_document(payload):
    """The document as UTF-8 bytes, its XML declaration saying so; line numbers are kept.

    The encoding used is recorded on the payload, for the command's summary.
    """
    data, candidates = candidate_encodings(payload.data, payload.content_type)
    failures = []
    for encoding, how in candidates:
        try:
            text = data.decode(encoding)
        except LookupError:
            failures.append(BadInput(payload.name, f"unknown character encoding {encoding!r}"))
        except UnicodeDecodeError as error:
            line = data[: error.start].decode(encoding, errors="ignore").count("\n") + 1
            failures.append(
                BadInput(f"{payload.name}:{line}", f"not valid {encoding} (byte 0x{data[error.start]:02x})")
            )
        else:
            payload.encoding = f"{encoding} ({how})"
            return DECLARATION_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    raise failures[0]


def candidate_encodings(data, content_type):
    """The data without its byte-order mark, and the (encoding, how it was found) pairs to try in turn.

    RFC 7303: a byte-order mark beats the HTTP charset, which beats the XML declaration.
    Servers often send a default charset the file does not use, so the declaration is tried next;
    then UTF-8, XML's default; then charset-normalizer's guess, because many legacy Ukrainian and
    Russian feeds are windows-1251 or koi8-r and say nothing. The guess is made only when needed.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :], [(encoding, "byte-order mark")]
    if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return data, [("utf-16-le" if data[0] == 0x3C else "utf-16-be", "byte order")]
    charset = CHARSET.search(content_type or "")
    declared = DECLARED_ENCODING.match(data[:200])
    found = [
        (charset and charset[1], "HTTP charset"),
        (declared and declared[1].decode(), "declared"),
        ("utf-8", "default"),
    ]
    return data, unique_encodings([*found, (lambda: detected_encoding(data), "detected")])


def unique_encodings(candidates):
    tried = set()
    for name, how in candidates:
        name = label(name() if callable(name) else name)
        if name and name not in tried:
            tried.add(name)
            yield name, how


def detected_encoding(data):
    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best else None


def label(name):
    """The usual name of an encoding: "windows-1251" and "koi8-r" rather than Python's "cp1251" and "koi8_r"."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return name.lower()
    return re.sub(r"^cp(125\d)$", r"windows-\1", codec).replace("_", "-")


def html_page_message(document):
    """What to say of a web page given as a feed, pointing at the feed the page announces if it does."""
    text = document.decode("utf-8", errors="replace")
    for link in re.findall(r"<link\b[^>]*>", text, re.IGNORECASE):
        if re.search(r"""type\s*=\s*["']?application/(?:rss|atom)\+xml""", link, re.IGNORECASE):
            href = re.search(r"""href\s*=\s*["']([^"']+)""", link, re.IGNORECASE)
            if href:
                return f"this is an HTML web page, not a feed; the page names its feed: {html.unescape(href[1])}"
    return "this is an HTML web page, not a feed; give the address of the site's RSS or Atom feed"


def safe_tree(document, name):
    return xmlsafe.check(document, name)  # refuses entity declarations, external references and malformed XML


def media_texts(item):
    found = {}
    for key in ("title", "description", "credit"):
        element = item.find(f".//{MEDIA}{key}")
        if element is not None and (element.text or "").strip():
            found[key] = html_to_text(element.text) if element.get("type") == "html" else element.text
    return found


def read_feed(document, name, root_tag):
    headers = {"content-type": "application/xml; charset=utf-8"}
    if name.startswith(("http://", "https://")):
        headers["content-location"] = name  # relative links in item HTML resolve against the feed's address
    result = feedparser.parse(io.BytesIO(document), response_headers=headers)
    error = result.get("bozo_exception")
    if result.get("bozo") and hasattr(error, "getLineNumber"):
        raise BadInput(f"{name}:{error.getLineNumber()}", f"malformed feed: {error.getMessage()}")
    if not result.get("version"):
        root = root_tag.rpartition("}")[2]
        raise BadInput(name, f"not an RSS or Atom feed: the root element is <{root}>, not <rss>, <rdf:RDF> or <feed>")
    return result


def origin_of(feed, name):
    """'feed:' and the channel's address (host and path), else the feed's id, else the file name or URL."""
    link = urlsplit(feed.get("link") or (name if name.startswith(("http://", "https://")) else ""))
    if link.scheme in ("http", "https") and link.netloc:
        identity = link.netloc.lower() + link.path.rstrip("/")
    else:
        identity = feed.get("id") or PurePath(name).name
    origin = f"feed:{identity}"
    return origin if len(origin) <= MAX["origin"] else f"feed:{digest(identity)}"


def item_record(entry, texts, feed, *, origin, base, location, default_language):
    body, body_is_summary = body_html(entry)
    summary_paragraphs = paragraphs_of(*summary_of(entry))
    body_paragraphs = paragraphs_of(body)
    lead = " ".join(summary_paragraphs)
    if body_is_summary or lead == " ".join(body_paragraphs):
        lead = first_part(body_paragraphs)
    headline = headline_of(entry) or fallback_headline(summary_paragraphs or body_paragraphs)
    if not headline:
        return BadItem(location, "the item has no title and no text")
    text = " ".join([headline, lead, *body_paragraphs])
    return StoryRecord(
        origin=origin,
        external_id=external_id_of(entry, headline),
        headline=headline,
        location=location,
        lead=lead,
        body=body,
        language=language_of(entry, feed) or detect_language(text, default=default_language),
        published_at=published_of(entry),
        tags=names((tag.get("label") or tag.get("term") for tag in entry.get("tags", [])), MAX["tag"]) or None,
        authors=names((author.get("name") for author in entry.get("authors", [])), MAX["author"]) or None,
        **hero_image(entry, texts, headline, base),
    )


def body_html(entry):
    """The item's content as HTML, else its summary's; and whether it came from the summary."""
    contents = entry.get("content") or []
    detail = next((c for c in contents if "html" in c.get("type", "")), contents[0] if contents else None)
    value, content_type = (detail["value"], detail.get("type", "text/html")) if detail else summary_of(entry)
    from_summary = detail is None
    if "html" in content_type and re.search(r"<[A-Za-z/!]", value):
        return value.strip(), from_summary
    text = html.unescape(value) if "html" in content_type else value
    return paragraphs_to_html(plain_paragraphs(text)), from_summary


def summary_of(entry):
    """The summary and its type; feedparser copies an Atom entry's content there without saying which type."""
    value = entry.get("summary", "")
    detail = entry.get("summary_detail") or {}
    copied_from = next((c for c in entry.get("content") or [] if c.get("value") == value), {})
    return value, detail.get("type") or copied_from.get("type") or "text/html"


def plain_paragraphs(text):
    chunks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.splitlines()
    return [collapse(chunk) for chunk in chunks if chunk.strip()]


def paragraphs_of(value, content_type="text/html"):
    """Plain-text paragraphs of an HTML (or plain) value, script and style contents dropped."""
    if "html" not in content_type:
        return plain_paragraphs(value)
    text = html_to_text(BLOCK_BOUNDARY.sub("\n<", value))
    return [collapse(line) for line in text.split("\n") if line.strip()]


def first_part(paragraphs):
    """The first paragraph; the first sentence when the text is a single paragraph."""
    if not paragraphs:
        return ""
    if len(paragraphs) > 1:
        return paragraphs[0]
    sentence = SENTENCE.match(paragraphs[0])
    return sentence[1] if sentence else paragraphs[0]


def headline_of(entry):
    detail = entry.get("title_detail") or {}
    title = entry.get("title", "")
    text = " ".join(paragraphs_of(title, detail.get("type", "text/plain")))
    return shorten(text, MAX["headline"])


def fallback_headline(paragraphs):
    """The text's first sentence, cut to its first words when it is long."""
    words = first_part(paragraphs[:1]).rstrip(".").split()
    text = " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")
    return shorten(text, MAX["headline"])


def external_id_of(entry, headline):
    identity = (entry.get("id") or entry.get("link") or "").strip()
    if not identity:
        return "sha256:" + digest(f"{headline}\n{entry.get('published') or entry.get('updated') or ''}")
    return identity if len(identity) <= MAX["external_id"] else "sha256:" + digest(identity)


def published_of(entry):
    """An aware datetime keeping the feed's UTC offset; None when the item has no readable date."""
    raw = (entry.get("published") or entry.get("updated") or "").strip()
    for reader in (parsedate_to_datetime, dt.datetime.fromisoformat):
        try:
            moment = reader(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        if moment.tzinfo is not None:
            return moment
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.datetime(*parsed[:6], tzinfo=dt.UTC) if parsed else None


def language_of(entry, feed):
    details = [entry.get("title_detail"), *(entry.get("content") or []), entry.get("summary_detail")]
    for code in [*(detail.get("language") for detail in details if detail), feed.get("language")]:
        short = re.split(r"[-_]", (code or "").strip().lower())[0]
        short = LANGUAGE_ALIASES.get(short, short)
        if short in Language.values:
            return short
    return ""


def hero_image(entry, texts, headline, base):
    media = [m for m in entry.get("media_content", []) if is_image(m.get("url"), m.get("type"), m.get("medium"))]
    enclosures = [e for e in entry.get("enclosures", []) if is_image(e.get("href"), e.get("type"))]
    candidates = [m.get("url") for m in media] + [e.get("href") for e in enclosures]
    candidates += [t.get("url") for t in entry.get("media_thumbnail", [])]
    urls = [urljoin(base, url.strip()) for url in candidates if url and url.strip()]
    url = next((u for u in urls if urlsplit(u).scheme in ("http", "https") and len(u) <= MAX["image_url"]), "")
    if not url:
        return {}
    return {
        "hero_image_url": url,
        "hero_image_alt": shorten(collapse(texts.get("title", "")) or headline, MAX["alt"]),
        "hero_image_caption": shorten(collapse(texts.get("description", "")), MAX["caption"]),
        "hero_image_credit": shorten(collapse(texts.get("credit", "")), MAX["credit"]),
    }


def is_image(url, content_type=None, medium=None):
    if medium or content_type:
        return medium == "image" or (content_type or "").lower().startswith("image/")
    return bool(url and IMAGE_PATH.search(urlsplit(url.strip()).path))


def names(values, limit):
    """Stripped names, first spelling kept, case-insensitive duplicates dropped."""
    unique = {}
    for value in values:
        name = shorten(collapse(value or ""), limit)
        if name:
            unique.setdefault(name.casefold(), name)
    return list(unique.values())


def collapse(text):
    return " ".join(text.split())


def shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
