"""The public reader site: what every page shows, that nothing unpublished leaks onto it, and what it costs."""

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story
from tests.states import HIDDEN_STATES

KYIV = ZoneInfo("Europe/Kyiv")
BODY = "<p>Перший абзац.</p><p>Другий абзац.</p><p>Третій абзац.</p>"
BUDGET = 8
TAGS = ["КНДР", "Економіка", "Південна Корея", "Японія", "Санкції"]
BYLINE = (
    '<a href="/authors/olena-petrenko/" rel="author">Олена Петренко</a>, '
    '<a href="/authors/ivan-koval/" rel="author">Іван Коваль</a>'
)

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=KYIV)


def credit(story, authors=(), sources=()):
    """Give a story its byline and cited sources, both in the order given."""
    Byline.objects.bulk_create(
        Byline(story=story, author=author, position=position) for position, author in enumerate(authors)
    )
    Attribution.objects.bulk_create(
        Attribution(story=story, source=source, position=position, sentence=f"{source.name} повідомляє.")
        for position, source in enumerate(sources)
    )
    return story


@pytest.fixture
def publish(make_story):
    """The shared story factory, dated by `when` (default 28 March 2024) and taking authors and sources."""

    def publish(headline, *, when=None, authors=(), sources=(), **fields):
        story = make_story(headline, published_at=when or at(2024, 3, 28), **fields)
        return credit(story, authors, sources)

    return publish


def get_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def assert_in_order(html, *texts):
    positions = [html.index(text) for text in texts]
    assert positions == sorted(positions), texts


def related_block(html):
    return html.split('id="related-heading"', 1)[1]


@pytest.fixture
def world(publish):
    world_section = Section.objects.create(name="Світ", slug="svit")
    economy_section = Section.objects.create(name="Економіка", slug="ekonomika", description="Гроші й ринки.")
    yonhap = Source.objects.create(name="Йонхап", kind=Source.Kind.AGENCY, homepage="https://www.yna.co.kr/")
    reuters = Source.objects.create(name="Reuters", kind=Source.Kind.AGENCY)
    petrenko = Author.objects.create(name="Олена Петренко")
    koval = Author.objects.create(name="Іван Коваль")
    seoul = publish("Сеул посилює кордон", when=at(2024, 3, 20), tags=["Південна Корея"], section=world_section)
    older = publish("Пхеньян провів навчання", when=at(2024, 2, 1), tags=["КНДР"], section=world_section)
    newer = publish("КНДР відповіла на санкції", when=at(2024, 3, 1), tags=["КНДР"], sources=[yonhap])
    russian = publish("Ким Чен Ын выступил", when=at(2024, 2, 15), tags=["КНДР"], language="ru")
    economy = publish(
        "Гривня зміцнилася",
        when=at(2024, 3, 28, 15),
        tags=["Економіка"],
        section=economy_section,
        sources=[reuters],
        lead="Курс знизився до 38,9.",
    )
    english = publish("Markets rally", when=at(2023, 11, 13), tags=["Економіка"], language="en")
    main = publish(
        "Північна Корея запустила ракету",
        when=at(2024, 3, 28, 10),
        tags=["КНДР", "Південна Корея"],
        authors=[petrenko, koval],
        sources=[yonhap, reuters],
        section=world_section,
        lead="Ракета впала в Японському морі.",
        body=BODY,
    )
    RelatedLink.objects.create(
        story=main, kind=RelatedLink.Kind.READ_ALSO, paragraph=1, title="Сеул посилює кордон", target=seoul
    )
    RelatedLink.objects.create(
        story=main,
        position=0,
        title="Анализ ракетной программы",
        url="https://example.org/analysis",
        date=date(2024, 1, 5),
        language="ru",
    )
    RelatedLink.objects.create(
        story=main, position=1, title="Пхеньян провів навчання", target=older, date=date(2024, 2, 1), language="uk"
    )
    return SimpleNamespace(
        main=main,
        seoul=seoul,
        older=older,
        newer=newer,
        russian=russian,
        economy=economy,
        english=english,
        world_section=world_section,
        economy_section=economy_section,
        yonhap=yonhap,
        reuters=reuters,
    )


def test_home_lists_published_stories_newest_first_as_cards(client, world):
    """The front page of a small site shows every public story, each card with its link, date, section, lead, tags and byline."""
    html = get_html(client, "/")
    assert '<html lang="uk">' in html
    assert_in_order(
        html, "Гривня зміцнилася", "Північна Корея запустила ракету", "Сеул посилює кордон", "Markets rally"
    )
    assert f'<a href="{world.main.get_absolute_url()}">Північна Корея запустила ракету</a>' in html
    assert "28.03.2024" in html and "13.11.2023" in html
    assert '<a href="/sections/svit/">Світ</a>' in html
    assert "Ракета впала в Японському морі." in html
    assert '<a href="/tags/kndr/">КНДР</a>' in html
    assert BYLINE in html


def test_home_paginates(client, world, settings):
    """The front page links the full list, and /?page=2 still continues the newest-first list of every story."""
    settings.STORIES_PER_PAGE = 4
    first = get_html(client, "/")
    assert '<p class="more-link all-stories"><a href="/stories/">' in first
    second = get_html(client, "/?page=2")
    assert "Markets rally" in second and 'href="?page=1"' in second


def test_story_page_shows_headline_lead_date_and_byline(client, world):
    """A story page shows its headline, lead, Ukrainian long date in a <time> and the authors in byline order."""
    html = get_html(client, world.main.get_absolute_url())
    assert "<h1>Північна Корея запустила ракету</h1>" in html
    assert "Ракета впала в Японському морі." in html
    assert '<time datetime="2024-03-28T10:00:00+02:00">28 березня 2024</time>' in html
    assert BYLINE in html
    assert "<article" in html and "lang=" not in html.split("<article", 1)[1].split(">", 1)[0]


def test_story_page_places_read_also_after_its_paragraph(client, world):
    """The body paragraphs are rendered in order and the inline "read also" link follows the paragraph it names."""
    html = get_html(client, world.main.get_absolute_url())
    read_also = f'Читайте також:</span> <a href="{world.seoul.get_absolute_url()}">Сеул посилює кордон</a>'
    assert read_also in html
    assert_in_order(html, "<p>Перший абзац.</p>", read_also, "<p>Другий абзац.</p>", "<p>Третій абзац.</p>")


def test_story_page_lists_sources_and_tags(client, world):
    """The sources list links each cited source to its page in citation order, and the tags link to tag pages."""
    html = get_html(client, world.main.get_absolute_url())
    sources = html.split('id="sources-heading"', 1)[1]
    assert_in_order(
        sources,
        f'<a href="{world.yonhap.get_absolute_url()}">Йонхап</a>',
        f'<a href="{world.reuters.get_absolute_url()}">Reuters</a>',
    )
    assert "Йонхап повідомляє." in sources
    assert '<a href="/tags/kndr/" rel="tag">КНДР</a>' in html
    assert '<a href="/tags/pivdenna-koreia/" rel="tag">Південна Корея</a>' in html


def test_story_page_more_on_topic_puts_curated_links_first_then_newest_tag_siblings(client, world):
    """ "Ще на цю тему" lists curated links in order, then other stories sharing a tag newest first, each dated DD.MM.YYYY."""
    block = related_block(get_html(client, world.main.get_absolute_url()))
    assert_in_order(
        block,
        "05.01.2024",
        "Анализ ракетной программы",
        "01.02.2024",
        "Пхеньян провів навчання",
        "20.03.2024",
        "Сеул посилює кордон",
        "01.03.2024",
        "КНДР відповіла на санкції",
        "15.02.2024",
        "Ким Чен Ын выступил",
    )
    assert block.count("Пхеньян провів навчання") == 1
    assert f'<a href="{world.older.get_absolute_url()}">Пхеньян провів навчання</a>' in block
    assert '<a href="https://example.org/analysis">Анализ ракетной программы</a>' in block
    assert "Гривня зміцнилася" not in block and "Північна Корея запустила ракету" not in block


def test_story_page_marks_items_in_another_language(client, world):
    """Items in "Ще на цю тему" written in another language than the story carry their own lang attribute."""
    block = related_block(get_html(client, world.main.get_absolute_url()))
    items = re.findall(r"<li([^>]*)>(.*?)</li>", block, re.S)
    langs = {" ".join(re.sub(r"<[^>]+>", " ", text).split()): attrs.strip() for attrs, text in items}
    assert langs["05.01.2024 Анализ ракетной программы"] == 'lang="ru"'
    assert langs["15.02.2024 Ким Чен Ын выступил"] == 'lang="ru"'
    assert langs["01.03.2024 КНДР відповіла на санкції"] == ""
    assert langs["01.02.2024 Пхеньян провів навчання"] == ""


def test_story_in_another_language_marks_its_article(client, world):
    """A Russian story's <article> is lang="ru" while Ukrainian items inside it are marked lang="uk"."""
    html = get_html(client, world.russian.get_absolute_url())
    assert '<article class="story" lang="ru">' in html
    assert '<h2 id="related-heading" lang="uk">Ще на цю тему</h2>' in html
    assert re.search(r'<li lang="uk">\s*<time[^>]*>28\.03\.2024</time>\s*<a[^>]*>Північна Корея', html)


def test_story_page_shows_hero_image_with_caption_and_credit(client, world):
    """A hero image is a <figure> with its alt text, caption and credit."""
    Story.objects.filter(pk=world.seoul.pk).update(
        hero_image="stories/2024/03/kordon.jpg",
        hero_image_alt="Прикордонний пост",
        hero_image_caption="Пост на кордоні.",
        hero_image_credit="Йонхап",
    )
    html = get_html(client, world.seoul.get_absolute_url())
    assert re.search(
        r'<figure class="hero">\s*<img src="/media/stories/2024/03/kordon.jpg" alt="Прикордонний пост">', html
    )
    assert "Пост на кордоні." in html and "Фото:</span> Йонхап" in html


def test_story_without_hero_image_has_no_figure(client, world):
    """A story without a hero image renders no empty figure."""
    assert "<figure" not in get_html(client, world.main.get_absolute_url())


def test_tag_page_lists_its_stories(client, world):
    """A tag page names the tag and lists only the public stories carrying it."""
    html = get_html(client, "/tags/kndr/")
    assert "<h1>КНДР</h1>" in html
    assert_in_order(html, "Північна Корея запустила ракету", "КНДР відповіла на санкції", "Ким Чен Ын выступил")
    assert "Сеул посилює кордон" not in html and "Гривня зміцнилася" not in html


def test_section_page_lists_its_stories(client, world):
    """A section page shows the section's name and description and only its stories."""
    html = get_html(client, "/sections/ekonomika/")
    assert "<h1>Економіка</h1>" in html and "Гроші й ринки." in html
    assert "Гривня зміцнилася" in html and "Північна Корея запустила ракету" not in html


def test_source_page_shows_kind_homepage_and_citing_stories(client, world):
    """A source page shows its kind and homepage and lists each story citing it once."""
    html = get_html(client, world.yonhap.get_absolute_url())
    assert "<h1>Йонхап</h1>" in html and "інформаційна агенція" in html
    assert 'href="https://www.yna.co.kr/"' in html
    assert html.count(">Північна Корея запустила ракету</a>") == 1
    assert "КНДР відповіла на санкції" in html and "Гривня зміцнилася" not in html


@pytest.mark.parametrize("url", ["/tags/nemaie/", "/sections/nemaie/", "/sources/nemaie/"])
def test_unknown_tag_section_or_source_is_404(client, url):
    """Pages for a tag, section or source that does not exist are 404."""
    get_html(client, url, status=404)


def test_year_archive_links_its_months(client, world):
    """The year archive lists that year's stories and links each month that has one."""
    html = get_html(client, "/2024/")
    assert '<a href="/2024/02/">Лютий</a>' in html and '<a href="/2024/03/">Березень</a>' in html
    assert "Північна Корея запустила ракету" in html and "Markets rally" not in html


def test_month_archive_lists_its_stories(client, world):
    """The month archive names the month in Ukrainian, links the days that have stories and lists only that month's."""
    html = get_html(client, "/2024/03/")
    assert "<h1>Березень 2024</h1>" in html
    assert '<a href="/2024/03/20/">20 березня</a>' in html and '<a href="/2024/03/28/">28 березня</a>' in html
    assert "Сеул посилює кордон" in html and "Пхеньян провів навчання" not in html


def test_day_archive_lists_its_stories(client, world):
    """The day archive lists only the stories published on that Kyiv day."""
    html = get_html(client, "/2024/03/28/")
    assert "<h1>28 березня 2024</h1>" in html
    assert "Гривня зміцнилася" in html and "Північна Корея запустила ракету" in html
    assert "Сеул посилює кордон" not in html


def test_stories_page_shows_the_filter_form(client, world):
    """/stories/ shows a GET form with a labelled control for every filter and a submit button."""
    html = get_html(client, "/stories/")
    assert 'method="get"' in html and '<button type="submit">' in html
    for name in ["tag", "section", "source", "language", "date_after", "date_before"]:
        assert f'<label for="id_{name}">' in html and f'name="{name}"' in html
    assert '<option value="svit">Світ</option>' in html
    assert '<option value="ru">Російська</option>' in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("tag=kndr", ["Північна Корея", "Пхеньян провів", "КНДР відповіла", "Ким Чен Ын"], ["Сеул", "Гривня"]),
        ("tag=kndr&tag=pivdenna-koreia", ["Північна Корея"], ["Сеул", "Пхеньян провів", "КНДР відповіла"]),
        ("section=ekonomika", ["Гривня"], ["Північна Корея", "Markets"]),
        ("source=reuters", ["Гривня", "Північна Корея"], ["Сеул", "КНДР відповіла"]),
        ("language=ru", ["Ким Чен Ын"], ["Північна Корея", "Markets"]),
        ("language=en", ["Markets"], ["Північна Корея", "Ким Чен Ын"]),
        ("date_after=2024-03-02&date_before=2024-03-27", ["Сеул"], ["Північна Корея", "КНДР відповіла"]),
        ("date_after=2024-03-28", ["Північна Корея", "Гривня"], ["Сеул"]),
        ("date_before=2023-12-31", ["Markets"], ["Північна Корея"]),
    ],
)
def test_stories_page_filters(client, world, query, shown, hidden):
    """Each filter on /stories/ narrows the list; several tags mean stories having all of them."""
    results = get_html(client, f"/stories/?{query}").split('id="results-heading"', 1)[1]
    for text in shown:
        assert text in results, text
    for text in hidden:
        assert text not in results, text


def test_stories_page_pagination_keeps_the_filter(client, world, settings):
    """Page links on a filtered list keep the filter, and the next page stays filtered."""
    settings.STORIES_PER_PAGE = 2
    first = get_html(client, "/stories/?tag=kndr")
    assert 'href="?tag=kndr&amp;page=2"' in first
    second = get_html(client, "/stories/?tag=kndr&page=2")
    assert 'href="?tag=kndr&amp;page=1"' in second
    assert "Ким Чен Ын" in second and "Пхеньян провів" in second and "Гривня" not in second


def test_invalid_filter_value_shows_an_error(client, world):
    """A malformed date or an unknown choice is reported next to its field instead of failing the page."""
    html = get_html(client, "/stories/?date_after=notadate&section=nemaie")
    assert "Введіть коректну дату." in html
    assert 'aria-invalid="true"' in html and 'id="id_section_error"' in html
    assert "Північна Корея запустила ракету" in html


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_story_is_404_and_absent_from_every_list(client, world, publish, state):
    """Drafts, stories in review, withdrawn, scheduled and embargoed stories have no page and appear in no list."""
    fields = {"when": at(2024, 3, 28, 9), **HIDDEN_STATES[state]}
    hidden = publish(
        "Таємна новина", tags=["КНДР", "Секретна тема"], sources=[world.yonhap], section=world.world_section, **fields
    )
    # A withdrawn story's address answers 410 with a retraction notice (tests/test_workflow.py).
    get_html(client, hidden.get_absolute_url(), status=410 if state == "withdrawn" else 404)
    get_html(client, "/tags/sekretna-tema/", status=404)
    local = timezone.localtime(hidden.published_at)
    lists = [
        "/",
        "/tags/kndr/",
        "/sections/svit/",
        world.yonhap.get_absolute_url(),
        "/stories/",
        "/stories/?tag=kndr",
        f"/{local.year}/",
        f"/{local:%Y/%m}/",
        f"/{local:%Y/%m/%d}/",
        world.main.get_absolute_url(),
    ]
    for page in lists:
        html = client.get(page).content.decode()
        assert "Таємна новина" not in html and hidden.slug not in html, page
        assert "Секретна тема" not in html, page


def test_related_link_to_a_draft_does_not_expose_it(client, world, publish):
    """A curated or inline link whose target is a draft and that has no outside address is not printed at all."""
    draft = publish("Чернетка про ракету", status=Story.Status.DRAFT, tags=["КНДР"])
    RelatedLink.objects.create(story=world.main, position=5, title="Ще не вийшло", target=draft)
    RelatedLink.objects.create(
        story=world.main, kind=RelatedLink.Kind.READ_ALSO, paragraph=2, title="Теж не вийшло", target=draft
    )
    html = get_html(client, world.main.get_absolute_url())
    assert "Ще не вийшло" not in html and "Теж не вийшло" not in html
    assert draft.slug not in html and "Чернетка про ракету" not in html


def test_missing_page_is_a_ukrainian_404(client):
    """An unknown address answers 404 with the Ukrainian "page not found" page in the site layout."""
    response = client.get("/nemaie-takoi-storinky/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Сторінку не знайдено" in html and '<html lang="uk">' in html and "/nemaie-takoi-storinky/" in html


def test_missing_story_is_a_ukrainian_404(client, world):
    """A story address with a wrong slug is 404 with the Ukrainian page."""
    response = client.get("/2024/03/28/nemaie/")
    assert response.status_code == 404 and "Сторінку не знайдено" in response.content.decode()


def test_server_error_page_stands_alone():
    """The 500 page renders without any context or database."""
    assert "Щось пішло не так" in render_to_string("500.html")


# Query budgets: a fixed number of queries however much a page prints.


@pytest.fixture
def crowd(publish):
    """Twenty-six stories on one day, each with three tags, two or three authors and two sources."""
    sections = [Section.objects.create(name=name, slug=slug) for name, slug in [("Світ", "svit"), ("Бізнес", "biznes")]]
    sources = [Source.objects.create(name=name) for name in ["Reuters", "Йонхап", "NHK"]]
    authors = [Author.objects.create(name=f"Автор {number}") for number in range(4)]
    start = at(2024, 3, 28, 8)
    for number in range(26):
        publish(
            f"Новина номер {number}",
            when=start + timedelta(minutes=number * 20),
            lead="Короткий лід.",
            section=sections[number % 2],
            tags=[TAGS[0], TAGS[1 + number % 4], TAGS[1 + (number + 1) % 4]],
            authors=authors[number % 2 : number % 2 + 2 + number % 2],
            sources=[sources[0], sources[1 + number % 2]],
            language="ru" if number % 5 == 0 else "uk",
        )


LIST_PAGES = [
    "/",
    "/?page=2",
    "/tags/kndr/",
    "/sections/svit/",
    "/sources/reuters/",
    "/2024/",
    "/2024/03/",
    "/2024/03/28/",
    "/stories/",
    "/stories/?page=2",
    "/stories/?tag=kndr&tag=ekonomika",
    "/stories/?section=svit&source=reuters&language=uk",
    "/stories/?tag=kndr&section=biznes&source=nhk&language=ru&date_after=2024-03-01&date_before=2024-03-31",
    "/stories/?date_after=notadate&tag=nemaie",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_page_stays_within_budget(client, crowd, django_assert_max_num_queries, url):
    """Every list page costs at most eight queries with a full page of tagged, multi-author stories."""
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') >= 1


def build_small_story(publish):
    return publish(
        "Маленька новина",
        tags=["КНДР"],
        authors=[Author.objects.create(name="Одна авторка")],
        sources=[Source.objects.create(name="Єдине джерело")],
        body="<p>Один абзац.</p>",
    )


def build_large_story(publish):
    """Ten tags, six sources, three authors and fifteen related links, some to public stories and some not."""
    targets = [publish(f"Пов'язана {number}", when=at(2024, 3, 1 + number), tags=["Тег 0"]) for number in range(6)]
    targets.append(publish("Чернетка", status="draft"))
    story = publish(
        "Велика новина",
        tags=[f"Тег {number}" for number in range(10)],
        authors=[Author.objects.create(name=f"Кореспондент {number}") for number in range(3)],
        sources=[Source.objects.create(name=f"Агенція {number}") for number in range(6)],
        body="".join(f"<p>Абзац {number}.</p>" for number in range(8)),
    )
    RelatedLink.objects.bulk_create(
        RelatedLink(
            story=story,
            position=number,
            title=f"Посилання {number}",
            kind=RelatedLink.Kind.READ_ALSO if number % 3 == 0 else RelatedLink.Kind.MORE,
            paragraph=number % 8,
            target=targets[number % len(targets)] if number % 2 else None,
            url="" if number % 2 else f"https://example.org/{number}",
            date=date(2024, 1, 1 + number),
            language="ru" if number % 4 == 0 else "uk",
        )
        for number in range(15)
    )
    return story


def count_queries(client, url, django_assert_max_num_queries):
    cache.clear()  # a cold render: served from the page cache, a page costs no query at all
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_story_page_cost_does_not_grow_with_its_relations(client, publish, django_assert_max_num_queries):
    """A story page costs at most eight queries, and the same number for a bare story as for a heavily linked one."""
    small = build_small_story(publish)
    large = build_large_story(publish)
    small_cost = count_queries(client, small.get_absolute_url(), django_assert_max_num_queries)
    large_cost = count_queries(client, large.get_absolute_url(), django_assert_max_num_queries)
    assert small_cost == large_cost


def test_story_page_without_tags_stays_within_budget(client, publish, django_assert_max_num_queries):
    """A story with no tags skips the "more on this topic" query and stays within budget."""
    story = publish("Без тегів", body="<p>Текст.</p>")
    count_queries(client, story.get_absolute_url(), django_assert_max_num_queries)
