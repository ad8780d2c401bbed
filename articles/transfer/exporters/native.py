"""Newsroom's own JSON: everything a story carries, so an export imports back exactly.

    {"newsroom": 1, "stories": [{...}, ...]}

Stories created here (not imported) travel under the origin "newsroom" with their
primary key as identifier; an import of the file keeps that identity, so exporting
again gives the same document. Hero image files are referenced by their path in
MEDIA_ROOT; copy the media folder alongside.
"""

import json
from datetime import UTC

FORMAT_VERSION = 1
LOCAL_ORIGIN = "newsroom"


def identity(story):
    if story.external_id:
        return [story.origin, story.external_id]
    return [LOCAL_ORIGIN, str(story.pk)]


def moment(value):
    return value.astimezone(UTC).isoformat() if value else None


def link_data(link):
    return {
        "kind": link.kind,
        "paragraph": link.paragraph,
        "title": link.title,
        "url": link.url,
        "date": link.date.isoformat() if link.date else None,
        "language": link.language,
        "target": identity(link.target) if link.target_id else None,
    }


def attribution_data(attribution):
    source = attribution.source
    return {
        "source": source.name,
        "slug": source.slug,
        "aliases": source.alias_list(),
        "homepage": source.homepage,
        "kind": source.kind,
        "sentence": attribution.sentence,
    }


def story_data(story):
    origin, external_id = identity(story)
    return {
        "origin": origin,
        "external_id": external_id,
        "headline": story.headline,
        "slug": story.slug,
        "lead": story.lead,
        "body": story.body,
        "language": story.language,
        "status": story.status,
        "published_at": moment(story.published_at),
        "embargo_until": moment(story.embargo_until),
        "section": {"name": story.section.name, "slug": story.section.slug} if story.section_id else None,
        "authors": [byline.author.name for byline in story.bylines.all()],
        "tags": [tag.name for tag in story.tags.all()],
        "hero_image": {
            "file": story.hero_image.name or "",
            "url": story.hero_image_url,
            "alt": story.hero_image_alt,
            "caption": story.hero_image_caption,
            "credit": story.hero_image_credit,
        },
        "attributions": [attribution_data(attribution) for attribution in story.attributions.all()],
        "related_links": [link_data(link) for link in story.related_links.all()],
        "translation_of": identity(story.translation_of) if story.translation_of_id else None,
    }


def serialize(stories):
    yield f'{{"newsroom": {FORMAT_VERSION}, "stories": ['
    separator = "\n"
    for story in stories:
        yield separator + json.dumps(story_data(story), ensure_ascii=False, sort_keys=True)
        separator = ",\n"
    yield "\n]}\n"
