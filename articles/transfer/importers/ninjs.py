"""IPTC ninjs (News in JSON), generations 1.x and 2.x, one story per item.

The input is one ninjs object, an array of them, or JSON lines (one object per line).
Both generations are read, and the names each one uses for the same thing are merged:
`headline` (1.x) and `headlines` (2.x), `body_html`/`body_text` and `bodies`,
`description_*` and `descriptions`, `subject` and `subjects`, `person` and `people`,
`byline` and `by`, `associations` and `renditions` as objects (1.x) or arrays (2.x).
Schemas: https://www.iptc.org/std/ninjs/ninjs-schema_1.4.json and ninjs-schema_2.0.json.

Decisions the spec leaves to the receiver:
- The stable identifier (the stored external_id) is `uri`, else `guid` (Superdesk's ninjs
  names it so), else the first of `altids`.
- The publication time is `firstcreated` (when the first version was issued), else
  `versioncreated`; a time without a UTC offset is read in the site's time zone.
- Authors are the `people` whose `rel` names an author ("author", "creator", "by", or a
  URI ending in one of them); people without such a `rel` are who the story is about.
  Without any, the `by` line is split on commas and "and"/"і"/"и"/"та".
- `pubstatus` "usable" publishes, "withheld" and "canceled" withdraw; absent keeps what
  is stored (new stories are published).
- Picture associations give the hero image; text associations become "more on this
  topic" links, pointing at the story with the association's `uri` when it is imported.
"""

import hashlib
import json
import re
from functools import partial
from urllib.parse import urlsplit

from django.utils import timezone

from articles.models import Language, RelatedLink, Story
from articles.text.html import html_to_text, paragraphs_to_html
from articles.text.language import detect_language
from articles.transfer.importers.ninjs_json import (
    FieldError,
    choose,
    decode,
    items,
    kind,
    moment,
    objects,
    plain,
    string,
    texts,
    within,
)
from articles.transfer.importers.records import BadItem, Deferred, LinkRecord, StoryRecord

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"", "text/plain"}
STATUSES = {"usable": Story.Status.PUBLISHED, "withheld": Story.Status.WITHDRAWN, "canceled": Story.Status.WITHDRAWN}
STORY_TYPES = {"text", "composite"}
AUTHOR_RELATIONS = {"author", "creator", "by", "byline", "writer"}
PICTURE_TYPES = {"picture", "graphic"}
PICTURE_NAMES = {"featureimage", "featuremedia", "main", "mainimage", "heroimage"}
PREFERRED_RENDITIONS = ("original", "baseimage", "viewimage")
BY_PREFIX = re.compile(r"^\s*(?:by|автор[иы]?)\s*:?\s+", re.IGNORECASE)
BY_SEPARATOR = re.compile(r"\s*[,;&]\s*|\s+(?:and|і|и|та|й)\s+", re.IGNORECASE)
HEAD = re.compile(r"<head\b.*?</head\s*>", re.IGNORECASE | re.DOTALL)
HERO_LIMITS = {"alt": 300, "caption": 500, "credit": 200}
# Part of every item's fingerprint: raise it when the mapping below changes, so a re-import applies it.
MAPPING_VERSION = 1
# ninjs 1.x and 2.x name the item `uri`; Superdesk's ninjs output calls it `guid` (its docs: "uri was replaced by guid").
IDENTIFIER_KEYS = ("uri", "guid")


def parse(payload, options):
    """Deferred items: an agency feed re-sent unchanged is skipped without building its records."""
    text = decode(payload.data, payload.name)
    for location, item, item_text in items(text, payload.name):
        if not isinstance(item, dict):
            yield BadItem(location, f"expected a ninjs object, got {kind(item)}")
            continue
        try:
            uri = identifier(item)
        except FieldError as error:
            yield BadItem(location, str(error))
            continue
        yield Deferred(
            key=(origin_of(uri), uri),
            location=location,
            fingerprint=fingerprint(item, item_text),
            build=partial(built_record, item, location, options.default_language),
        )


def fingerprint(item, text=None):
    """A hash of the item as sent: its JSON line when there is one, else its canonical JSON."""
    canonical = text or json.dumps(item, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{MAPPING_VERSION}\n{canonical}".encode()).hexdigest()


def built_record(item, location, default_language):
    try:
        return story_record(item, location, default_language)
    except FieldError as error:
        return BadItem(location, str(error))


def identifier(item):
    """The item's stable identifier: its `uri`, else Superdesk's `guid`, else its first `altids` entry."""
    if found := identity_of(item):
        return found
    raise FieldError("uri", "missing; every ninjs item needs one (or a guid, or altids)")


def identity_of(entry):
    for key in IDENTIFIER_KEYS:
        if value := string(entry, key).strip():
            return value
    with within("altids"):
        return first_altid(entry.get("altids"))


def first_altid(altids):
    """ "role:value" of the first alternative identifier: altids are an object in 1.x, an array in 2.x."""
    if isinstance(altids, dict):
        pairs = list(altids.items())
    elif isinstance(altids, list):
        pairs = [(entry.get("role", ""), entry.get("value")) for entry in objects({"altids": altids}, "altids")]
    elif altids is None:
        return ""
    else:
        raise FieldError("altids", f"expected an object or an array, got {kind(altids)}")
    for role, value in pairs:
        if isinstance(value, str) and value.strip():
            role = role.strip() if isinstance(role, str) else ""
            return f"{role}:{value.strip()}" if role else value.strip()
    return ""


def plain_choice(item, key):
    entries = texts(item, key)
    html = choose(entries, HTML_TYPES)
    return plain(html_to_text(html) if html is not None else choose(entries, TEXT_TYPES) or "")


def headline_of(item):
    return plain_choice(item, "headlines") if "headlines" in item else plain(string(item, "headline"))


def body_of(item):
    if "bodies" in item:
        entries = texts(item, "bodies")
        html, text = choose(entries, HTML_TYPES), choose(entries, TEXT_TYPES)
    else:
        html = string(item, "body_html") or string(item, "body_xhtml") or None
        text = string(item, "body_text")
    if html is not None:
        return HEAD.sub("", html).strip()
    return paragraphs_to_html(line.strip() for line in (text or "").split("\n"))


def lead_of(item):
    if "descriptions" in item:
        return plain_choice(item, "descriptions")
    return plain(string(item, "description_text") or html_to_text(string(item, "description_html")))


def names_in(item, key):
    entries = objects(item, key)
    if entries is None:
        return None
    names = []
    for index, entry in enumerate(entries):
        with within(f"{key}[{index}]"):
            names.append(plain(string(entry, "name")))
    return names


def tags_of(item):
    names = names_in(item, "subjects" if "subjects" in item else "subject")
    if names is None:
        return None
    unique = {}
    for name in filter(None, names):
        unique.setdefault(name.casefold(), name)
    return list(unique.values())


def is_author(entry):
    relation = entry.get("rel") or entry.get("role") or ""
    return isinstance(relation, str) and re.split(r"[/:#]", relation)[-1].lower() in AUTHOR_RELATIONS


def authors_of(item):
    key = "people" if "people" in item else "person"
    people = objects(item, key)
    byline = string(item, "by") or string(item, "byline")
    if people is None and "by" not in item and "byline" not in item:
        return None
    names = [name for entry, name in zip(people or (), names_in(item, key) or (), strict=True) if is_author(entry)]
    if not any(names):
        names = BY_SEPARATOR.split(BY_PREFIX.sub("", byline))
    return list(dict.fromkeys(plain(name) for name in names if plain(name)))


def declared_language(item):
    primary = string(item, "language").replace("_", "-").split("-")[0].lower()
    return primary if primary in Language.values else ""


def status_of(item):
    value = string(item, "pubstatus")
    if value and value.lower() not in STATUSES:
        raise FieldError("pubstatus", f"{value!r} is not one of usable, withheld, canceled")
    return STATUSES.get(value.lower())


def origin_of(uri):
    """Where a ninjs uri comes from: "ninjs:https://host", "ninjs:urn:newsml:provider", "ninjs:urn:nid"."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme and parts.netloc:
        return f"ninjs:{scheme}://{parts.netloc.lower()}"
    segments = parts.path.split(":")
    if scheme == "urn" and len(segments) > 2 and segments[0].lower() == "newsml":
        return f"ninjs:urn:newsml:{segments[1].lower()}"
    if scheme in {"urn", "tag"} and segments[0]:
        return f"ninjs:{scheme}:{segments[0].split(',')[0].lower()}"  # tag:host,2025:… keeps the host
    return f"ninjs:{scheme}" if scheme else "ninjs"


def associations_of(item):
    value = item.get("associations")
    if value is None:
        return None
    if isinstance(value, dict):
        pairs = [(f"associations.{name}", name, entry) for name, entry in value.items()]
    elif isinstance(value, list):
        pairs = [
            (f"associations[{index}]", entry.get("name") if isinstance(entry, dict) else "", entry)
            for index, entry in enumerate(value)
        ]
    else:
        raise FieldError("associations", f"expected an object (1.x) or an array (2.x), got {kind(value)}")
    for where, _name, entry in pairs:
        if not isinstance(entry, dict):
            raise FieldError(where, f"expected an object, got {kind(entry)}")
    return [(where, str(name or ""), entry) for where, name, entry in pairs]


def web_url(value):
    return value if isinstance(value, str) and urlsplit(value).scheme.lower() in {"http", "https"} else ""


def renditions_of(entry):
    value = entry.get("renditions")
    if isinstance(value, dict):
        value = [{**rendition, "name": name} for name, rendition in value.items() if isinstance(rendition, dict)]
    return [r for r in value if isinstance(r, dict) and web_url(r.get("href"))] if isinstance(value, list) else []


def picture_url(entry):
    renditions = renditions_of(entry)
    for wanted in PREFERRED_RENDITIONS:
        for rendition in renditions:
            if str(rendition.get("name", "")).lower() == wanted:
                return rendition["href"]
    if renditions:
        return max(renditions, key=width_of)["href"]
    return web_url(entry.get("uri"))


def width_of(rendition):
    size = rendition.get("width")
    return size if isinstance(size, int | float) and not isinstance(size, bool) else 0


def shortened(text, limit):
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def hero_fields(entry):
    described = {}
    for role, contenttype, value in texts(entry, "descriptions"):
        text = plain(html_to_text(value) if contenttype in HTML_TYPES else value)
        described.setdefault(role if role in {"alt", "caption"} else "", text)
    general = described.get("") or plain(string(entry, "description_text"))
    caption = described.get("caption") or plain(html_to_text(body_of(entry))) or general
    fields = {
        "url": picture_url(entry),
        "alt": described.get("alt") or general or headline_of(entry),
        "caption": caption,
        "credit": plain(string(entry, "by") or string(entry, "byline") or string(entry, "copyrightholder")),
    }
    return {name: shortened(value, HERO_LIMITS.get(name, len(value))) for name, value in fields.items()}


def is_picture(name, entry):
    kind_of = entry.get("type")
    return kind_of in PICTURE_TYPES if isinstance(kind_of, str) else kind_of is None and name.lower() in PICTURE_NAMES


def related_link(entry, own_uri, default_language):
    title = headline_of(entry)
    if not title:
        return None
    uri = identity_of(entry)
    url = next((r["href"] for r in renditions_of(entry)), "") or web_url(string(entry, "uri"))
    when = moment(entry, "firstcreated") or moment(entry, "versioncreated")
    return LinkRecord(
        kind=RelatedLink.Kind.MORE,
        title=title,
        url=url,
        date=timezone.localdate(when) if when else None,
        language=declared_language(entry) or detect_language(title, default=default_language),
        target=(origin_of(uri), uri) if uri and uri != own_uri else None,
    )


def media_fields(item, default_language):
    """Hero image fields and related links from the associations."""
    pairs = associations_of(item)
    fields = {"links": None if pairs is None else []}
    for where, name, entry in pairs or ():
        with within(where):
            if is_picture(name, entry) and "hero_image_url" not in fields and picture_url(entry):
                hero = hero_fields(entry)
                fields.update({f"hero_image_{part}": value for part, value in hero.items()})
            elif entry.get("type") == "text":
                link = related_link(entry, identity_of(item), default_language)
                fields["links"] += [link] if link else []
    return fields


def story_record(item, location, default_language):
    uri = identifier(item)
    if (string(item, "type") or "text") not in STORY_TYPES:
        raise FieldError("type", f"{item['type']!r} is not a text item; only text items become stories")
    headline, lead, body = headline_of(item), lead_of(item), body_of(item)
    if not headline:
        raise FieldError("headline", "missing or empty")
    dates = {key: moment(item, key) for key in ("firstcreated", "versioncreated", "contentcreated", "embargoed")}
    return StoryRecord(
        origin=origin_of(uri),
        external_id=uri,
        headline=headline,
        location=location,
        lead=lead,
        body=body,
        language=declared_language(item)
        or detect_language(f"{headline} {lead} {html_to_text(body)}", default=default_language),
        status=status_of(item),
        published_at=dates["firstcreated"] or dates["versioncreated"],
        embargo_until=dates["embargoed"],
        tags=tags_of(item),
        authors=authors_of(item),
        **media_fields(item, default_language),
    )
