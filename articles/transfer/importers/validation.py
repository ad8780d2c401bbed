"""Checks on a record before it is written, so a bad item is reported by location instead of failing in SQL."""

from dataclasses import fields, is_dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from articles.models import Author, Language, RelatedLink, Section, Source, Story, Tag
from articles.transfer.importers.records import BadItem

STATUSES = frozenset(Story.Status.values)
LANGUAGES = frozenset({"", *Language.values})
SOURCE_KINDS = frozenset(Source.Kind.values)
# What the admin's URL fields accept, less ftp: whatever is stored here ends up as a link on a public page.
WEB_URL = URLValidator(schemes=["http", "https"])


def limit(model, field):
    return model._meta.get_field(field).max_length


def too_long(value, maximum):
    return value is not None and len(value) > maximum


def bad_url(url):
    if not url:
        return False
    try:
        WEB_URL(url)
    except ValidationError:
        return True
    return False


def strings_in(value):
    """Every string in a record, its links and attributions included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)
    elif is_dataclass(value):
        for field in fields(value):
            yield from strings_in(getattr(value, field.name))


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
        problems.append(f"hero image URL {record.hero_image_url[:80]!r} is not a valid http(s) URL")
    if any("\x00" in text for text in strings_in(record)):
        # PostgreSQL cannot store NUL in text; no real story has one.
        problems.append("contains a NUL character (\\u0000)")
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
            problems.append(f"related link {number}: url {link.url[:80]!r} is not a valid http(s) URL")
    return problems


def attribution_problems(record):
    problems = []
    for number, attribution in enumerate(record.attributions or (), 1):
        label = f"attribution {number} (source {attribution.source[:40]!r})"
        if not attribution.source.strip():
            problems.append(f"attribution {number} has no source name")
        if too_long(attribution.source, limit(Source, "name")) or too_long(attribution.slug, limit(Source, "slug")):
            problems.append(f"{label}: source name or slug is too long")
        if too_long(attribution.homepage, limit(Source, "homepage")):
            problems.append(f"{label}: homepage is longer than {limit(Source, 'homepage')} characters")
        elif bad_url(attribution.homepage):
            problems.append(f"{label}: homepage {attribution.homepage[:80]!r} is not a valid http(s) URL")
        if attribution.kind not in SOURCE_KINDS:
            problems.append(f"{label}: unknown kind {attribution.kind!r}")
    return problems


def problems_with(record):
    return [
        BadItem(record.location, message)
        for message in field_problems(record) + link_problems(record) + attribution_problems(record)
    ]
