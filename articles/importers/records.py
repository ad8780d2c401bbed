"""The plain records every importer produces and the shared upsert consumes."""

import datetime as dt
from dataclasses import dataclass, field


class BadInput(Exception):  # noqa: N818 - reads as "raise BadInput(...)"
    """Input that cannot be imported; carries where it is and what is wrong."""

    def __init__(self, location, message):
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass
class LinkRecord:
    kind: str
    title: str
    url: str = ""
    date: dt.date | None = None
    language: str = ""
    paragraph: int | None = None


@dataclass
class StoryRecord:
    origin: str
    external_id: str
    headline: str
    location: str
    lead: str = ""
    body: str = ""
    language: str = ""
    status: str | None = None
    published_at: dt.datetime | None = None
    # None keeps what is stored; a list replaces it.
    tags: list[str] | None = None
    section: str | None = None
    authors: list[str] | None = None
    links: list[LinkRecord] = field(default_factory=list)

    @property
    def key(self):
        return self.origin, self.external_id
