"""Which module reads which format, and telling formats apart by their first bytes.

Each format module has `parse(payload, options)`, yielding StoryRecord (or BadItem
for an item it cannot read) and raising BadInput when the whole input is unreadable.
"""

import codecs
import importlib
import re
from dataclasses import dataclass

from articles.importers.records import BadInput

MODULES = {
    "text": "articles.importers.text",
    "rss": "articles.importers.feeds",
    "atom": "articles.importers.feeds",
    "wxr": "articles.importers.wxr",
    "ninjs": "articles.importers.ninjs",
    "json": "articles.importers.native",
}
NAMES = ["auto", *MODULES]
SNIFF_BYTES = 4096
NATIVE_MARKER = re.compile(r'^\s*\{\s*"newsroom"\s*:')


@dataclass
class ParseOptions:
    format: str  # the format asked for, e.g. "rss"; parse() of a shared module may look at it
    default_language: str = "uk"


def module_for(format_name):
    return importlib.import_module(MODULES[format_name])


def head_text(data):
    head = data[:SNIFF_BYTES]
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    return head.decode("latin-1")


def sniff(data, name):
    """The format of an input, from its first bytes; BadInput if it is XML or JSON of no known kind."""
    head = head_text(data).lstrip()
    if head.startswith("<"):
        if "wordpress.org/export/" in head:
            return "wxr"
        if re.search(r"<(rss|rdf:RDF)[\s>]", head):
            return "rss"
        if re.search(r"<feed[\s>]", head):
            return "atom"
        raise BadInput(name, "XML that is neither RSS, Atom nor a WordPress export (WXR); use --format")
    if head.startswith(("{", "[")):
        return "json" if NATIVE_MARKER.match(head) else "ninjs"
    return "text"


def parse(payload, format_name, default_language):
    """Records from one payload, in the format asked for or the one sniffed."""
    chosen = sniff(payload.head(SNIFF_BYTES), payload.name) if format_name == "auto" else format_name
    options = ParseOptions(format=chosen, default_language=default_language)
    yield from module_for(chosen).parse(payload, options)
