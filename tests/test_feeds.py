"""RSS and Atom feeds: what readers receive, that nothing unpublished leaks into them, and what they cost."""

import html
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.utils import timezone

from articles.models import Attribution, Author, Byline, Section, Source, Story
from tests.states import HIDDEN_STATES

KYIV = ZoneInfo("Europe/Kyiv")
BUDGET = 8
FORMATS = ["rss", "atom"]

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=KYIV)


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return feed


def stamp(story, updated_at):
    Story.objects.filter(pk=story.pk).update(updated_at=updated_at)
    story.refresh_from_db()
    return story


def entry_date(feed_format, text):
    return parsedate_to_datetime(text) if feed_format == "rss" else datetime.fromisoformat(text)


@pytest.fixture
def publish(make_story):
    """The shared story factory, dated by `when` and taking its byline and cited sources in order."""

    def publish(headline, *, when=None, authors=(), sources=(), **fields):
        story = make_story(headline, published_at=when or at(2024, 3, 28), **fields)
        Byline.objects.bulk_create(Byline(story=story, author=a, position=n) for n, a in enumerate(authors))
        Attribution.objects.bulk_create(Attribution(story=story, source=s, position=n) for n, s in enumerate(sources))
        return story

    return publish


@pytest.fixture
def world(publish):
    svit = Section.objects.create(name="Світ", slug="svit")
    ekonomika = Section.objects.create(name="Економіка", slug="ekonomika")
    reuters = Source.objects.create(name="Reuters", kind=Source.Kind.AGENCY)
    authors = [Author.objects.create(name="Олена Петренко"), Author.objects.create(name="Іван Коваль")]
    main = publish(
        "Північна Корея запустила ракету & «Хвасон»",
        when=at(2024, 3, 28, 10),
        tags=["КНДР", "Південна Корея"],
        authors=authors,
        sources=[reuters],
        section=svit,
        lead="Ракета впала в Японському морі <за даними ЗМІ>.",
    )
    older = publish("Пхеньян провів навчання", when=at(2024, 2, 1), tags=["КНДР"], section=svit)
    economy = publish("Гривня зміцнилася", when=at(2024, 3, 27), tags=["Економіка"], section=ekonomika)
    russian = publish("Ким Чен Ын выступил", when=at(2024, 2, 15), tags=["КНДР"], language="ru")
    stamp(older, at(2024, 2, 1, 13))
    stamp(economy, at(2024, 3, 29, 9))
    stamp(russian, at(2024, 2, 15, 13))
    stamp(main, at(2024, 3, 28, 11))
    return SimpleNamespace(main=main, older=older, economy=economy, russian=russian, svit=svit, reuters=reuters)


def feed_urls(feed_format):
    return [
        f"/feeds/{feed_format}/",
        f"/feeds/tags/kndr/{feed_format}/",
        f"/feeds/sections/svit/{feed_format}/",
        f"/feeds/sources/reuters/{feed_format}/",
    ]


ALL_FEEDS = feed_urls("rss") + feed_urls("atom")


def main_entry(feed, story):
    [entry] = [entry for entry in feed.entries if entry.link.endswith(story.get_absolute_url())]
    return entry


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_every_feed_parses_cleanly_and_carries_the_story(client, world, url):
    """Site, tag, section and source feeds parse without errors and list the story that belongs to all four."""
    feed = parse(client, url)
    assert feed.version == ("rss20" if "/rss/" in url else "atom10")
    assert main_entry(feed, world.main).title == world.main.headline


@pytest.mark.parametrize("feed_format", FORMATS)
def test_entry_carries_link_guid_lead_byline_and_tags(client, world, feed_format):
    """An entry has the absolute story address as link and permalink id, the lead, the byline and the tags."""
    entry = main_entry(parse(client, f"/feeds/{feed_format}/"), world.main)
    url = f"http://testserver{world.main.get_absolute_url()}"
    assert entry.link == url and entry.id == url
    if feed_format == "rss":
        assert f'<guid isPermaLink="true">{url}</guid>' in client.get("/feeds/rss/").content.decode()
    assert html.unescape(entry.summary) == world.main.lead
    assert entry.author == "Олена Петренко, Іван Коваль"
    assert [tag.term for tag in entry.tags] == ["КНДР", "Південна Корея"]


@pytest.mark.parametrize("feed_format", FORMATS)
def test_entry_dates_carry_the_kyiv_offset(client, world, feed_format):
    """Publication and update times are the story's own, written in Kyiv time with its offset."""
    entry = main_entry(parse(client, f"/feeds/{feed_format}/"), world.main)
    assert entry_date(feed_format, entry.published) == world.main.published_at
    assert ("+0200" if feed_format == "rss" else "+02:00") in entry.published
    if feed_format == "atom":
        assert datetime.fromisoformat(entry.updated) == world.main.updated_at


def test_atom_feed_updated_is_the_newest_story_update(client, world):
    """The Atom feed's own updated time is the newest updated_at among its stories, not the time of the request."""
    assert datetime.fromisoformat(parse(client, "/feeds/atom/").feed.updated) == world.economy.updated_at
    assert datetime.fromisoformat(parse(client, "/feeds/tags/kndr/atom/").feed.updated) == world.main.updated_at


def test_rss_feed_last_build_date_follows_the_newest_update(client, world):
    """RSS lastBuildDate names the newest story update."""
    response = client.get("/feeds/sections/svit/rss/")
    feed = feedparser.parse(response.content)
    assert parsedate_to_datetime(feed.feed.updated) == world.main.updated_at


@pytest.mark.parametrize("feed_format", FORMATS)
def test_feed_is_in_the_site_language(client, world, feed_format):
    """Every feed declares the site language, Ukrainian."""
    assert parse(client, f"/feeds/{feed_format}/").feed.language == "uk"


def test_atom_entry_in_another_language_is_marked(client, world):
    """A Russian story's Atom entry carries xml:lang="ru" while Ukrainian ones carry "uk"."""
    feed = parse(client, "/feeds/atom/")
    assert main_entry(feed, world.russian).title_detail.language == "ru"
    assert main_entry(feed, world.main).title_detail.language == "uk"


def test_feeds_list_newest_first_and_only_their_own_stories(client, world):
    """Each feed lists its own stories newest first: a tag's, a section's, a source's."""

    def titles(url):
        return [entry.title for entry in parse(client, url).entries]

    assert titles("/feeds/rss/") == [s.headline for s in [world.main, world.economy, world.russian, world.older]]
    assert titles("/feeds/tags/kndr/rss/") == [s.headline for s in [world.main, world.russian, world.older]]
    assert titles("/feeds/sections/svit/atom/") == [s.headline for s in [world.main, world.older]]
    assert titles("/feeds/sources/reuters/atom/") == [world.main.headline]


def test_feed_titles_and_links_name_their_subject(client, world):
    """A tag feed is titled after the site and the tag and links to the tag page."""
    feed = parse(client, "/feeds/tags/kndr/atom/").feed
    assert feed.title == "Newsroom: КНДР" and feed.link == "http://testserver/tags/kndr/"
    assert parse(client, "/feeds/rss/").feed.link == "http://testserver/"


def test_feed_holds_the_latest_thirty_stories(client, make_story):
    """A feed carries only the thirty newest stories."""
    start = timezone.now() - timedelta(days=40)
    for number in range(32):
        make_story(f"Новина {number}", published_at=start + timedelta(days=number))
    titles = [entry.title for entry in parse(client, "/feeds/rss/").entries]
    assert len(titles) == 30 and titles[0] == "Новина 31" and "Новина 1" not in titles


@pytest.mark.parametrize("feed_format", FORMATS)
def test_uploaded_hero_image_is_an_absolute_enclosure_with_size(client, make_story, media_root, feed_format):
    """An uploaded hero image becomes an enclosure with its absolute address, byte size and image type."""
    (media_root / "stories").mkdir(parents=True)
    (media_root / "stories" / "kordon.jpg").write_bytes(b"\xff\xd8" + b"0" * 998)
    make_story("З фото", hero_image="stories/kordon.jpg")
    [enclosure] = parse(client, f"/feeds/{feed_format}/").entries[0].enclosures
    assert enclosure == {"href": "http://testserver/media/stories/kordon.jpg", "length": "1000", "type": "image/jpeg"}


def test_imported_hero_image_is_an_enclosure_of_unknown_length(client, make_story):
    """An image known only by address is an enclosure of length 0, the RSS convention for an unknown size."""
    make_story("Імпорт", hero_image_url="https://cdn.example.org/photo.png?w=800")
    [enclosure] = parse(client, "/feeds/rss/").entries[0].enclosures
    assert enclosure == {"href": "https://cdn.example.org/photo.png?w=800", "length": "0", "type": "image/png"}


@pytest.mark.parametrize("fields", [{}, {"hero_image_url": "https://cdn.example.org/image"}])
def test_story_without_a_typed_image_has_no_enclosure(client, make_story, fields):
    """A story without a hero image, or with one whose type cannot be told, has no enclosure."""
    make_story("Без фото", **fields)
    assert parse(client, "/feeds/atom/").entries[0].enclosures == []


@pytest.mark.parametrize("kind", ["tags", "sections", "sources"])
@pytest.mark.parametrize("feed_format", FORMATS)
def test_unknown_tag_section_or_source_feed_is_404(client, world, kind, feed_format):
    """The feed of a tag, section or source that does not exist is 404."""
    assert client.get(f"/feeds/{kind}/nemaie/{feed_format}/").status_code == 404


@pytest.mark.parametrize("feed_format", FORMATS)
def test_feed_of_a_tag_on_unpublished_stories_only_is_404(client, make_story, feed_format):
    """A tag carried only by a draft has no feed, like it has no page."""
    make_story("Чернетка", status=Story.Status.DRAFT, tags=["Секретна тема"])
    assert client.get(f"/feeds/tags/sekretna-tema/{feed_format}/").status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_story_is_in_no_feed(client, world, publish, state):
    """Drafts, stories in review, withdrawn, scheduled and embargoed stories appear in no feed of either format."""
    fields = {"when": timezone.now() - timedelta(hours=1), **HIDDEN_STATES[state]}
    publish("Таємна новина", tags=["КНДР"], sources=[world.reuters], section=world.svit, **fields)
    for url in ALL_FEEDS:
        content = client.get(url).content.decode()
        assert "Таємна новина" not in content and "taiemna-novyna" not in content, url


def test_pages_link_their_feeds_in_head(client, world):
    """Every page links the site feeds in <head>; tag, section and source pages add their own."""
    pages = {
        "/": [],
        "/tags/kndr/": ["/feeds/tags/kndr/rss/", "/feeds/tags/kndr/atom/"],
        "/sections/svit/": ["/feeds/sections/svit/rss/", "/feeds/sections/svit/atom/"],
        "/sources/reuters/": ["/feeds/sources/reuters/rss/", "/feeds/sources/reuters/atom/"],
    }
    for page, own in pages.items():
        head = client.get(page).content.decode().split("</head>", 1)[0]
        for href in ["/feeds/rss/", "/feeds/atom/", *own]:
            feed_type = "rss" if href.endswith("/rss/") else "atom"
            assert f'<link rel="alternate" type="application/{feed_type}+xml"' in head, page
            assert f'href="{href}"' in head, (page, href)


# Query budgets: a fixed number of queries however many stories, tags and authors a feed prints.


@pytest.fixture
def crowd(publish):
    """A function adding stories, each with three tags, two or three authors, two sources and a section."""
    section = Section.objects.create(name="Світ", slug="svit")
    sources = [Source.objects.create(name=name) for name in ["Reuters", "Йонхап", "NHK"]]
    authors = [Author.objects.create(name=f"Автор {number}") for number in range(4)]
    tags = ["КНДР", "Економіка", "Японія", "Санкції", "Південна Корея"]

    def add(count, start=0):
        for number in range(start, start + count):
            publish(
                f"Новина номер {number}",
                when=timezone.now() - timedelta(hours=number + 1),
                section=section,
                tags=[tags[0], tags[1 + number % 4], tags[1 + (number + 1) % 4]],
                lead="Короткий лід.",
                authors=authors[number % 2 : number % 2 + 2 + number % 2],
                sources=[sources[0], sources[1 + number % 2]],
                hero_image_url=f"https://cdn.example.org/{number}.jpg",
            )

    return add


def feed_cost(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_feeds_stay_within_budget_and_do_not_grow(client, crowd, django_assert_max_num_queries):
    """Every feed costs at most eight queries, the same for three stories as for thirty."""
    crowd(3)
    few = {url: feed_cost(client, url, django_assert_max_num_queries) for url in ALL_FEEDS}
    crowd(27, start=3)
    many = {url: feed_cost(client, url, django_assert_max_num_queries) for url in ALL_FEEDS}
    assert many == few
    assert len(parse(client, "/feeds/tags/kndr/atom/").entries) == 30
