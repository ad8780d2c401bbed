"""WordPress exports (WXR 1.0, 1.1, 1.2): posts become stories, attachments their images.

The file is read in two streaming passes (payload.open() twice), each dropping an <item>
from the tree once it is read, so a 500 MB export needs little memory. The first pass keeps
only the channel's site URL, language and authors and a small map of attachments; the second
turns posts into records in file order. Two passes rather than buffering posts, because
WordPress exports in ID order and an upload usually gets a later ID than its post: buffering
every post that waits for its featured image would hold most of a large export in memory.
"""

import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit, urlunsplit

from django.utils import timezone

from articles.models import Section, Story
from articles.text.html import html_to_text
from articles.text.language import detect_language
from articles.text.slugs import ascii_slug
from articles.transfer.importers import xmlsafe
from articles.transfer.importers.records import BadInput, BadItem, StoryRecord
from articles.transfer.importers.wordpress_text import content_to_html

# WordPress's own importer goes by the "wp" prefix, not one URI: exports (and the theme unit test data)
# declare http:// or https://, and 1.0, 1.1 or 1.2; the excerpt namespace adds "excerpt/".
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(?:1\.[012])/(excerpt/?)?$", re.IGNORECASE)
NAMESPACES = {"http://purl.org/rss/1.0/modules/content/": "content", "http://purl.org/dc/elements/1.1/": "dc"}
STATUSES = {  # "future" is published at its date, which published() waits for; "private" is never public
    "publish": Story.Status.PUBLISHED,
    "future": Story.Status.PUBLISHED,
    "private": Story.Status.DRAFT,
    "draft": Story.Status.DRAFT,
    "pending": Story.Status.IN_REVIEW,
    "auto-draft": Story.Status.DRAFT,
}
# WordPress dates these when they are published; until then post_date is only the last edit.
UNDATED_STATUSES = {"draft", "pending", "auto-draft"}
LANGUAGES = {"uk": "uk", "ua": "uk", "ru": "ru", "en": "en"}
UNSET_DATE = "0000-00-00"
UNSET_PUB_DATE = "Nov -0001"  # WordPress's pubDate for an undated post, which email.utils reads as year 2000
WP_DATE = "%Y-%m-%d %H:%M:%S"
DEFAULT_CATEGORY = "uncategorized"  # WordPress's catch-all category, not an editorial section
TAG_DOMAINS = {"post_tag", "tag"}  # WXR 1.0 wrote tags as domain="tag"
MAX_HEADLINE = 300
FALLBACK_WORDS = 10
MAX_ORIGIN = 200


@dataclass
class Item:
    fields: dict
    categories: list  # (domain, nicename, name)
    meta: dict

    def get(self, name):
        return self.fields.get(name, "")


@dataclass
class Site:
    origin: str = ""
    language: str = ""
    authors: dict = field(default_factory=dict)  # login → display name
    images: dict = field(default_factory=dict)  # attachment post ID → (url, alt, caption)
    children: dict = field(default_factory=dict)  # post ID → its attachments' IDs, for [gallery] without ids
    is_wordpress: bool = False


def short_name(tag):
    """ "wp:post_id", "excerpt:encoded", "content:encoded", "dc:creator" or a plain RSS name."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if wordpress := WP_NAMESPACE.match(uri):
        return f"{'excerpt' if wordpress[1] else 'wp'}:{local}"
    return f"{NAMESPACES.get(uri, uri)}:{local}"


def channel_elements(payload):
    """(name, element) for each child of <channel>, each removed from the tree once the caller is done."""
    with payload.open() as stream:
        depth, channel = 0, None
        for event, element in xmlsafe.iterparse(stream, payload.name, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise BadInput(payload.name, f"not a WordPress export: the document is <{element.tag}>, not <rss>")
                channel = element if depth == 2 else channel
                continue
            depth -= 1
            if depth == 2:
                yield short_name(element.tag), element
                channel.remove(element)


def squash(text):
    return " ".join((text or "").split())


def read_item(element):
    fields, categories, meta = {}, [], {}
    for child in element:
        name = short_name(child.tag)
        if name == "category":
            categories.append((child.get("domain", ""), child.get("nicename", ""), squash(child.text)))
        elif name == "wp:postmeta":
            values = {short_name(part.tag): (part.text or "").strip() for part in child}
            meta.setdefault(values.get("wp:meta_key", ""), values.get("wp:meta_value", ""))
        elif name != "wp:comment":
            fields.setdefault(name, (child.text or "").strip())
    return Item(fields, categories, meta)


def read_site(payload):
    """The first pass: where the posts come from, who wrote them and where their images are."""
    site, urls = Site(), {}
    for name, element in channel_elements(payload):
        site.is_wordpress = site.is_wordpress or name.startswith("wp:")
        if name == "item":
            item = read_item(element)
            site.is_wordpress = site.is_wordpress or bool(item.get("wp:post_type"))
            if item.get("wp:post_type") == "attachment":
                add_attachment(site, item)
        elif name == "wp:author":
            author = {short_name(part.tag): squash(part.text) for part in element}
            login = author.get("wp:author_login", "")
            site.authors[login] = author.get("wp:author_display_name") or login
        elif name in ("wp:base_site_url", "link", "language"):
            urls.setdefault(name, squash(element.text))
    if not site.is_wordpress:
        raise BadInput(payload.name, "not a WordPress export (no wp: elements); for an RSS feed use --format rss")
    site.origin = origin(urls.get("wp:base_site_url") or urls.get("link"), payload.name)
    site.language = LANGUAGES.get(urls.get("language", "").lower().replace("_", "-").split("-")[0], "")
    return site


def origin(url, name):
    if not url:
        raise BadInput(name, "the export names no site (no wp:base_site_url or channel <link>)")
    parts = urlsplit(url)
    normal = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))
    if len(normal) + len("wordpress:") > MAX_ORIGIN:
        raise BadInput(name, f"the site URL is longer than {MAX_ORIGIN - len('wordpress:')} characters")
    return f"wordpress:{normal}"


def add_attachment(site, item):
    url = item.get("wp:attachment_url")
    if not re.match(r"https?://", url, re.I):
        return
    title = html_to_text(item.get("title"))
    # An attachment's title is usually its file name ("IMG_2041"); only a phrase makes alt text.
    alt = squash(item.meta.get("_wp_attachment_image_alt")) or (title if " " in title else "")
    post_id = item.get("wp:post_id")
    site.images[post_id] = (url, alt[:300], squash(html_to_text(item.get("excerpt:encoded")))[:500])
    if item.get("wp:post_parent") not in ("", "0"):
        site.children.setdefault(item.get("wp:post_parent"), []).append(post_id)


def parse(payload, options):
    site = read_site(payload)
    payload.bytes_read = 0  # the progress bar follows the second pass, the one that yields stories
    seen = set()
    items = (element for name, element in channel_elements(payload) if name == "item")
    for number, element in enumerate(items, 1):
        item = read_item(element)
        if (item.get("wp:post_type") or "post") != "post" or item.get("wp:status") == "trash":
            continue
        external_id = item.get("wp:post_id") or item.get("guid")
        location = f"{payload.name} item {number} (post {external_id or '?'})"
        if not external_id:
            yield BadItem(location, "the post has neither wp:post_id nor guid, so a re-import could not find it")
        elif external_id in seen:
            yield BadItem(location, f"post {external_id} appears twice in the export; the later copy is skipped")
        else:
            seen.add(external_id)
            yield post_record(item, site, external_id, location, options.default_language)


def post_record(item, site, external_id, location, default_language):
    try:
        published_at = publication_time(item)
    except ValueError as error:
        return BadItem(location, str(error))
    body = content_to_html(item.get("content:encoded"), gallery_for(site, item.get("wp:post_id")))
    lead = squash(html_to_text(item.get("excerpt:encoded")))
    title = squash(html_to_text(item.get("title")))
    status = status_of(item, bool(title or body or lead), published_at)
    body_text = html_to_text(body)
    headline = headline_for(title, body_text or lead, external_id)
    url, alt, caption = site.images.get(item.meta.get("_thumbnail_id", ""), ("", "", ""))
    # The channel's language is the site's; a bilingual site writes some posts in the other one.
    language = detect_language(" ".join([headline, lead, body_text]), default=site.language or default_language)
    section_name, section_slug = section_of(item)
    return StoryRecord(
        origin=site.origin,
        external_id=external_id,
        headline=headline,
        location=location,
        lead=lead,
        body=body,
        language=language,
        slug=wp_slug(item.get("wp:post_name"), language),
        status=status,
        published_at=published_at,
        tags=tags_of(item),
        section_name=section_name,
        section_slug=section_slug,
        authors=authors_of(item, site),
        hero_image_url=url,
        hero_image_alt=alt,
        hero_image_caption=caption,
    )


def status_of(item, has_text, published_at):
    if item.get("wp:status") == "future" and published_at is None:
        return Story.Status.DRAFT  # scheduled for an unknown time: publishing it now would be early
    if not has_text:
        return Story.Status.DRAFT  # nothing to show; imported all the same, so nothing is silently lost
    if item.get("wp:post_password"):
        return Story.Status.DRAFT  # WordPress shows it only to readers with the password
    return STATUSES.get(item.get("wp:status"), Story.Status.DRAFT)  # an unknown status is never public


def publication_time(item):
    """post_date_gmt (UTC), else post_date in the site's TIME_ZONE, else pubDate; None while undated."""
    gmt = item.get("wp:post_date_gmt")
    if gmt and not gmt.startswith(UNSET_DATE):
        return wp_date(gmt, "wp:post_date_gmt").replace(tzinfo=UTC)
    if item.get("wp:status") in UNDATED_STATUSES:
        return None
    local = item.get("wp:post_date")
    if local and not local.startswith(UNSET_DATE):
        return timezone.make_aware(wp_date(local, "wp:post_date"))
    return rfc822_date(item.get("pubDate"))


def rfc822_date(value):
    if UNSET_PUB_DATE in value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)  # "-0000": UTC, origin unknown


def wp_date(value, name):
    try:
        return datetime.strptime(value, WP_DATE)
    except ValueError:
        raise ValueError(f"unreadable {name} {value!r}; expected YYYY-MM-DD HH:MM:SS") from None


def headline_for(title, text, external_id):
    if title:
        return title if len(title) <= MAX_HEADLINE else title[: MAX_HEADLINE - 1].rstrip() + "…"
    words = text.split()
    if not words:
        return f"Без назви (WordPress, запис {external_id})"
    headline = " ".join(words[:FALLBACK_WORDS])[: MAX_HEADLINE - 1]
    return headline + "…" if len(words) > FALLBACK_WORDS else headline


def wp_slug(name, language, max_length=200):
    """WordPress's slug, transliterated if it is Cyrillic (stored percent-encoded), so addresses can carry over."""
    name = unquote(name or "")
    return ascii_slug(name, language, max_length=max_length) if name.strip("-") else ""


def categories_of(item):
    return [
        (name, nicename)
        for domain, nicename, name in item.categories
        if domain in ("", "category") and name and DEFAULT_CATEGORY not in (nicename, name.casefold())
    ]


def section_of(item):
    """The first category's name and WordPress slug (section slugs use the Ukrainian table); (None, "") if none."""
    for name, nicename in categories_of(item):
        return name, wp_slug(nicename, "uk", Section._meta.get_field("slug").max_length)
    return None, ""


def tags_of(item):
    names = [name for name, _ in categories_of(item)]
    names += [name for domain, _, name in item.categories if domain in TAG_DOMAINS and name]
    unique = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return list(unique.values())


def authors_of(item, site):
    login = squash(item.get("dc:creator"))
    return [site.authors.get(login) or login] if login else []


def gallery_for(site, post_id):
    def images(attrs):
        ids = attrs.get("ids") or attrs.get("include")
        keys = [key.strip() for key in ids.split(",")] if ids else site.children.get(post_id, [])
        return [site.images[key] for key in keys if key in site.images]

    return images
