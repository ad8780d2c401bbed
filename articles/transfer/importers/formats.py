"""Which module reads which format, and telling formats apart by their first bytes.

Each format module has `parse(payload, options)`, yielding StoryRecord (or BadItem
for an item it cannot read) and raising BadInput when the whole input is unreadable.
"""

import codecs
import importlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from articles.transfer.importers import xmlsafe
from articles.transfer.importers.records import BadInput

MODULES = {
    "text": "articles.transfer.importers.text",
    "rss": "articles.transfer.importers.feeds",
    "atom": "articles.transfer.importers.feeds",
    "wxr": "articles.transfer.importers.wxr",
    "ninjs": "articles.transfer.importers.ninjs",
    "json": "articles.transfer.importers.native",
}
NAMES = ["auto", *MODULES]
SNIFF_BYTES = 4096
NATIVE_MARKER = re.compile(r'^\s*\{\s*"newsroom"\s*:')
# What may follow the opening bracket of JSON: "[ОНОВЛЕНО] Обстріл Харкова" is a headline, not an array.
JSON_START = re.compile(r'^(\{\s*["}]|\[\s*([\[{"\]\-0-9]|true|false|null))')
# The extension decides for plain text: a .txt file is text whatever its first character.
TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}


@dataclass
class ParseOptions:
    format: str  # the format asked for, e.g. "rss"; parse() of a shared module may look at it
    default_language: str = "uk"


def module_for(format_name):
    return importlib.import_module(MODULES[format_name])


def head_text(data):
    head = data[:SNIFF_BYTES]
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    return head.decode("latin-1")


def suffix(name):
    """The extension of a path or URL, lowercased; "" for standard input or a name without one."""
    path = urlsplit(name).path if name.startswith(("http://", "https://")) else name
    return PurePosixPath(path.replace("\\", "/")).suffix.lower()


def refuse_unsafe_xml(data, head, name):
    """An XML head that declares entities is refused as unsafe, as the format's parser would refuse it."""
    if "<!ENTITY" in head or "<!DOCTYPE" in head:
        try:
            xmlsafe.check(data[:SNIFF_BYTES], name)
        except BadInput as error:
            if error.message.startswith("refused unsafe XML"):
                raise
    if "<!ENTITY" in head:
        raise BadInput(name, "refused unsafe XML: it declares entities in a DTD (<!ENTITY …>), which are not expanded")


def sniff(data, name):
    """The format of an input, from its extension or its first bytes; BadInput if it is XML or JSON of no known kind."""
    if suffix(name) in TEXT_SUFFIXES:
        return "text"
    head = head_text(data).lstrip()
    if head.startswith("<"):
        if "wordpress.org/export/" in head:
            return "wxr"
        if re.search(r"<(rss|rdf:RDF)[\s>]", head):
            return "rss"
        if re.search(r"<feed[\s>]", head):
            return "atom"
        refuse_unsafe_xml(data, head, name)
        raise BadInput(name, "XML that is neither RSS, Atom nor a WordPress export (WXR); use --format")
    if head.startswith(("{", "[")):
        if suffix(name) not in JSON_SUFFIXES and not JSON_START.match(head):
            return "text"  # no JSON extension to go by, and what follows the bracket is words, not JSON
        return "json" if NATIVE_MARKER.match(head) else "ninjs"
    return "text"


def parse(payload, format_name, default_language):
    """Records from one payload, in the format asked for or the one sniffed."""
    chosen = sniff(payload.head(SNIFF_BYTES), payload.name) if format_name == "auto" else format_name
    options = ParseOptions(format=chosen, default_language=default_language)
    yield from module_for(chosen).parse(payload, options)
