"""Checks on a record before it is written, so a bad item is reported by location instead of failing in SQL."""

from urllib.parse import urlsplit

from django.utils import timezone

from articles.importers.records import BadItem
from articles.models import Author, Language, RelatedLink, Section, Story, Tag


def limit(model, field):
    return model._meta.get_field(field).max_length


def too_long(value, maximum):
    return value is not None and len(value) > maximum


def bad_url(url):
    return bool(url) and urlsplit(url).scheme not in {"http", "https"}


def field_problems(record):
    checks = [
        (not record.headline.strip(), "headline is empty"),
        (too_long(record.headline, limit(Story, "headline")), f"headline is longer than {limit(Story, 'headline')} characters"),
        (not record.external_id, "item has no identifier"),
        (too_long(record.external_id, limit(Story, "external_id")), "identifier is too long"),
        (too_long(record.origin, limit(Story, "origin")), "origin is too long"),
        (record.status is not None and record.status not in Story.Status.values, f"unknown status {record.status!r}"),
        (record.language not in {"", *Language.values}, f"unknown language {record.language!r}"),
        (too_long(record.slug, limit(Story, "slug")), "slug is too long"),
        (too_long(record.hero_image_url, limit(Story, "hero_image_url")) or bad_url(record.hero_image_url),
         f"hero image URL {record.hero_image_url[:80]!r} is not an http(s) URL of at most 1000 characters"),
        (too_long(record.section_name, limit(Section, "name")), "section name is too long"),
        (any(too_long(name, limit(Tag, "name")) for name in record.tags or ()), "a tag name is too long"),
        (any(too_long(name, limit(Author, "name")) for name in record.authors or ()), "an author name is too long"),
    ]
    for moment, name in ((record.published_at, "publication time"), (record.embargo_until, "embargo time")):
        checks.append((moment is not None and timezone.is_naive(moment), f"{name} has no time zone"))
    return [message for failed, message in checks if failed]


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
