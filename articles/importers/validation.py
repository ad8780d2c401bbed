"""Checks on a record before it is written, so a bad item is reported by location instead of failing in SQL."""

from urllib.parse import urlsplit

from django.utils import timezone

from articles.importers.records import BadItem
from articles.models import Author, Language, RelatedLink, Section, Story, Tag

STATUSES = frozenset(Story.Status.values)
LANGUAGES = frozenset({"", *Language.values})


def limit(model, field):
    return model._meta.get_field(field).max_length


def too_long(value, maximum):
    return value is not None and len(value) > maximum


def bad_url(url):
    return bool(url) and urlsplit(url).scheme not in {"http", "https"}


def text_problems(record):
    """Lengths the database would refuse, named the way an editor would."""
    fields = [
        ("headline", record.headline, Story, "headline"),
        ("identifier", record.external_id, Story, "external_id"),
        ("origin", record.origin, Story, "origin"),
        ("slug", record.slug, Story, "slug"),
        ("hero image URL", record.hero_image_url, Story, "hero_image_url"),
        ("hero image alt text", record.hero_image_alt, Story, "hero_image_alt"),
        ("hero image caption", record.hero_image_caption, Story, "hero_image_caption"),
        ("hero image credit", record.hero_image_credit, Story, "hero_image_credit"),
        ("section name", record.section_name, Section, "name"),
        *((f"tag {name[:40]!r}", name, Tag, "name") for name in record.tags or ()),
        *((f"author {name[:40]!r}", name, Author, "name") for name in record.authors or ()),
    ]
    return [
        f"{label} is longer than {limit(model, column)} characters"
        for label, value, model, column in fields
        if too_long(value, limit(model, column))
    ]


def field_problems(record):
    problems = text_problems(record)
    if not record.headline.strip():
        problems.append("headline is empty")
    if not record.external_id:
        problems.append("item has no identifier")
    if record.status is not None and record.status not in STATUSES:
        problems.append(f"unknown status {record.status!r}")
    if record.language not in LANGUAGES:
        problems.append(f"unknown language {record.language!r}")
    if bad_url(record.hero_image_url):
        problems.append(f"hero image URL {record.hero_image_url[:80]!r} is not an http(s) URL")
    for moment, name in ((record.published_at, "publication time"), (record.embargo_until, "embargo time")):
        if moment is not None and timezone.is_naive(moment):
            problems.append(f"{name} has no time zone")
    return problems


def link_problems(record):
    problems = []
    for number, link in enumerate(record.links or (), 1):
        if not link.title.strip():
            problems.append(f"related link {number} has no title")
        if too_long(link.title, limit(RelatedLink, "title")) or too_long(link.url, limit(RelatedLink, "url")):
            problems.append(f"related link {number} is too long")
        if bad_url(link.url):
            problems.append(f"related link {number}: {link.url[:80]!r} is not an http(s) URL")
    return problems


def problems_with(record):
    return [BadItem(record.location, message) for message in field_problems(record) + link_problems(record)]
