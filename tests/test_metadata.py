"""What pages tell search engines and social networks: canonical URLs, OpenGraph, Twitter cards, JSON-LD, hreflang."""

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Attribution, Author, Byline, Section, Source, Story

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")
MARCH_28 = datetime(2024, 3, 28, 10, tzinfo=KYIV)
ORIGIN = "http://testserver"
BUDGET = 8


class HeadTags(HTMLParser):
    """The <meta> and <link> elements of a page, each as a dict of its attributes."""

    def __init__(self, html):
        super().__init__()
        self.metas, self.links = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.metas.append(dict(attrs))
        elif tag == "link":
            self.links.append(dict(attrs))

    def meta(self, name):
        """The content of every <meta property=name> or <meta name=name>, in page order."""
        return [tag["content"] for tag in self.metas if name in (tag.get("property"), tag.get("name"))]

    def one(self, name):
        values = self.meta(name)
        assert len(values) == 1, (name, values)
        return values[0]

    def canonical(self):
        hrefs = [link["href"] for link in self.links if link.get("rel") == "canonical"]
        assert len(hrefs) <= 1, hrefs
        return hrefs[0] if hrefs else None

    def hreflang(self):
        return {
            link["hreflang"]: link["href"]
            for link in self.links
            if link.get("rel") == "alternate" and "hreflang" in link
        }


def page(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, url
    return response.content.decode()


def json_ld(html):
    """Every JSON-LD block of a page, parsed, by its @type."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {data["@type"]: data for data in map(json.loads, blocks)}


def credit(story, authors=(), sources=()):
    for position, author in enumerate(authors):
        Byline.objects.create(story=story, author=author, position=position)
    for position, source in enumerate(sources):
        Attribution.objects.create(story=story, source=source, position=position)
    return story


@pytest.fixture
def news(make_story):
    section = Section.objects.create(name="Світ", slug="svit")
    yonhap = Source.objects.create(name="Йонхап", homepage="https://www.yna.co.kr/")
    reuters = Source.objects.create(name="Reuters")
    main = make_story(
        "Північна Корея запустила ракету",
        published_at=MARCH_28,
        section=section,
        tags=["КНДР", "Японія"],
        lead="Ракета впала в Японському морі.",
        hero_image_url="https://img.example.org/raketa.jpg",
        hero_image_alt="Запуск ракети",
    )
    credit(
        main,
        [Author.objects.create(name="Олена Петренко"), Author.objects.create(name="Іван Коваль")],
        [yonhap, reuters],
    )
    plain = make_story("Новина без автора", published_at=MARCH_28, tags=["КНДР"])
    return SimpleNamespace(main=main, plain=plain, section=section, yonhap=yonhap)


@pytest.fixture
def editions(make_story, news):
    """The main story with a published Russian translation and an English one still in draft."""
    russian = make_story(
        "Северная Корея запустила ракету",
        published_at=MARCH_28,
        language="ru",
        translation_of=news.main,
        tags=["КНДР"],
    )
    english = make_story(
        "North Korea launched a missile",
        published_at=MARCH_28,
        language="en",
        translation_of=news.main,
        status=Story.Status.DRAFT,
    )
    return SimpleNamespace(original=news.main, russian=russian, english=english)


# Canonical URLs


@pytest.mark.parametrize(
    "url", ["/", "/stories/", "/tags/kndr/", "/sections/svit/", "/2024/", "/2024/03/", "/2024/03/28/", "/search/"]
)
def test_every_public_page_has_its_absolute_canonical_url(client, news, url):
    """Each public page names its own absolute address as canonical."""
    assert HeadTags(page(client, url)).canonical() == ORIGIN + url


def test_story_and_source_pages_have_their_canonical_url(client, news):
    """A story page and a source page are canonical at their own absolute address."""
    for url in (news.main.get_absolute_url(), news.yonhap.get_absolute_url()):
        assert HeadTags(page(client, url)).canonical() == ORIGIN + url


def test_canonical_keeps_a_list_page_number_and_drops_other_parameters(client, news, settings):
    """Page 2 of a list is canonical as itself; tracking parameters and filters point at the plain list."""
    settings.STORIES_PER_PAGE = 1
    assert HeadTags(page(client, "/stories/?page=2")).canonical() == ORIGIN + "/stories/?page=2"
    assert HeadTags(page(client, "/stories/?page=1")).canonical() == ORIGIN + "/stories/"
    assert HeadTags(page(client, "/stories/?tag=kndr&page=2")).canonical() == ORIGIN + "/stories/"
    assert HeadTags(page(client, f"{news.main.get_absolute_url()}?utm_source=x")).canonical() == (
        ORIGIN + news.main.get_absolute_url()
    )


def test_canonical_follows_the_host_and_scheme_of_the_request(client, news, settings):
    """Behind https on the public host, the canonical URL is https on that host."""
    settings.ALLOWED_HOSTS = ["news.example.org"]
    html = page(client, news.main.get_absolute_url(), secure=True, HTTP_HOST="news.example.org")
    assert HeadTags(html).canonical() == f"https://news.example.org{news.main.get_absolute_url()}"


def test_missing_page_has_no_canonical_url_or_opengraph(client):
    """A 404 page claims no address and describes nothing to social networks."""
    tags = HeadTags(page(client, "/nemaie/", status=404))
    assert tags.canonical() is None and tags.meta("og:url") == [] and tags.meta("twitter:card") == []


# OpenGraph and Twitter cards


def test_story_page_describes_the_article_with_its_image(client, news):
    """A story with a hero image is an og:article with headline, lead, absolute URL and image, and a large card."""
    tags = HeadTags(page(client, news.main.get_absolute_url()))
    url = ORIGIN + news.main.get_absolute_url()
    assert tags.one("og:type") == "article"
    assert tags.one("og:title") == tags.one("twitter:title") == "Північна Корея запустила ракету"
    assert tags.one("og:description") == tags.one("description") == "Ракета впала в Японському морі."
    assert tags.one("og:url") == url
    assert tags.one("og:site_name") == "Newsroom"
    assert tags.one("og:locale") == "uk_UA"
    assert tags.one("og:image") == tags.one("twitter:image") == "https://img.example.org/raketa.jpg"
    assert tags.one("og:image:alt") == "Запуск ракети"
    assert tags.one("twitter:card") == "summary_large_image"
    assert tags.one("article:published_time") == "2024-03-28T10:00:00+02:00"
    assert tags.one("article:section") == "Світ" and sorted(tags.meta("article:tag")) == ["КНДР", "Японія"]


def test_uploaded_hero_image_is_announced_at_an_absolute_address(client, news):
    """An uploaded hero image becomes an absolute og:image on the host the request came to."""
    Story.objects.filter(pk=news.plain.pk).update(hero_image="stories/2024/03/kordon.jpg", hero_image_alt="Кордон")
    tags = HeadTags(page(client, news.plain.get_absolute_url()))
    assert tags.one("og:image") == ORIGIN + "/media/stories/2024/03/kordon.jpg"


def test_story_without_image_has_a_summary_card(client, news):
    """A story without a hero image has no og:image and a plain summary card."""
    tags = HeadTags(page(client, news.plain.get_absolute_url()))
    assert tags.meta("og:image") == [] and tags.meta("twitter:image") == []
    assert tags.one("twitter:card") == "summary"
    assert tags.one("og:type") == "article"


def test_story_in_another_language_declares_its_own_locale(client, make_story):
    """A Russian story's og:locale is ru_RU, whatever the interface language."""
    story = make_story("Ким Чен Ын выступил", language="ru")
    assert HeadTags(page(client, story.get_absolute_url())).one("og:locale") == "ru_RU"


@pytest.mark.parametrize(("accept", "locale"), [("uk", "uk_UA"), ("ru", "ru_RU"), ("en", "en_GB")])
def test_list_pages_are_websites_in_the_interface_locale(client, news, accept, locale):
    """The home page is an og:website titled with the site name, in the reader's interface locale."""
    tags = HeadTags(page(client, "/", HTTP_ACCEPT_LANGUAGE=accept))
    assert tags.one("og:type") == "website" and tags.one("og:title") == "Newsroom"
    assert tags.one("og:locale") == locale
    assert tags.one("og:url") == ORIGIN + "/"
    assert tags.one("twitter:card") == "summary"


def test_section_page_is_described_by_its_name_and_description(client, news):
    """A section page's og:title is the section name and its description the section's own."""
    Section.objects.filter(pk=news.section.pk).update(description="Новини з усього світу.")
    tags = HeadTags(page(client, "/sections/svit/"))
    assert tags.one("og:title") == "Світ" and tags.one("og:description") == "Новини з усього світу."


# JSON-LD


def test_story_page_has_a_news_article(client, news):
    """The NewsArticle carries headline, lead, dates with offset, authors, publisher, image, language, tags, section."""
    url = ORIGIN + news.main.get_absolute_url()
    article = json_ld(page(client, news.main.get_absolute_url()))["NewsArticle"]
    news.main.refresh_from_db()
    assert article["@context"] == "https://schema.org"
    assert article["headline"] == "Північна Корея запустила ракету"
    assert article["description"] == "Ракета впала в Японському морі."
    assert article["datePublished"] == "2024-03-28T10:00:00+02:00"
    assert article["dateModified"] == timezone.localtime(news.main.updated_at).isoformat()
    assert [author["name"] for author in article["author"]] == ["Олена Петренко", "Іван Коваль"]
    assert {author["@type"] for author in article["author"]} == {"Person"}
    assert article["author"][0]["url"] == ORIGIN + "/authors/olena-petrenko/"
    assert article["publisher"] == {"@type": "Organization", "name": "Newsroom", "url": ORIGIN + "/"}
    assert article["image"] == ["https://img.example.org/raketa.jpg"]
    assert article["inLanguage"] == "uk"
    assert sorted(article["keywords"]) == ["КНДР", "Японія"]
    assert article["articleSection"] == "Світ"
    assert article["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


def test_modified_date_is_never_before_publication(client, news):
    """A story last saved before its scheduled publication reports its publication time as dateModified."""
    Story.objects.filter(pk=news.plain.pk).update(updated_at=datetime(2024, 3, 1, tzinfo=KYIV))
    article = json_ld(page(client, news.plain.get_absolute_url()))["NewsArticle"]
    assert article["dateModified"] == article["datePublished"] == "2024-03-28T10:00:00+02:00"


def test_story_without_byline_is_credited_to_the_site(client, news):
    """Without a byline the author is the newsroom itself, and empty fields are left out."""
    article = json_ld(page(client, news.plain.get_absolute_url()))["NewsArticle"]
    assert article["author"] == [{"@type": "Organization", "name": "Newsroom", "url": ORIGIN + "/"}]
    assert not {"image", "description", "articleSection", "citation"} & set(article)


def test_citations_name_each_attributed_source_with_its_homepage(client, news):
    """Every attributed source is cited in attribution order, with its homepage only when it has one."""
    citations = json_ld(page(client, news.main.get_absolute_url()))["NewsArticle"]["citation"]
    assert citations == [
        {
            "@type": "CreativeWork",
            "name": "Йонхап",
            "author": {"@type": "Organization", "name": "Йонхап", "url": "https://www.yna.co.kr/"},
        },
        {"@type": "CreativeWork", "name": "Reuters", "author": {"@type": "Organization", "name": "Reuters"}},
    ]


def test_story_page_has_a_breadcrumb_from_home_through_its_section(client, news):
    """The BreadcrumbList runs Головна → section → story, each item an absolute URL."""
    crumbs = json_ld(page(client, news.main.get_absolute_url()))["BreadcrumbList"]["itemListElement"]
    assert [(crumb["position"], crumb["name"], crumb["item"]) for crumb in crumbs] == [
        (1, "Головна", ORIGIN + "/"),
        (2, "Світ", ORIGIN + "/sections/svit/"),
        (3, "Північна Корея запустила ракету", ORIGIN + news.main.get_absolute_url()),
    ]


def test_breadcrumb_of_a_story_without_section_skips_it(client, news):
    """A story in no section has a two-step breadcrumb."""
    crumbs = json_ld(page(client, news.plain.get_absolute_url()))["BreadcrumbList"]["itemListElement"]
    assert [crumb["name"] for crumb in crumbs] == ["Головна", "Новина без автора"]


def test_story_text_cannot_close_the_json_ld_script(client, make_story):
    """A headline containing </script> is escaped as \\u003c inside JSON-LD and still parses back unchanged."""
    headline = 'Тест </script><script>alert("x")</script> & <!-- кінець'
    story = make_story(headline, lead="</script>")
    html = page(client, story.get_absolute_url())
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 2
    assert "<" not in blocks[0] and ">" not in blocks[0] and "&" not in blocks[0]
    assert "\\u003c/script\\u003e" in blocks[0]
    assert json.loads(blocks[0])["headline"] == headline
    assert '<script>alert("x")' not in html


# Editions in other languages


def test_original_announces_its_published_editions_only(client, editions):
    """The original lists itself and its published translation as hreflang alternates, x-default being itself."""
    tags = HeadTags(page(client, editions.original.get_absolute_url()))
    assert tags.hreflang() == {
        "uk": ORIGIN + editions.original.get_absolute_url(),
        "ru": ORIGIN + editions.russian.get_absolute_url(),
        "x-default": ORIGIN + editions.original.get_absolute_url(),
    }
    assert tags.meta("og:locale:alternate") == ["ru_RU"]


def test_translation_announces_the_same_group_with_the_original_as_default(client, editions):
    """A translation lists the same editions, and x-default points at the original."""
    tags = HeadTags(page(client, editions.russian.get_absolute_url()))
    assert tags.hreflang() == {
        "uk": ORIGIN + editions.original.get_absolute_url(),
        "ru": ORIGIN + editions.russian.get_absolute_url(),
        "x-default": ORIGIN + editions.original.get_absolute_url(),
    }
    assert tags.one("og:locale") == "ru_RU" and tags.meta("og:locale:alternate") == ["uk_UA"]


def test_story_page_links_its_other_editions_in_their_own_languages(client, editions):
    """Each page links the other published editions, named in their own language, with lang and hreflang."""
    original = page(client, editions.original.get_absolute_url())
    link = f'<a href="{editions.russian.get_absolute_url()}" lang="ru" hreflang="ru">По-русски</a>'
    assert link in original
    back = f'<a href="{editions.original.get_absolute_url()}" lang="uk" hreflang="uk">Українською</a>'
    assert back in page(client, editions.russian.get_absolute_url())


def test_draft_translation_is_exposed_nowhere(client, editions):
    """A translation still in draft appears in no hreflang, no link and no JSON-LD of its published editions."""
    for story in (editions.original, editions.russian):
        html = page(client, story.get_absolute_url())
        assert "In English" not in html and editions.english.slug not in html
        assert "North Korea launched" not in html and "en" not in HeadTags(html).hreflang()
        assert not re.search(r'<a href="(?!/language/)[^"]*"[^>]*hreflang="en"', html)


def test_json_ld_links_the_published_editions(client, editions):
    """The original's NewsArticle names its published translation; the translation names its original."""
    original = json_ld(page(client, editions.original.get_absolute_url()))["NewsArticle"]
    assert original["workTranslation"] == [
        {"@type": "NewsArticle", "url": ORIGIN + editions.russian.get_absolute_url(), "inLanguage": "ru"}
    ]
    russian = json_ld(page(client, editions.russian.get_absolute_url()))["NewsArticle"]
    assert russian["translationOfWork"] == {
        "@type": "NewsArticle",
        "url": ORIGIN + editions.original.get_absolute_url(),
        "inLanguage": "uk",
    }


def test_published_english_translation_joins_the_group(client, editions):
    """Once the English translation is published, every edition lists all three languages."""
    Story.objects.filter(pk=editions.english.pk).update(status=Story.Status.PUBLISHED)
    for story in (editions.original, editions.russian, editions.english):
        html = page(client, story.get_absolute_url())
        assert set(HeadTags(html).hreflang()) == {"uk", "ru", "en", "x-default"}, story.language
    assert "In English" in page(client, editions.russian.get_absolute_url())


def test_translation_of_a_draft_original_shows_no_editions(client, editions):
    """While the original is a draft, its published translation offers no editions and names no original."""
    Story.objects.filter(pk=editions.original.pk).update(status=Story.Status.DRAFT)
    html = page(client, editions.russian.get_absolute_url())
    assert HeadTags(html).hreflang() == {} and "Українською" not in html
    assert editions.original.slug not in html and "translationOfWork" not in json_ld(html)["NewsArticle"]


def test_story_without_translations_announces_no_alternates(client, news):
    """A story with no other edition has no hreflang links and no editions block."""
    html = page(client, news.main.get_absolute_url())
    assert HeadTags(html).hreflang() == {} and 'class="editions"' not in html


def count_queries(client, url, django_assert_max_num_queries):
    cache.clear()  # a cold render
    with django_assert_max_num_queries(BUDGET) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_editions_share_the_pages_one_query_for_other_stories(client, editions, news, django_assert_max_num_queries):
    """Editions come with the section neighbours in one query: a translated story costs no more than its original,
    and at most one query more than a story with neither a section nor translations."""
    with_editions = count_queries(client, editions.russian.get_absolute_url(), django_assert_max_num_queries)
    original = count_queries(client, editions.original.get_absolute_url(), django_assert_max_num_queries)
    alone = count_queries(client, news.plain.get_absolute_url(), django_assert_max_num_queries)
    assert with_editions == original <= alone + 1


def test_translation_of_a_translation_joins_the_original_group(client, editions, make_story):
    """An English story linked to the Russian translation is an edition of the Ukrainian original too."""
    english = make_story(
        "North Korea fired a missile", published_at=MARCH_28, language="en", translation_of=editions.russian
    )
    expected = {"uk", "ru", "en", "x-default"}
    for story in (editions.original, editions.russian, english):
        tags = HeadTags(page(client, story.get_absolute_url()))
        assert set(tags.hreflang()) == expected, story.language
        assert tags.hreflang()["x-default"] == ORIGIN + editions.original.get_absolute_url()
