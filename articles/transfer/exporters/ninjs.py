"""IPTC ninjs 2.0: a JSON array with one news item per story, for exchange with other systems.

Only properties of the ninjs 2.0 schema are written (https://www.iptc.org/std/ninjs/ninjs-schema_2.0.json),
so a validating receiver accepts every item. ninjs is an exchange format, not a backup: sections and
the place of inline "read also" links have no ninjs property and are left out (the native format keeps them).

- `uri`: a story imported from ninjs keeps the agency's uri; other imported stories get
  "urn:newsroom:<origin>:<external id>", stories written here "urn:newsroom:story:<pk>".
- `firstcreated` is the publication time (when the item was first issued; the ninjs importer reads
  it back as such), `versioncreated` the last change, `contentcreated` when the story was created.
- `pubstatus`: published stories are "usable", withdrawn ones "canceled", drafts and stories in
  review "withheld" (the spec's "not usable yet").
- Cited sources go to `infosources`, the hero image to a "featureimage" picture association and
  related links to "related<n>" text associations, whose rendition links the page they lead to.
  URLs that are relative on this site are made absolute with `base_url`, or left out without it,
  since the schema requires absolute URIs.
"""

import json
from datetime import datetime, time
from urllib.parse import quote, urljoin, urlsplit

from django.utils import timezone

from articles.models import Story

STANDARD = {"name": "ninjs", "version": "2.0", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"}
PUBSTATUS = {Story.Status.PUBLISHED: "usable", Story.Status.WITHDRAWN: "canceled"}
URI_SAFE = "/:@!$&'()*+,;=-._~"


def serialize(stories, base_url=""):
    """JSON text in chunks, one story at a time, so an export of any size runs in constant memory."""
    yield "["
    for index, story in enumerate(stories):
        yield ("\n" if index == 0 else ",\n") + json.dumps(news_item(story, base_url), ensure_ascii=False)
    yield "\n]\n"


def uri_of(story):
    if story.origin.startswith("ninjs") and story.external_id:
        return story.external_id
    if story.external_id:
        return f"urn:newsroom:{quote(story.origin, safe='')}:{quote(story.external_id, safe=URI_SAFE)}"
    return f"urn:newsroom:story:{story.pk}"


def when(moment):
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else None


def absolute(url, base_url):
    if url and base_url and not urlsplit(url).scheme:
        url = urljoin(base_url, url)
    return url if urlsplit(url).scheme in {"http", "https"} else ""


def text_block(value, role="main", contenttype="text/plain"):
    return {"role": role, "contenttype": contenttype, "value": value}


def compact(item):
    return {key: value for key, value in item.items() if value not in (None, "", [])}


def news_item(story, base_url=""):
    authors = [byline.author for byline in story.bylines.all()]
    return compact(
        {
            "uri": uri_of(story),
            "standard": STANDARD,
            "type": "text",
            "representationtype": "full",
            "firstcreated": when(story.published_at or story.created_at),
            "versioncreated": when(story.updated_at),
            "contentcreated": when(story.created_at),
            "embargoed": when(story.embargo_until),
            "pubstatus": PUBSTATUS.get(story.status, "withheld"),
            "language": story.language,
            "headlines": [text_block(story.headline)],
            "descriptions": [text_block(story.lead)] if story.lead else [],
            "bodies": [text_block(story.body, contenttype="text/html")] if story.body else [],
            "by": ", ".join(author.name for author in authors),
            "people": [{"name": a.name, "rel": "author", "uri": f"urn:newsroom:author:{a.slug}"} for a in authors],
            "subjects": [{"name": tag.name, "uri": f"urn:newsroom:tag:{tag.slug}"} for tag in story.tags.all()],
            "infosources": [source_of(attribution.source) for attribution in story.attributions.all()],
            "associations": associations(story, base_url),
        }
    )


def source_of(source):
    return compact({"name": source.name, "uri": source.homepage, "literal": source.slug})


def associations(story, base_url):
    found = [hero_picture(story, base_url)]
    found += [related_item(number, link, base_url) for number, link in enumerate(story.related_links.all(), 1)]
    return [association for association in found if association]


def hero_picture(story, base_url):
    url = absolute(story.hero_image_url or (story.hero_image.url if story.hero_image else ""), base_url)
    if not url:
        return None
    return compact(
        {
            "name": "featureimage",
            "uri": url,
            "type": "picture",
            "descriptions": [
                text_block(text, role=role)
                for role, text in (("caption", story.hero_image_caption), ("alt", story.hero_image_alt))
                if text
            ],
            "by": story.hero_image_credit,
            "renditions": [{"name": "original", "href": url}],
        }
    )


def related_item(number, link, base_url):
    target = link.public_target()
    href = absolute(link.href(), base_url)
    day = link.date and timezone.make_aware(datetime.combine(link.date, time()))
    return compact(
        {
            "name": f"related{number}",
            "uri": uri_of(target) if target else "",
            "type": "text",
            "language": link.language,
            "firstcreated": when(day),
            "headlines": [text_block(link.title)],
            "renditions": [{"name": "web", "href": href, "contenttype": "text/html"}] if href else [],
        }
    )
