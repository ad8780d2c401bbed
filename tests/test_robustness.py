"""Addresses readers and robots make up: dates outside the archive, tracking parameters, hostile ?next= values."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Section, Story

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")
ARCHIVE_LINK = re.compile(r'<a rel="(prev|next)" href="([^"]+)"')


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=KYIV)


@pytest.fixture
def archive(make_story):
    """Public stories on 5 Nov 2023, 28 and 30 Mar 2024 and 2 May 2024; only a draft on 29 Mar, only a withdrawn
    story in January 2025, only an embargoed one in February 2025, and one scheduled for next year."""
    make_story("Листопадова новина", published_at=at(2023, 11, 5))
    make_story("Березнева новина", published_at=at(2024, 3, 28))
    make_story("Ще одна березнева", published_at=at(2024, 3, 30))
    make_story("Травнева новина", published_at=at(2024, 5, 2))
    make_story("Чернетка", published_at=at(2024, 3, 29), status=Story.Status.DRAFT)
    make_story("Відкликана", published_at=at(2025, 1, 10), status=Story.Status.WITHDRAWN)
    make_story("Під ембарго", published_at=at(2025, 2, 10), embargo_until=timezone.now() + timedelta(days=30))
    make_story("Запланована", published_at=timezone.now() + timedelta(days=400))


def archive_links(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return dict(ARCHIVE_LINK.findall(response.content.decode()))


@pytest.mark.parametrize(
    "url", ["/2023/", "/2024/", "/2023/11/", "/2024/03/", "/2024/05/", "/2024/03/28/", "/2024/03/30/"]
)
def test_archives_of_dates_with_public_stories_answer_200(client, archive, url):
    """A year, month or day in which a public story was published has its archive page."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/1000/",
        "/2022/",
        "/9998/",
        "/2024/02/",
        "/2024/04/",
        "/2024/03/27/",
        "/2024/03/31/",
        "/1000/01/01/",
        "/2024/03/29/",
        "/2025/",
        "/2025/01/",
        "/2025/01/10/",
        "/2025/02/",
        "/2025/02/10/",
        f"/{timezone.now().year + 1}/",
    ],
)
def test_archives_of_dates_without_public_stories_are_404(client, archive, url):
    """Dates with no story, or only a draft, withdrawn, embargoed or scheduled one, have no archive page."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/9999/12/31/",
        "/9999/12/",
        "/9999/",
        "/9999/12/31/kinets-svitu/",
        "/0000/",
        "/0001/",
        "/1/",
        "/0001/01/01/",
        "/0001/01/",
        "/2024/13/",
        "/2024/00/",
        "/2024/03/32/",
        "/2024/03/00/",
        "/2024/02/30/",
        "/2023/02/29/",
        "/2024/ab/",
        "/2024/03/xx/",
        "/99999999999999999999/",
        "/2024/99999999999999999999/",
        "/2024/02/30/slug/",
    ],
)
def test_no_date_in_the_address_causes_a_server_error(client, archive, url):
    """Impossible or out-of-range dates answer 404, never 500."""
    assert client.get(url).status_code == 404


def test_previous_and_next_links_lead_only_to_dates_with_public_stories(client, archive):
    """Archive pages link the nearest years, months and days with public stories, skipping drafts and empty dates."""
    assert archive_links(client, "/2024/03/28/") == {"prev": "/2023/11/05/", "next": "/2024/03/30/"}
    assert archive_links(client, "/2024/03/30/") == {"prev": "/2024/03/28/", "next": "/2024/05/02/"}
    assert archive_links(client, "/2024/03/") == {"prev": "/2023/11/", "next": "/2024/05/"}
    assert archive_links(client, "/2024/05/") == {"prev": "/2024/03/"}
    assert archive_links(client, "/2024/") == {"prev": "/2023/"}
    assert archive_links(client, "/2023/") == {"next": "/2024/"}


def test_following_archive_links_reaches_a_finite_set_of_pages(client, archive):
    """Walking every previous and next link from any archive page ends, and every page on the way answers 200."""
    seen, pending = set(), ["/2024/", "/2024/03/", "/2024/03/28/"]
    while pending and len(seen) < 50:  # endless links would otherwise walk to the year 9999
        url = pending.pop()
        if url not in seen:
            seen.add(url)
            pending.extend(archive_links(client, url).values())
    assert seen == {
        "/2023/",
        "/2024/",
        "/2023/11/",
        "/2024/03/",
        "/2024/05/",
        "/2023/11/05/",
        "/2024/03/28/",
        "/2024/03/30/",
        "/2024/05/02/",
    }


# The page cache key


def rendered(response):
    """Whether the page was rendered for this request rather than served from the page cache."""
    return bool(response.templates)


@pytest.fixture
def story(make_story):
    section = Section.objects.create(name="Світ", slug="svit")
    return make_story("Ракета впала в морі", published_at=at(2024, 3, 28), section=section, tags=["КНДР"])


@pytest.mark.parametrize(
    "url", ["/", "/2024/03/28/", "/tags/kndr/", "/stories/?tag=kndr", "/search/?q=ракета", "story"]
)
def test_tracking_parameters_share_the_page_of_the_plain_address(client, story, url):
    """Fifty requests differing only in utm_*, fbclid and other unread parameters render the page once."""
    url = story.get_absolute_url() if url == "story" else url
    joiner = "&" if "?" in url else "?"
    first = client.get(url)
    assert first.status_code == 200 and rendered(first)
    for number in range(50):
        tracked = f"{url}{joiner}utm_source=n{number}&fbclid=IwAR{number}&utm_medium=social&x{number}=1"
        response = client.get(tracked)
        assert response.status_code == 200 and not rendered(response), tracked
        assert response.content == first.content
    assert "utm_source" not in first.content.decode() and "fbclid" not in first.content.decode()


def test_a_tracked_first_visit_renders_the_plain_page(client, story):
    """A page first asked for with tracking parameters is cached as the plain page: its links carry none of them."""
    tracked = client.get("/stories/?tag=kndr&utm_source=telegram&page=1")
    html = tracked.content.decode()
    assert "utm_source" not in html and "telegram" not in html
    assert 'href="/language/en/?next=/stories/%3Ftag%3Dkndr%26page%3D1"' in html
    plain = client.get("/stories/?tag=kndr&page=1")
    assert not rendered(plain) and plain.content == tracked.content


def test_order_and_empty_values_of_parameters_do_not_make_new_pages(client, story, make_story):
    """?section=&tag=a&tag=b is the page of ?tag=b&tag=a: parameters are sorted and empty ones dropped."""
    make_story("Друга", published_at=at(2024, 3, 27), tags=["КНДР", "Японія"])
    assert rendered(client.get("/stories/?tag=kndr&tag=iaponiia"))
    for variant in [
        "/stories/?tag=iaponiia&tag=kndr",
        "/stories/?section=&tag=kndr&tag=iaponiia&language=",
        "/stories/?tag=kndr&date_after=&tag=iaponiia&utm_campaign=x",
    ]:
        assert not rendered(client.get(variant)), variant


@pytest.mark.parametrize(
    "first, second",
    [
        ("/stories/?tag=kndr", "/stories/?tag=nemaie"),
        ("/stories/?section=svit", "/stories/?source=svit"),
        ("/stories/", "/stories/?language=uk"),
        ("/stories/", "/stories/?date_after=2024-03-01"),
        ("/stories/", "/stories/?date_before=2024-03-01"),
        ("/search/?q=ракета", "/search/?q=море"),
        ("/search/?q=ракета", "/search/?q=ракета&section=svit"),
    ],
)
def test_parameters_the_page_reads_make_pages_of_their_own(client, story, first, second):
    """The filter and search parameters, and the page number, each lead to a page rendered for them."""
    assert rendered(client.get(first)) and rendered(client.get(second))


def test_page_numbers_are_pages_of_their_own(client, story, make_story, settings):
    """?page=2 of a list is rendered apart from page 1, and keeps its number in the canonical address."""
    settings.STORIES_PER_PAGE = 1
    make_story("Друга", published_at=at(2024, 3, 27))
    assert rendered(client.get("/stories/"))
    second = client.get("/stories/?page=2&utm_source=x")
    assert (
        rendered(second)
        and '<link rel="canonical" href="http://testserver/stories/?page=2">' in second.content.decode()
    )


# The language switch


@pytest.mark.parametrize(
    "raw",
    [
        "%23x",
        "%3Fx",
        "//evil.example",
        "https://evil.example",
        "http:/evil.example",
        "///evil.example",
        "/%5Cevil.example",
        "%2F%09%2Fevil.example",
        "javascript:alert(1)",
        "JavaScript%3Aalert(1)",
        "data:text/html,x",
        "",
        "%20%20",
        "%0A",
        "/language/en/",
        "/language/ru/?next=/language/en/",
        "/language/%65n/",
        "evil.example",
        "mailto:a@evil.example",
    ],
)
def test_hostile_next_goes_home_in_one_redirect(client, db, raw):
    """A ?next= that is not a path on this site, or that leads back to the switch, sends the reader home at once."""
    response = client.get(f"/language/en/?next={raw}", follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target", ["/stories/?tag=kndr&page=1", "/2024/03/28/", "/search/?q=%D1%80%D0%B0%D0%BA%D0%B5%D1%82%D0%B0"]
)
def test_on_site_next_is_kept(client, story, target):
    """A path on this site is where the switch sends the reader back to."""
    response = client.get(reverse("articles:switch_language", args=["en"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == target
