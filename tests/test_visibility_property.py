"""Property: whatever the mix of stories, nothing known only from an unpublished one reaches a public surface.

Each example is a small newsroom of stories in random states (draft, in review, published, scheduled,
embargoed, embargo over, withdrawn) with random times, sections, cited sources, tags, bylines, translations
and related links between them. Everything only hidden stories carry is named with a marker ("zq…x");
the test then reads every public page, feed and sitemap, searches and filters for the markers, follows the
links it finds, and asserts no marker appears and pages of hidden things answer 404 (410 for withdrawn stories).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story, Tag

STATES = ["draft", "review", "published", "scheduled", "embargoed", "embargo_over", "withdrawn"]
PUBLIC_STATES = {"published", "embargo_over"}
POOL = 4  # sections, sources, tags and authors to draw from
HOUR = timedelta(hours=1)
CRAWL_LIMIT = 40
HREF = re.compile(r"""(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>""")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
SKIPPED = ("/admin/", "/static/", "/media/", "/language/", "/preview/")


@st.composite
def story_plans(draw, index, count):
    state = draw(st.sampled_from(STATES))
    if state in {"draft", "review"}:
        hours = draw(st.none() | st.integers(-24 * 900, 24 * 60))
    elif state == "scheduled":
        hours = draw(st.integers(1, 24 * 60))
    else:
        hours = -draw(st.integers(1, 24 * 900))
    links = draw(st.lists(link_plans(count), max_size=3))
    return {
        "state": state,
        "hours": hours,
        "embargo_hours": draw(st.integers(1, 24 * 10)),
        "section": draw(st.none() | st.integers(0, POOL - 1)),
        "sources": draw(st.sets(st.integers(0, POOL - 1), max_size=2)),
        "tags": draw(st.sets(st.integers(0, POOL - 1), max_size=3)),
        "authors": draw(st.sets(st.integers(0, POOL - 1), max_size=2)),
        "language": draw(st.sampled_from(["uk", "ru", "en"])),
        "translation_of": draw(st.none() | st.integers(0, index - 1)) if index else None,
        "links": links,
    }


def link_plans(count):
    return st.fixed_dictionaries(
        {
            "ref": st.integers(0, count - 1),
            "resolved": st.booleans(),
            "title": st.sampled_from(["headline", "quoted", "typed"]),
            "url": st.sampled_from(["none", "outside", "onsite", "onsite_absolute"]),
            "kind": st.sampled_from(RelatedLink.Kind.values),
            "dated": st.booleans(),
        }
    )


@st.composite
def newsrooms(draw):
    count = draw(st.integers(2, 7))
    return [draw(story_plans(index, count)) for index in range(count)]


@dataclass
class Newsroom:
    stories: list = field(default_factory=list)
    hidden_stories: list = field(default_factory=list)
    markers: set = field(default_factory=set)
    hidden_pages: list = field(default_factory=list)  # (url, acceptable statuses)
    public_pages: list = field(default_factory=list)
    searches: list = field(default_factory=list)
    filters: list = field(default_factory=list)


def story_fields(index, plan, now):
    hidden = plan["state"] not in PUBLIC_STATES
    status = {"draft": Story.Status.DRAFT, "review": Story.Status.IN_REVIEW, "withdrawn": Story.Status.WITHDRAWN}
    fields = {
        "status": status.get(plan["state"], Story.Status.PUBLISHED),
        "published_at": None if plan["hours"] is None else now + plan["hours"] * HOUR,
        "language": plan["language"],
        "withdrawn_reason": "Редакція відкликала матеріал." if plan["state"] == "withdrawn" else "",
    }
    if plan["state"] == "embargoed":
        fields["embargo_until"] = now + plan["embargo_hours"] * HOUR
    elif plan["state"] == "embargo_over":
        fields["embargo_until"] = now - HOUR
    if hidden:
        fields.update(
            headline=f"Прихована новина ZQHEAD{index}X",
            slug=f"zqslug{index}x",
            lead=f"Лід ZQLEAD{index}X",
            body=f"<p>Текст ZQBODY{index}X.</p><p>Другий абзац.</p>",
        )
    else:
        fields.update(
            headline=f"Новина номер {index}",
            slug=f"novyna-{index}",
            lead="Короткий лід.",
            body="<p>Перший абзац новини.</p><p>Другий абзац.</p>",
        )
    return hidden, fields


def named(kind, number, public):
    """A pool member's name and slug: plain when a public story uses it, markers when only hidden ones do."""
    if public:
        return f"{kind.capitalize()} {number}", f"{kind}-{number}"
    return f"ZQ{kind.upper()}{number}X", f"zq{kind}slug{number}x"


def pool(plans, key):
    """Which pool members any story uses, and which a public story uses."""
    used, public = set(), set()
    for plan in plans:
        members = {plan[key]} - {None} if key == "section" else plan[key]
        used |= members
        if plan["state"] in PUBLIC_STATES:
            public |= members
    return used, public


def make_pool(model, kind, plans, key, room):
    used, public = pool(plans, key)
    made = {}
    for number in sorted(used):
        name, slug = named(kind, number, number in public)
        made[number] = model.objects.create(name=name, slug=slug)
        url = made[number].get_absolute_url()
        pages = [url] + ([] if model is Author else [f"/feeds/{kind}s/{slug}/rss/", f"/feeds/{kind}s/{slug}/atom/"])
        if number in public:
            room.public_pages += pages
        else:
            room.markers |= {name.lower(), slug}
            room.hidden_pages += [(page, {404}) for page in pages]
            room.searches.append(name)
        if model is not Author:
            room.filters.append({"section": "section", "source": "source", "tag": "tag"}[kind] + "=" + slug)
    return made


def build(plans):
    now = timezone.now()
    room = Newsroom()
    sections = make_pool(Section, "section", plans, "section", room)
    sources = make_pool(Source, "source", plans, "sources", room)
    tags = make_pool(Tag, "tag", plans, "tags", room)
    authors = make_pool(Author, "author", plans, "authors", room)
    for index, plan in enumerate(plans):
        hidden, fields = story_fields(index, plan, now)
        translation_of = room.stories[plan["translation_of"]] if plan["translation_of"] is not None else None
        story = Story.objects.create(section=sections.get(plan["section"]), translation_of=translation_of, **fields)
        story.tags.add(*(tags[number] for number in sorted(plan["tags"])))
        for position, number in enumerate(sorted(plan["authors"])):
            Byline.objects.create(story=story, author=authors[number], position=position)
        for position, number in enumerate(sorted(plan["sources"])):
            sentence = f"Цитата ZQCITE{index}X." if hidden else "Агенція повідомляє."
            Attribution.objects.create(story=story, source=sources[number], position=position, sentence=sentence)
        room.stories.append(story)
        if hidden:
            room.hidden_stories.append(story)
            room.markers |= {
                f"zqhead{index}x",
                f"zqslug{index}x",
                f"zqlead{index}x",
                f"zqbody{index}x",
                f"zqcite{index}x",
            }
            room.searches += [f"ZQHEAD{index}X", f"ZQLEAD{index}X", f"ZQBODY{index}X"]
            if story.published_at:
                room.hidden_pages.append((story.get_absolute_url(), {404, 410}))
        elif story.published_at:
            room.public_pages.append(story.get_absolute_url())
    for story, plan in zip(room.stories, plans):
        for position, link in enumerate(plan["links"]):
            add_link(story, position, link, room.stories[link["ref"]])
    return room


def add_link(story, position, plan, ref):
    """A related link as the tools make them: titled after the story picked (or typed), by story or by address."""
    quoted = f"«{ref.headline}»"
    title = {"headline": ref.headline, "quoted": quoted, "typed": f"Посилання {position}"}[plan["title"]]
    address = ref.get_absolute_url() if ref.published_at else ""
    url = {
        "none": "",
        "outside": f"https://example.org/elsewhere-{position}",
        "onsite": address,
        "onsite_absolute": f"http://testserver{address}" if address else "",
    }[plan["url"]]
    RelatedLink.objects.create(
        story=story,
        position=position,
        kind=plan["kind"],
        paragraph=1,
        title=title,
        url=url,
        target=ref if plan["resolved"] else None,
        date=ref.publication_date if plan["dated"] else None,
    )


def archive_pages(stories):
    pages = set()
    for story in stories:
        if story.published_at:
            local = timezone.localtime(story.published_at)
            pages |= {f"/{local:%Y}/", f"/{local:%Y/%m}/", f"/{local:%Y/%m/%d}/"}
    return sorted(pages)


FIXED_PAGES = [
    "/",
    "/?page=2",
    "/?page=3",
    "/stories/",
    "/stories/?page=2",
    "/search/",
    "/search/?q=новина",
    "/feeds/rss/",
    "/feeds/atom/",
    "/sitemap.xml",
    "/sitemap-stories.xml",
    "/sitemap-tags.xml",
    "/sitemap-sections.xml",
    "/news-sitemap.xml",
    "/robots.txt",
]


def echoes(url):
    """The markers a page may repeat from its own address (the path, its parts, the query's values)."""
    parts = urlsplit(url)
    said = [parts.path, *parts.path.split("/"), *(value for _, value in parse_qsl(parts.query))]
    return sorted({text.lower() for text in said if "zq" in text.lower()}, key=len, reverse=True)


def site_links(text):
    for match in HREF.finditer(text):
        link = (match[1] or match[2]).replace("&amp;", "&")
        parts = urlsplit(link)
        if parts.netloc in {"", "testserver"} and parts.path.startswith("/") and not parts.path.startswith(SKIPPED):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


@override_settings(STORIES_PER_PAGE=2)
class PublicSurfacesLeakNothing(TestCase):
    def read(self, url):
        response = self.client.get(url)
        text = response.content.decode() + " " + response.get("Location", "")
        if response.status_code == 200:
            for block in JSON_LD.findall(text):
                text += " " + json.dumps(json.loads(block), ensure_ascii=False)
        seen = text.lower()
        for echo in echoes(url):
            seen = seen.replace(echo, " ")
        leaked = sorted(marker for marker in self.room.markers if marker in seen)
        self.assertEqual(leaked, [], f"{url} answered {response.status_code} and gives away {leaked}")
        self.assertLess(response.status_code, 500, url)
        return response, text

    def crawl(self, start):
        queue, seen = list(start), set(start)
        while queue and len(seen) <= CRAWL_LIMIT:
            response, text = self.read(queue.pop(0))
            if response.status_code != 200:
                continue
            for link in site_links(text):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    @settings(max_examples=10, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plans=newsrooms())
    def test_no_public_surface_names_anything_only_unpublished_stories_carry(self, plans):
        """No marker of a hidden story, or of a name only hidden stories use, on any page, feed, sitemap or search."""
        cache.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.room = build(plans)
        for url, statuses in self.room.hidden_pages:
            response, _ = self.read(url)
            self.assertIn(response.status_code, statuses, url)
        for url in self.room.public_pages:
            self.assertEqual(self.read(url)[0].status_code, 200, url)
        for term in self.room.searches:
            response, _ = self.read(f"/search/?{urlencode({'q': term})}")
            self.assertEqual(list(response.context["object_list"]), [], term)
        for query in self.room.filters:
            self.read(f"/stories/?{query}")
            self.read(f"/search/?q=новина&{query}")
        self.crawl(FIXED_PAGES + archive_pages(self.room.stories) + self.room.public_pages)
