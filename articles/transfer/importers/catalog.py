"""In-memory lookups of tags, authors, sections and sources for one import run.

Each table is read once; names not yet stored are created in bulk, with slugs
made unique against what is loaded, so a 10,000-story import costs a handful
of queries here instead of one per name.
"""

from articles.models import Author, Section, Source, Tag
from articles.text.slugs import ascii_slug, numbered


class NamedCatalog:
    """Rows looked up by name (case-insensitively), created in bulk when missing."""

    model = None
    fallback = "item"

    def __init__(self):
        rows = list(self.model.objects.all())
        self.by_name = {row.name.casefold(): row for row in rows}
        self.slugs = {row.slug for row in rows}

    def free_slug(self, name):
        max_length = self.model._meta.get_field("slug").max_length
        base = ascii_slug(name, fallback=self.fallback, max_length=max_length)
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = numbered(base, number, max_length)
        self.slugs.add(slug)
        return slug

    def ensure(self, names):
        """Make sure a row exists for each name; returns nothing, rows are then in by_name."""
        missing = {}
        for name in set(names):
            key = name.casefold()
            if key not in self.by_name and key not in missing:
                missing[key] = self.model(
                    name=name[: self.model._meta.get_field("name").max_length], slug=self.free_slug(name)
                )
        if missing:
            for row in self.model.objects.bulk_create(missing.values()):
                self.by_name[row.name.casefold()] = row

    def get(self, name):
        return self.by_name[name.casefold()]


class Tags(NamedCatalog):
    model = Tag
    fallback = "tag"


class Authors(NamedCatalog):
    model = Author
    fallback = "author"


class Sections(NamedCatalog):
    model = Section
    fallback = "section"

    def __init__(self):
        super().__init__()
        self.by_slug = {row.slug: row for row in self.by_name.values()}

    def named(self, name, slug=""):
        """The section with this name, created (with `slug` if it is free) when missing."""
        if name.casefold() not in self.by_name:
            section = Section.objects.create(
                name=name, slug=slug if slug and slug not in self.slugs else self.free_slug(name)
            )
            self.slugs.add(section.slug)
            self.by_name[name.casefold()] = self.by_slug[section.slug] = section
        return self.get(name)


class Sources(NamedCatalog):
    model = Source
    fallback = "source"

    def ensure_described(self, attributions):
        """Create the sources an input names with their details (aliases, homepage, kind)."""
        for record in attributions:
            if record.source.casefold() in self.by_name:
                continue
            source = Source(
                name=record.source,
                slug=record.slug if record.slug and record.slug not in self.slugs else self.free_slug(record.source),
                aliases="\n".join(record.aliases),
                homepage=record.homepage,
                kind=record.kind,
            )
            source.save()
            self.slugs.add(source.slug)
            self.by_name[source.name.casefold()] = source
