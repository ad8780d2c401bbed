"""The plain records every importer produces and the shared upsert consumes.

A format module turns its input into StoryRecords; it never touches the database.
Fields left as None mean "keep what is stored" on an update (and a default on create).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


class BadInput(Exception):  # noqa: N818 - reads as "raise BadInput(...)"
    """Input that cannot be imported at all; carries where it is and what is wrong."""

    def __init__(self, location, message):
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass
class BadItem:
    """One item of an otherwise readable input that cannot be imported (skipped with --continue-on-error)."""

    location: str
    message: str

    def __str__(self):
        return f"{self.location}: {self.message}"


@dataclass
class LinkRecord:
    kind: str  # RelatedLink.Kind: "read_also" or "more"
    title: str
    url: str = ""
    date: dt.date | None = None
    language: str = ""
    paragraph: int | None = None
    target: tuple[str, str] | None = None  # (origin, external_id) of the story it points at, when known


@dataclass
class AttributionRecord:
    source: str  # the source's name; a missing source is created from the fields below
    sentence: str = ""
    slug: str = ""
    aliases: list[str] = field(default_factory=list)
    homepage: str = ""
    kind: str = "other"


@dataclass
class StoryRecord:
    origin: str
    external_id: str
    headline: str
    location: str  # "file.xml:120" or "feed.json item 3": where errors about this item point
    lead: str = ""
    body: str = ""  # HTML; sanitised by the writer
    language: str = ""  # "" = the site's default
    slug: str = ""  # "" = made from the headline on create; never changed on update
    status: str | None = None  # Story.Status value; None = published on create, kept on update
    published_at: dt.datetime | None = None
    embargo_until: dt.datetime | None = None
    tags: list[str] | None = None
    section: str | None = None  # slug of an existing section (the --section option)
    section_name: str | None = None  # a section named by the input; created when missing
    section_slug: str = ""  # the slug to create that section with, when the input has one
    authors: list[str] | None = None
    hero_image_url: str = ""
    hero_image_file: str | None = None  # a file already in MEDIA_ROOT (Newsroom JSON only); None keeps it
    hero_image_alt: str = ""
    hero_image_caption: str = ""
    hero_image_credit: str = ""
    links: list[LinkRecord] | None = None
    attributions: list[AttributionRecord] | None = None  # None = detect from the body
    translation_of: tuple[str, str] | None = None  # (origin, external_id) of the original

    @property
    def key(self):
        return self.origin, self.external_id


@dataclass
class Deferred:
    """An item whose record is built only when the stored copy differs, so an unchanged re-import is cheap.

    `fingerprint` must change whenever the record `build()` would return changes (a hash of the raw item).
    `build()` returns the StoryRecord, or a BadItem (or a list of them) when the item cannot be imported.
    """

    key: tuple[str, str]
    location: str
    fingerprint: str
    build: Callable[[], object]
    headline: str = ""
