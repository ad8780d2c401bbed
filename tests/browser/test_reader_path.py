"""A reader's path through the site in a real browser, on a phone and on a desktop screen."""

import re

import feedparser
import pytest

from tests.browser.conftest import assert_page_sound

pytestmark = pytest.mark.browser


def headlines(page, selector="main article h2 a, main article h3 a"):
    return page.locator(selector).all_inner_texts()


def fetch_feed(tab, href, newsroom):
    """A feed a page links to parses as a clean feed with the public stories and without the draft."""
    response = tab.page.request.get(tab.base_url + href if href.startswith("/") else href)
    assert response.ok, href
    assert response.headers["content-type"].startswith(("application/rss+xml", "application/atom+xml")), href
    feed = feedparser.parse(response.body())
    assert not feed.bozo, (href, feed.get("bozo_exception"))
    titles = [entry.title for entry in feed.entries]
    assert newsroom.draft.headline not in titles, href
    return titles


def test_home_story_tag_filtered_list_search_and_feed(tab, newsroom):
    """Home → story → tag → /stories/ filtered by dates → header search → feeds, every page sound."""
    page = tab.page
    tab.open("/")
    assert newsroom.festival.headline in headlines(page)
    assert_page_sound(tab, newsroom)

    page.get_by_role("link", name=newsroom.lead_story.headline, exact=True).first.click()
    page.wait_for_url(f"**{newsroom.lead_story.get_absolute_url()}")
    assert page.locator("h1").inner_text() == newsroom.lead_story.headline
    assert page.locator(f"main a[href='{newsroom.drill.get_absolute_url()}']").count() >= 1
    assert_page_sound(tab, newsroom)

    page.locator("main a[rel='tag']", has_text=re.compile(r"^КНДР$")).first.click()
    page.wait_for_url("**/tags/kndr/")
    assert page.locator("h1").inner_text() == "КНДР"
    assert set(headlines(page)) == {newsroom.lead_story.headline, newsroom.russian.headline, newsroom.drill.headline}
    assert_page_sound(tab, newsroom)
    tag_feed = page.locator("head link[rel='alternate'][href*='/feeds/tags/kndr/']").first.get_attribute("href")
    assert set(fetch_feed(tab, tag_feed, newsroom)) == set(headlines(page))

    page.locator("header a[href='/stories/']").first.click()
    page.wait_for_url("**/stories/")
    assert_page_sound(tab, newsroom)
    form = page.locator("main form[action='/stories/']")
    form.locator("input[name='date_after']").fill("2024-02-10")
    form.locator("input[name='date_before']").fill("2024-03-31")
    form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/stories/\?.*date_after=2024-02-10.*date_before=2024-03-31"))
    assert set(headlines(page)) == {newsroom.lead_story.headline, newsroom.russian.headline}
    assert form.locator("input[name='date_after']").input_value() == "2024-02-10"
    assert_page_sound(tab, newsroom)

    search_box = page.locator("header form[action='/search/'] input[name='q']")
    search_box.fill("Пхеньян")
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    found = headlines(page)
    assert {newsroom.lead_story.headline, newsroom.drill.headline} <= set(found)
    assert newsroom.hryvnia.headline not in found
    assert_page_sound(tab, newsroom)

    feeds = page.locator("head link[rel='alternate']")
    hrefs = [feeds.nth(index).get_attribute("href") for index in range(feeds.count())]
    assert {"/feeds/rss/", "/feeds/atom/"} <= set(hrefs)
    for href in ("/feeds/rss/", "/feeds/atom/"):
        assert newsroom.festival.headline in fetch_feed(tab, href, newsroom)
