"""Reading Newsroom's own JSON (see articles/transfer/exporters/native.py for the shape)."""

import json
from datetime import date, datetime

from articles.transfer.importers import jsonsafe
from articles.transfer.importers.records import AttributionRecord, BadInput, BadItem, LinkRecord, StoryRecord

SUPPORTED_VERSIONS = {1}


def load(payload):
    try:
        document = jsonsafe.loads(payload.data.decode("utf-8-sig"), payload.name)
    except UnicodeDecodeError as error:
        raise BadInput(payload.name, f"not valid UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise BadInput(
            f"{payload.name}:{error.lineno}", f"malformed JSON: {error.msg} (column {error.colno})"
        ) from None
    if not isinstance(document, dict) or document.get("newsroom") not in SUPPORTED_VERSIONS:
        raise BadInput(payload.name, 'not a Newsroom JSON export (expected {"newsroom": 1, "stories": [...]})')
    if not isinstance(document.get("stories"), list):
        raise BadInput(payload.name, '"stories" must be a list')
    return document["stories"]


def parse(payload, options):
    for number, item in enumerate(load(payload), 1):
        location = f"{payload.name} story {number}"
        try:
            yield story_record(item, location)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            yield BadItem(location, f"invalid story: {describe(error)}")


def describe(error):
    return f"missing field {error}" if isinstance(error, KeyError) else str(error)


def when(value):
    return datetime.fromisoformat(value) if value else None


def key(value):
    return tuple(value) if value else None


def story_record(item, location):
    hero = item.get("hero_image") or {}
    section = item.get("section")
    return StoryRecord(
        origin=item["origin"],
        external_id=item["external_id"],
        headline=item["headline"],
        location=location,
        lead=item.get("lead", ""),
        body=item.get("body", ""),
        language=item.get("language", ""),
        slug=item.get("slug", ""),
        status=item["status"],
        published_at=when(item.get("published_at")),
        embargo_until=when(item.get("embargo_until")),
        tags=list(item.get("tags", [])),
        authors=list(item.get("authors", [])),
        section_name=section["name"] if section else None,
        section_slug=section["slug"] if section else "",
        hero_image_file=hero.get("file", ""),
        hero_image_url=hero.get("url", ""),
        hero_image_alt=hero.get("alt", ""),
        hero_image_caption=hero.get("caption", ""),
        hero_image_credit=hero.get("credit", ""),
        attributions=[AttributionRecord(**attribution) for attribution in item.get("attributions", [])],
        links=[link_record(link) for link in item.get("related_links", [])],
        translation_of=key(item.get("translation_of")),
    )


def link_record(link):
    return LinkRecord(
        kind=link["kind"],
        title=link["title"],
        url=link.get("url", ""),
        date=date.fromisoformat(link["date"]) if link.get("date") else None,
        language=link.get("language", ""),
        paragraph=link.get("paragraph"),
        target=key(link.get("target")),
    )
