"""Reading ninjs JSON: decoding the bytes, splitting them into items, and typed access to fields.

Every problem with a field raises FieldError naming the field ("associations[0].renditions: …"),
which the importer turns into a BadItem for that item.
"""

import json
import re
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

from articles.transfer.importers import jsonsafe
from articles.transfer.importers.records import BadInput

SPACES = re.compile(r"\s+")
NON_SPACE = re.compile(r"\S")


class FieldError(Exception):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@contextmanager
def within(prefix):
    """Name the containing property in a FieldError: "associations[0].renditions: …"."""
    try:
        yield
    except FieldError as error:
        raise FieldError(f"{prefix}.{error.field}", error.message) from None


def decode(data, name):
    if not data.strip():
        raise BadInput(name, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, text_start = "utf-16", 0
    else:
        encoding, text_start = "utf-8", 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[text_start:].decode(encoding)
    except UnicodeDecodeError as error:
        offset = text_start + error.start
        line = data[:offset].count(b"\n") + 1
        raise BadInput(
            f"{name}:{line}", f"not valid {encoding.upper()} (byte 0x{data[offset]:02x} at offset {offset})"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BadInput(f"{name}:{line}", "NUL character: UTF-16 without a byte-order mark, or binary data?")
    return text


def items(text, name):
    """(location, decoded value, its text if known) for each item: array elements, one object, or JSON lines."""
    first_char = NON_SPACE.search(text)
    if first_char is None:
        raise BadInput(name, "the file is empty")
    start = first_char.start()
    if text[start] == "[":
        for number, item in enumerate(load(text, name), 1):
            yield f"{name} item {number}", item, None
        return
    if text[start] != "{":
        raise BadInput(
            f"{name}:{text.count(chr(10), 0, start) + 1}", "expected a ninjs object, an array of them or JSON lines"
        )
    try:
        first, end = jsonsafe.raw_decode(text, start, name)
    except json.JSONDecodeError as error:
        raise malformed(error, text, name) from None
    rest = NON_SPACE.search(text, end)
    if rest is None:
        yield f"{name} item 1", first, None
    elif "\n" in text[start:end]:
        raise malformed(json.JSONDecodeError("Extra data after the object", text, rest.start()), text, name)
    else:
        yield from json_lines(text, name)


def load(text, name):
    try:
        return jsonsafe.loads(text, name)
    except json.JSONDecodeError as error:
        raise malformed(error, text, name) from None


def json_lines(text, name):
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            yield f"{name}:{number}", jsonsafe.loads(line, f"{name}:{number}"), line
        except json.JSONDecodeError as error:
            raise malformed(error, line, name, line=number) from None


def malformed(error, text, name, line=None):
    line = line or error.lineno
    if error.pos >= len(text.rstrip()):
        return BadInput(f"{name}:{line}", f"the JSON ends early at line {line}, column {error.colno}: truncated file?")
    return BadInput(f"{name}:{line}", f"malformed JSON at line {line}, column {error.colno}: {error.msg}")


def kind(value):
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def string(item, key):
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(key, f"expected a string, got {kind(value)}")
    return value.replace("\x00", "")


def plain(value):
    return SPACES.sub(" ", value).strip()


def objects(item, key):
    """An array of objects, or None when absent."""
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise FieldError(key, f"expected an array, got {kind(value)}")
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise FieldError(f"{key}[{index}]", f"expected an object, got {kind(entry)}")
    return value


def texts(item, key):
    """A 2.x headlines/bodies/descriptions array as (role, content type, value) triples."""
    found = []
    for index, entry in enumerate(objects(item, key) or ()):
        with within(f"{key}[{index}]"):
            value, role, contenttype = (string(entry, name) for name in ("value", "role", "contenttype"))
        found.append((role.lower(), contenttype.split(";")[0].strip().lower(), value))
    return found


def choose(entries, types):
    """The value of the "main" entry of one of the content types, else the first of them."""
    fitting = [entry for entry in entries if entry[1] in types]
    main = [entry for entry in fitting if entry[0] == "main"]
    return (main or fitting or [("", "", None)])[0][2]


def moment(item, key):
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(key, f"expected an ISO 8601 date-time string, got {kind(value)}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(key, f"{value!r} is not an ISO 8601 date-time") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
