"""The pages readers expect: the front page, author pages, popular topics, a story's neighbours and the stylesheet."""

import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from articles.models import Attribution, Author, Byline, Section, Story, Tag
from tests.states import HIDDEN_STATES
from tests.test_views import build_large_story

KYIV = ZoneInfo("Europe/Kyiv")
BUDGET = 8
CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text()

pytestmark = pytest.mark.django_db


def at(month, day, hour=12, year=2024):
    return datetime(year, month, day, hour, tzinfo=KYIV)


@pytest.fixture
def publish(make_story):
    """The shared story factory, dated by `when` and taking its authors and cited sources in order."""

    def publish(headline, *, when=None, authors=(), sources=(), **fields):
        story = make_story(headline, published_at=when or at(3, 28), **fields)
        Byline.objects.bulk_create(Byline(story=story, author=author, position=n) for n, author in enumerate(authors))
        Attribution.objects.bulk_create(
            Attribution(story=story, source=src, position=n) for n, src in enumerate(sources)
        )
        return story

    return publish


def get_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def lead_of(html):
    return re.search(r'<article class="lead-story">(.*?)</article>', html, re.S).group(1)


def blocks_of(html):
    """The front page's blocks in page order: {heading id: card headlines in order}."""
    found = re.findall(r'<section class="section-block" aria-labelledby="([^"]+)">(.*?)</section>', html, re.S)
    return {key: re.findall(r'class="card-title"[^>]*><a href="[^"]+">([^<]+)</a>', body) for key, body in found}


def popular_of(html):
    """(tag name, count) pairs of the popular-topics block, in order."""
    block = html.split('id="popular-tags-heading"', 1)[1].split("</aside>", 1)[0]
    return [(name, int(count)) for name, count in re.findall(r'>([^<>]+) <span class="tag-count"[^>]*>(\d+)<', block)]


def neighbours_of(html):
    """The headlines linked as earlier and later in the section, or None."""
    found = {}
    for side in ("previous", "next"):
        match = re.search(rf'<li class="neighbour-{side}">.*?<a href="[^"]+"[^>]*>([^<]+)</a>', html, re.S)
        found[side] = match and match.group(1)
    return found


@pytest.fixture
def paper(publish):
    """Four sections (one empty, one quiet for years), stories in no section, and two bylined authors."""
    empty = Section.objects.create(name="Порожній", slug="porozhnii", position=0)
    economy = Section.objects.create(name="Економіка", slug="ekonomika", position=1)
    world = Section.objects.create(name="Світ", slug="svit", position=2)
    culture = Section.objects.create(name="Культура", slug="kultura", position=3)
    olena = Author.objects.create(
        name="Олена Петренко", bio="Кореспондентка в Сеулі.\n\nПише про КНДР.", email="olena@example.org"
    )
    ivan = Author.objects.create(name="Іван Коваль")
    economy_stories = [
        publish(f"Економіка {n}", when=at(3, n), section=economy, tags=["Економіка"]) for n in range(1, 7)
    ]
    earlier = publish("Сеул посилює кордон", when=at(3, 10), section=world, tags=["КНДР"], authors=[olena])
    later = publish("Пхеньян провів навчання", when=at(3, 20), section=world, tags=["КНДР"])
    lead = publish(
        "Північна Корея запустила ракету",
        when=at(3, 28),
        section=world,
        tags=["КНДР", "Японія"],
        authors=[olena, ivan],
        lead="Ракета впала в Японському морі.",
    )
    quiet = publish("Фестиваль у Львові", when=at(5, 1, year=2020), section=culture)
    unfiled = [publish("Без розділу 1", when=at(3, 15)), publish("Без розділу 2", when=at(3, 25), tags=["КНДР"])]
    return SimpleNamespace(
        empty=empty,
        economy=economy,
        world=world,
        culture=culture,
        olena=olena,
        ivan=ivan,
        lead=lead,
        earlier=earlier,
        later=later,
        quiet=quiet,
        economy_stories=economy_stories,
        unfiled=unfiled,
    )


# The front page


def test_front_page_leads_with_the_newest_story(client, paper):
    """The newest public story is the lead, with its section, headline link, lead and linked byline, shown once."""
    html = get_html(client, "/")
    lead = lead_of(html)
    assert f'<a href="{paper.lead.get_absolute_url()}">Північна Корея запустила ракету</a>' in lead
    assert '<a href="/sections/svit/">Світ</a>' in lead and "Ракета впала в Японському морі." in lead
    assert '<a href="/authors/olena-petrenko/" rel="author">Олена Петренко</a>' in lead
    assert html.count("Північна Корея запустила ракету</a>") == 1


def test_front_page_has_a_block_per_section_in_position_order(client, paper):
    """Sections follow their position, each linking its page; an empty section has no block; a quiet one keeps it."""
    html = get_html(client, "/")
    assert list(blocks_of(html)) == [
        "section-ekonomika-heading",
        "section-svit-heading",
        "section-kultura-heading",
        "latest-heading",
    ]
    for slug in ("ekonomika", "svit", "kultura"):
        assert f'<h2 id="section-{slug}-heading" class="block-heading"><a href="/sections/{slug}/">' in html
        assert f'<p class="more-link"><a href="/sections/{slug}/">' in html
    assert "/sections/porozhnii/" not in html
    assert blocks_of(html)["section-kultura-heading"] == ["Фестиваль у Львові"]


def test_section_block_holds_its_four_newest_stories_without_the_lead(client, paper):
    """A section block lists its four newest stories newest first, and the lead's section leaves the lead out."""
    blocks = blocks_of(get_html(client, "/"))
    assert blocks["section-ekonomika-heading"] == ["Економіка 6", "Економіка 5", "Економіка 4", "Економіка 3"]
    assert blocks["section-svit-heading"] == ["Пхеньян провів навчання", "Сеул посилює кордон"]


def test_stories_in_no_section_come_last_under_latest_news(client, paper):
    """Stories without a section are listed newest first in the closing "latest news" block."""
    assert blocks_of(get_html(client, "/"))["latest-heading"] == ["Без розділу 2", "Без розділу 1"]


def test_front_page_of_an_empty_site(client, db):
    """With nothing published the front page says so and has no lead, blocks or popular topics."""
    html = get_html(client, "/")
    assert '<p class="empty">' in html
    assert "lead-story" not in html and "section-block" not in html and "popular-tags" not in html


def test_later_home_pages_list_every_story_with_page_numbers(client, paper, settings):
    """/?page=2 continues the newest-first list of every public story, with numbered page links."""
    settings.STORIES_PER_PAGE = 4
    html = get_html(client, "/?page=2")
    titles = re.findall(r'class="card-title"[^>]*><a href="[^"]+">([^<]+)</a>', html)
    assert titles == ["Сеул посилює кордон", "Економіка 6", "Економіка 5", "Економіка 4"]
    assert 'href="?page=1"' in html and 'href="?page=3"' in html and '<span aria-current="page">2</span>' in html
    assert "lead-story" not in html


# Author pages and bylines


def test_author_page_shows_bio_and_public_stories_paginated(client, paper, settings):
    """An author page shows the name and bio (never the email) and pages through their public stories newest first."""
    settings.STORIES_PER_PAGE = 1
    html = get_html(client, "/authors/olena-petrenko/")
    assert "<h1>Олена Петренко</h1>" in html
    assert "<p>Кореспондентка в Сеулі.</p>" in html and "<p>Пише про КНДР.</p>" in html
    assert "olena@example.org" not in html
    assert "Північна Корея запустила ракету" in html and "Сеул посилює кордон" not in html
    assert 'href="?page=2"' in html
    assert "Сеул посилює кордон" in get_html(client, "/authors/olena-petrenko/?page=2")


def test_unknown_author_is_404(client, paper):
    """An author address that names nobody is 404."""
    get_html(client, "/authors/nikhto/", status=404)


def test_bylines_link_to_author_pages(client, paper):
    """Bylines on story pages and on cards link every author to their page, in byline order."""
    byline = (
        '<a href="/authors/olena-petrenko/" rel="author">Олена Петренко</a>, '
        '<a href="/authors/ivan-koval/" rel="author">Іван Коваль</a>'
    )
    assert byline in get_html(client, paper.lead.get_absolute_url())
    assert byline in get_html(client, Tag.objects.get(name="Японія").get_absolute_url())
    assert get_html(client, "/authors/ivan-koval/").count('class="card"') == 1


# Popular topics


def test_popular_tags_count_only_published_stories_most_used_first(client, paper, publish):
    """Popular topics list each tag with its public stories' count, most used first, linking the tag page."""
    publish("Чернетка", status=Story.Status.DRAFT, tags=["КНДР", "Японія", "Чернеткова тема"])
    html = get_html(client, "/")
    assert popular_of(html) == [("Економіка", 6), ("КНДР", 4), ("Японія", 1)]
    assert '<a href="/tags/kndr/">КНДР <span class="tag-count"' in html


def test_popular_tags_is_one_query_of_at_most_twenty(publish, django_assert_num_queries):
    """Tag.objects.popular() counts every tag in one query, and the block keeps the twenty most used."""
    for number in range(25):
        publish(f"Новина {number}", tags=[f"Тема {other}" for other in range(number, 25)])
    with django_assert_num_queries(1):
        tags = list(Tag.objects.popular()[:20])
    assert [tag.story_count for tag in tags] == list(range(25, 5, -1))
    assert tags[0].name == "Тема 24"


def test_tag_page_shows_popular_tags_marking_its_own(client, paper):
    """A tag page shows the popular topics too, its own tag marked as the current page."""
    html = get_html(client, "/tags/kndr/")
    assert ("КНДР", 4) in popular_of(html)
    assert '<a href="/tags/kndr/" aria-current="page">КНДР' in html


# Earlier and later in the section


def test_story_links_its_neighbours_in_the_section(client, paper):
    """A story links the public stories just before and after it in its own section, by publication time."""
    html = get_html(client, paper.later.get_absolute_url())
    assert neighbours_of(html) == {"previous": "Сеул посилює кордон", "next": "Північна Корея запустила ракету"}
    assert f'<a href="{paper.earlier.get_absolute_url()}">Сеул посилює кордон</a>' in html


def test_section_edges_have_one_neighbour(client, paper):
    """The oldest story of a section has only a later one, the newest only an earlier one, a lone story none."""
    assert neighbours_of(get_html(client, paper.earlier.get_absolute_url())) == {
        "previous": None,
        "next": "Пхеньян провів навчання",
    }
    assert neighbours_of(get_html(client, paper.lead.get_absolute_url())) == {
        "previous": "Пхеньян провів навчання",
        "next": None,
    }
    assert "section-neighbours" not in get_html(client, paper.quiet.get_absolute_url())


def test_story_without_a_section_has_no_neighbours(client, paper):
    """A story in no section has no earlier/later links, not even to other stories in no section."""
    assert "section-neighbours" not in get_html(client, paper.unfiled[0].get_absolute_url())


def test_neighbours_published_at_the_same_moment_are_ordered_by_id(publish, paper):
    """Stories published at the same moment still have a strict order, so none is skipped or repeated."""
    twins = [publish(f"Близнюк {n}", when=at(3, 12), section=paper.world) for n in range(3)]
    neighbours = Story.objects.published().in_section(paper.world).adjacent_to(twins[1]).order_by("published_at", "pk")
    assert list(neighbours) == [twins[0], twins[2]]


# Unpublished stories stay off every new surface


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_story_stays_off_the_new_pages(client, paper, publish, state):
    """Drafts, stories in review, withdrawn, scheduled and embargoed stories are on no front page, author page,
    popular topic or neighbour link, and an author known only from them has no page."""
    secret_author = Author.objects.create(name="Таємний Автор")
    fields = {"when": at(3, 15), **HIDDEN_STATES[state]}
    hidden = publish(
        "Таємна новина",
        section=paper.world,
        tags=["КНДР", "Секретна тема"],
        authors=[secret_author, paper.olena],
        **fields,
    )
    get_html(client, secret_author.get_absolute_url(), status=404)
    pages = ["/", "/authors/olena-petrenko/", "/tags/kndr/"] + [
        story.get_absolute_url() for story in (paper.earlier, paper.later, paper.lead)
    ]
    for page in pages:
        html = get_html(client, page)
        assert "Таємна новина" not in html and hidden.slug not in html, page
        assert "Секретна тема" not in html and "Таємний Автор" not in html, page
    assert ("КНДР", 4) in popular_of(get_html(client, "/"))
    assert neighbours_of(get_html(client, paper.earlier.get_absolute_url()))["next"] == "Пхеньян провів навчання"


# Query budgets


def queries(client, url, django_assert_max_num_queries):
    cache.clear()  # a cold render: from the page cache a page costs no query at all
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def fill(publish, sections, per_section, prefix="Розділ"):
    """Sections of tagged stories with two authors each, and one story in no section, the newest."""
    authors = [Author.objects.create(name=f"Автор {n}") for n in range(3)]
    for s in range(sections):
        section = Section.objects.create(name=f"{prefix} {s}", position=sections - s)
        for n in range(per_section):
            publish(
                f"Новина {s}-{n}",
                when=at(3, 1 + n, hour=s),
                section=section,
                lead="Лід.",
                tags=[f"Тема {n}", f"Тема {s}", "Усі"],
                authors=authors[n % 2 : n % 2 + 2],
            )
    publish("Без розділу", tags=["Усі"], authors=authors[:1])


def test_front_page_cost_does_not_grow_with_sections(client, publish, django_assert_max_num_queries):
    """The front page costs at most eight queries, the same for one section of one story as for ten of ten."""
    fill(publish, sections=1, per_section=1, prefix="Малий")
    small = queries(client, "/", django_assert_max_num_queries)
    fill(publish, sections=10, per_section=10)
    html = get_html(client, "/")
    assert len(blocks_of(html)) == 1 + 10 + 1 and html.count('class="card"') == 1 + 10 * 4 + 1
    assert queries(client, "/", django_assert_max_num_queries) == small


def test_author_page_stays_within_budget(client, publish, django_assert_max_num_queries):
    """An author page of many tagged, co-written stories costs at most eight queries."""
    fill(publish, sections=3, per_section=10)
    assert queries(client, "/authors/avtor-1/", django_assert_max_num_queries) <= BUDGET


def test_story_page_with_neighbours_stays_within_budget(client, publish, paper, django_assert_max_num_queries):
    """A story with ten tags, six sources, fifteen links and both neighbours costs at most eight queries."""
    story = build_large_story(publish)
    Story.objects.filter(pk=story.pk).update(section=paper.world, published_at=at(3, 15))
    story.refresh_from_db()
    queries(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert neighbours_of(get_html(client, story.get_absolute_url())) == {
        "previous": "Сеул посилює кордон",
        "next": "Пхеньян провів навчання",
    }


# The stylesheet


def luminance(colour):
    """WCAG 2 relative luminance of a #rgb or #rrggbb colour."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def palette():
    root = re.search(r":root\s*\{(.*?)\}", CSS, re.S).group(1)  # the first :root: the screen palette
    return {f"var(--{name})": value for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", root)}


# Every text colour the stylesheet sets, on every background it is set on.
TEXT_ON_BACKGROUND = (
    [
        (text, background)
        for text in ("var(--text)", "var(--muted)", "var(--accent)", "var(--accent-dark)", "var(--error)")
        for background in ("var(--background)", "var(--surface)", "#fff3a3")
    ]
    + [("#fff", "var(--accent)"), ("#fff", "var(--accent-dark)"), ("#fff", "var(--text)")]
    + [
        # Words added and removed on a correction's "what changed" page.
        ("#0b3d1a", "#e3f4e6"),
        ("#6b0f0f", "#fbe4e4"),
    ]
)


@pytest.mark.parametrize(("text", "background"), TEXT_ON_BACKGROUND)
def test_text_colours_meet_wcag_aa_contrast(text, background):
    """Every text and link colour has at least 4.5:1 contrast against every background it is used on."""
    colours = palette()
    ratio = contrast(colours.get(text, text), colours.get(background, background))
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1"


def test_stylesheet_sets_only_checked_text_colours():
    """Every `color:` in site.css is one of the colours the contrast test checks, so a new one cannot slip by."""
    checked = {text for text, _ in TEXT_ON_BACKGROUND} | {"inherit", "#000"}
    used = set(re.findall(r"(?<![-\w])color:\s*([^;]+);", CSS))
    assert used <= checked, used - checked
    assert "background: #fff3a3" in CSS


def test_print_stylesheet_hides_navigation_and_prints_link_addresses():
    """On paper the navigation, forms and footer are hidden and the story body's links print their address."""
    printed = CSS.split("@media print", 1)[1]
    hidden = re.search(r"\{(.*?)\{\s*display: none;", printed, re.S).group(1)
    for selector in (".site-nav", ".site-search", ".site-footer", "form", ".pagination", ".popular-tags"):
        assert re.search(rf"^\s*{re.escape(selector)},?$", hidden, re.M), selector
    assert '.story-body a[href^="http"]::after' in printed and 'content: " (" attr(href) ")"' in printed


def test_story_body_wraps_long_words():
    """Long words and pasted addresses in a story body wrap instead of widening a narrow screen."""
    body = re.search(r"\n\.story-body \{(.*?)\}", CSS, re.S).group(1)
    assert "overflow-wrap: anywhere" in body
