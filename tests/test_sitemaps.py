"""Sitemaps, the Google News sitemap and robots.txt: what crawlers are told, what stays hidden, and the cost."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from articles.models import Section, Story
from articles.site.sitemaps import StorySitemap

KYIV = ZoneInfo("Europe/Kyiv")
BUDGET = 8
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
PARTS = ["/sitemap-stories.xml", "/sitemap-tags.xml", "/sitemap-sections.xml"]

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=KYIV)


def stamp(story, updated_at):
    Story.objects.filter(pk=story.pk).update(updated_at=updated_at)
    story.refresh_from_db()
    return story


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def entries(client, url):
    """{absolute address: lastmod text} of a sitemap or a sitemap index."""
    root = parse(client, url)
    return {node.findtext(f"{SITEMAP}loc"): node.findtext(f"{SITEMAP}lastmod") for node in root}


def absolute(path):
    return f"http://testserver{path}"


@pytest.fixture
def world(make_story):
    svit = Section.objects.create(name="Світ", slug="svit", position=1)
    ekonomika = Section.objects.create(name="Економіка", slug="ekonomika", position=2)
    Section.objects.create(name="Порожній", slug="porozhnii", position=3)
    missile = make_story(
        "Північна Корея запустила ракету", published_at=at(2024, 3, 28, 10), tags=["КНДР"], section=svit
    )
    drill = make_story("Пхеньян провів навчання", published_at=at(2024, 2, 1), tags=["КНДР", "Армія"], section=svit)
    hryvnia = make_story("Гривня зміцнилася", published_at=at(2024, 3, 27), tags=["Економіка"], section=ekonomika)
    stamp(missile, at(2024, 3, 29, 9))
    stamp(drill, at(2024, 4, 2, 9))
    stamp(hryvnia, at(2024, 3, 27, 13))
    return SimpleNamespace(missile=missile, drill=drill, hryvnia=hryvnia, svit=svit, ekonomika=ekonomika)


def test_sitemap_index_lists_the_parts_with_their_lastmod(client, world):
    """/sitemap.xml indexes stories, tags and sections, each dated by its newest public story update."""
    assert entries(client, "/sitemap.xml") == {
        absolute("/sitemap-stories.xml"): "2024-04-02T09:00:00+03:00",
        absolute("/sitemap-tags.xml"): "2024-04-02T09:00:00+03:00",
        absolute("/sitemap-sections.xml"): "2024-04-02T09:00:00+03:00",
    }


def test_story_sitemap_lists_every_public_story_with_its_update_day(client, world):
    """The story sitemap gives each public story's absolute address and the Kyiv day of its last update."""
    assert entries(client, "/sitemap-stories.xml") == {
        absolute(world.drill.get_absolute_url()): "2024-04-02",
        absolute(world.hryvnia.get_absolute_url()): "2024-03-27",
        absolute(world.missile.get_absolute_url()): "2024-03-29",
    }


def test_story_sitemap_is_paged_and_the_index_lists_every_page(client, world, monkeypatch):
    """With more stories than a page holds, the index lists each page and together they hold every story once."""
    monkeypatch.setattr(StorySitemap, "limit", 2)
    index = entries(client, "/sitemap.xml")
    assert absolute("/sitemap-stories.xml?p=2") in index
    first, second = entries(client, "/sitemap-stories.xml"), entries(client, "/sitemap-stories.xml?p=2")
    assert len(first) == 2 and len(second) == 1 and not first.keys() & second.keys()
    assert client.get("/sitemap-stories.xml?p=3").status_code == 404


def test_tag_sitemap_dates_each_tag_by_its_newest_public_story(client, world):
    """The tag sitemap lists tags of public stories, each with the update day of its newest public story."""
    assert entries(client, "/sitemap-tags.xml") == {
        absolute("/tags/armiia/"): "2024-04-02",
        absolute("/tags/ekonomika/"): "2024-03-27",
        absolute("/tags/kndr/"): "2024-04-02",
    }


def test_section_sitemap_lists_sections_with_public_stories(client, world):
    """The section sitemap lists the sections that have public stories, dated by their newest update."""
    assert entries(client, "/sitemap-sections.xml") == {
        absolute("/sections/svit/"): "2024-04-02",
        absolute("/sections/ekonomika/"): "2024-03-27",
    }


def test_hidden_story_does_not_move_a_lastmod(client, world, make_story):
    """A draft updated later than every public story changes no tag's, section's or index's lastmod."""
    draft = make_story("Чернетка", status=Story.Status.DRAFT, tags=["КНДР"], section=world.svit)
    stamp(draft, at(2024, 5, 1))
    assert "2024-05" not in client.get("/sitemap.xml").content.decode()
    for url in PARTS:
        assert "2024-05" not in client.get(url).content.decode(), url


@pytest.fixture
def fresh(make_story):
    """Stories published 1 hour, 47 hours and 49 hours ago."""
    now = timezone.now()
    return SimpleNamespace(
        hour=make_story("Свіжа новина & «цитата»", published_at=now - timedelta(hours=1), language="uk"),
        two_days=make_story("Ким Чен Ын выступил", published_at=now - timedelta(hours=47), language="ru"),
        old=make_story("Вчорашня новина", published_at=now - timedelta(hours=49)),
    )


def news_items(client):
    root = parse(client, "/news-sitemap.xml")
    assert root.tag == f"{SITEMAP}urlset"
    return {url.findtext(f"{SITEMAP}loc"): url.find(f"{NEWS}news") for url in root.findall(f"{SITEMAP}url")}


def test_news_sitemap_lists_only_the_last_48_hours(client, fresh):
    """The Google News sitemap lists the stories published in the last 48 hours and nothing older."""
    assert set(news_items(client)) == {
        absolute(fresh.hour.get_absolute_url()),
        absolute(fresh.two_days.get_absolute_url()),
    }


def test_news_sitemap_entry_names_publication_language_date_and_title(client, fresh, settings):
    """Each news entry carries the site name, the story's language, its publication time with offset and its title."""
    settings.SITE_NAME = "Новини Полтави"
    items = news_items(client)
    news = items[absolute(fresh.hour.get_absolute_url())]
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Новини Полтави"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "uk"
    assert news.findtext(f"{NEWS}title") == "Свіжа новина & «цитата»"
    published = news.findtext(f"{NEWS}publication_date")
    assert datetime.fromisoformat(published) == fresh.hour.published_at and published.endswith(("+02:00", "+03:00"))
    russian = items[absolute(fresh.two_days.get_absolute_url())]
    assert russian.findtext(f"{NEWS}publication/{NEWS}language") == "ru"


def test_news_sitemap_declares_the_news_namespace(client, fresh):
    """The news sitemap declares xmlns:news with Google's namespace."""
    content = client.get("/news-sitemap.xml").content.decode()
    assert 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' in content


HIDDEN_STATES = {
    "draft": {"status": Story.Status.DRAFT},
    "in_review": {"status": Story.Status.IN_REVIEW},
    "withdrawn": {"status": Story.Status.WITHDRAWN},
    "scheduled": {"published_at": timezone.now() + timedelta(hours=2)},
    "embargoed": {"embargo_until": timezone.now() + timedelta(days=2)},
}


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_story_is_in_no_sitemap(client, world, make_story, state):
    """Drafts, stories in review, withdrawn, scheduled and embargoed stories, their tags and sections are in no sitemap."""
    secret = Section.objects.create(name="Таємний розділ", slug="taiemnyi-rozdil")
    fields = {"published_at": timezone.now() - timedelta(hours=1), **HIDDEN_STATES[state]}
    make_story("Таємна новина", tags=["КНДР", "Секретна тема"], section=secret, **fields)
    for url in ["/sitemap.xml", *PARTS, "/news-sitemap.xml"]:
        content = client.get(url).content.decode()
        assert "taiemna-novyna" not in content and "sekretna-tema" not in content, url
        assert "taiemnyi-rozdil" not in content, url
    assert news_items(client) == {}


def test_robots_txt_allows_the_site_and_names_both_sitemaps(client):
    """robots.txt is plain text that allows the site, disallows the admin and names both sitemaps absolutely."""
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines and "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines


# Query budgets: a fixed number of queries however many stories, tags and sections there are.


def add_stories(make_story, count, start=0):
    sections = list(Section.objects.all()) or [Section.objects.create(name=f"Розділ {n}") for n in range(3)]
    for number in range(start, start + count):
        make_story(
            f"Новина номер {number}",
            published_at=timezone.now() - timedelta(hours=number + 1),
            tags=[f"Тема {number % 7}", f"Тема {(number + 1) % 7}", f"Тег {number}"],
            section=sections[number % 3],
        )


def sitemap_cost(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_sitemaps_stay_within_budget_and_do_not_grow(client, make_story, django_assert_max_num_queries):
    """The index, every sitemap page and the news sitemap cost at most eight queries, the same for 3 stories as for 30."""
    urls = ["/sitemap.xml", *PARTS, "/news-sitemap.xml"]
    add_stories(make_story, 3)
    few = {url: sitemap_cost(client, url, django_assert_max_num_queries) for url in urls}
    add_stories(make_story, 27, start=3)
    many = {url: sitemap_cost(client, url, django_assert_max_num_queries) for url in urls}
    assert many == few
    assert len(entries(client, "/sitemap-stories.xml")) == 30 and len(news_items(client)) == 30
