"""Names and headlines known only from unpublished stories stay off the public site: pages, feeds, filters, links."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from articles.models import Attribution, RelatedLink, Section, Source, Story
from tests.states import HIDDEN_STATES

KYIV = ZoneInfo("Europe/Kyiv")
BODY = "<p>Перший абзац.</p><p>Другий абзац.</p>"

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(make_story):
    """A public story of 28 March 2024 unless `when` or the fields say otherwise, citing `sources`."""

    def publish(headline, *, when=None, sources=(), **fields):
        story = make_story(headline, published_at=when or datetime(2024, 3, 28, 12, tzinfo=KYIV), body=BODY, **fields)
        for position, source in enumerate(sources):
            Attribution.objects.create(story=story, source=source, position=position)
        return story

    return publish


@pytest.fixture
def site(publish):
    """A public story in section "Світ" citing Reuters, and a section and a source no story uses."""
    world = Section.objects.create(name="Світ", slug="svit")
    reuters = Source.objects.create(name="Reuters", slug="reuters")
    Section.objects.create(name="Порожня рубрика", slug="porozhnia")
    Source.objects.create(name="Ніхто не цитує", slug="nikhto")
    return publish("Північна Корея запустила ракету", section=world, sources=[reuters], tags=["КНДР"])


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def owner_urls(kind, slug):
    return [f"/{kind}/{slug}/", f"/feeds/{kind}/{slug}/rss/", f"/feeds/{kind}/{slug}/atom/"]


PUBLIC_SURFACES = ["/", "/stories/", "/search/", "/search/?q=ракета", "/sitemap-sections.xml", "/feeds/rss/"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_section_only_unpublished_stories_use_has_no_page_and_no_feed(client, site, publish, state):
    """A section whose only story is a draft, in review, withdrawn, scheduled or embargoed answers 404, page and feeds."""
    secret = Section.objects.create(name="Таємна рубрика", slug="taiemna")
    publish("Прихована новина", section=secret, **HIDDEN_STATES[state])
    for url in owner_urls("sections", "taiemna"):
        html_of(client, url, status=404)
    for url in PUBLIC_SURFACES:
        assert "Таємна рубрика" not in html_of(client, url) and "taiemna" not in html_of(client, url), url


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_source_only_unpublished_stories_cite_has_no_page_and_no_feed(client, site, publish, state):
    """A source cited only by an unpublished story answers 404, page and feeds, and is named on no public page."""
    secret = Source.objects.create(name="Таємне джерело", slug="taiemne")
    publish("Прихована новина", sources=[secret], **HIDDEN_STATES[state])
    for url in owner_urls("sources", "taiemne"):
        html_of(client, url, status=404)
    for url in PUBLIC_SURFACES:
        assert "Таємне джерело" not in html_of(client, url) and "taiemne" not in html_of(client, url), url


def test_a_section_or_source_no_story_uses_answers_404(client, site):
    """An empty section and an uncited source are like an unused tag: no page, no feed."""
    for url in owner_urls("sections", "porozhnia") + owner_urls("sources", "nikhto"):
        html_of(client, url, status=404)


def test_sections_and_sources_of_public_stories_keep_their_pages_and_feeds(client, site):
    """The section and the source of a public story answer 200 and list it, page and feeds."""
    for url in owner_urls("sections", "svit") + owner_urls("sources", "reuters"):
        assert site.headline in html_of(client, url), url


def test_a_section_becomes_public_with_its_first_public_story(client, site, publish):
    """The scheduled story's section answers 404 until the story is out, then 200 (the rule follows the clock)."""
    secret = Section.objects.create(name="Нова рубрика", slug="nova")
    story = publish("Скоро вийде", section=secret, when=datetime.now(KYIV) + timedelta(days=1))
    html_of(client, "/sections/nova/", status=404)
    Story.objects.filter(pk=story.pk).update(published_at=datetime.now(KYIV) - timedelta(minutes=1))
    cache.clear()
    assert "Скоро вийде" in html_of(client, "/sections/nova/")
    assert "Нова рубрика" in html_of(client, "/")


def test_front_page_blocks_name_only_sections_with_public_stories(client, site, publish):
    """The front page has a block for the public story's section and none for a section only a draft is in."""
    secret = Section.objects.create(name="Таємна рубрика", slug="taiemna", position=0)
    publish("Прихована новина", section=secret, status=Story.Status.DRAFT)
    publish("Друга новина", section=Section.objects.get(slug="svit"))
    html = html_of(client, "/")
    assert "/sections/svit/" in html and "Таємна рубрика" not in html and "Порожня рубрика" not in html


# The /stories/ and /search/ filter forms


@pytest.fixture
def hidden_names(site, publish):
    """A draft in a section of its own, citing a source of its own, with a tag of its own."""
    section = Section.objects.create(name="Таємна рубрика", slug="taiemna")
    source = Source.objects.create(name="Таємне джерело", slug="taiemne")
    publish("Прихована новина", section=section, sources=[source], tags=["Таємний тег"], status=Story.Status.DRAFT)
    return section, source


@pytest.mark.parametrize("page", ["/stories/", "/search/", "/search/?q=ракета"])
def test_filter_forms_offer_only_what_public_stories_use(client, hidden_names, page):
    """The section, source and tag lists hold the public story's and none known only from a draft or from no story."""
    html = html_of(client, page)
    assert '<option value="svit">Світ</option>' in html and '<option value="reuters">Reuters</option>' in html
    assert '<option value="kndr">КНДР</option>' in html
    for hidden in ["Таємна рубрика", "Таємне джерело", "Таємний тег", "Порожня рубрика", "Ніхто не цитує"]:
        assert hidden not in html, hidden


@pytest.mark.parametrize("field, hidden", [("section", "taiemna"), ("source", "taiemne"), ("tag", "taiemnyi-teh")])
@pytest.mark.parametrize("page", ["/stories/", "/search/?q=новина"])
def test_asking_for_a_hidden_section_or_source_is_asking_for_an_unknown_one(client, hidden_names, field, hidden, page):
    """The page for a hidden value is, but for the value itself, the page for a value that never existed."""
    separator = "&" if "?" in page else "?"
    asked = html_of(client, f"{page}{separator}{field}={hidden}")
    unknown = html_of(client, f"{page}{separator}{field}=zzzzzz")
    assert asked.replace(hidden, "zzzzzz") == unknown
    assert "Таємн" not in asked and "Прихована новина" not in asked


def filter_page_cost(client, django_assert_max_num_queries, url):
    cache.clear()
    with django_assert_max_num_queries(8) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/stories/", "/search/?q=ракета", "/stories/?section=svit&source=reuters"])
def test_filter_choices_cost_one_query_each_however_many_there_are(
    client, site, publish, url, django_assert_max_num_queries
):
    """Twenty more sections, sources and tags, public and hidden, add no query to a filtered list."""
    few = filter_page_cost(client, django_assert_max_num_queries, url)
    for number in range(10):
        state = {} if number % 2 else {"status": Story.Status.DRAFT}
        publish(
            f"Новина {number}",
            section=Section.objects.create(name=f"Рубрика {number}"),
            sources=[Source.objects.create(name=f"Джерело {number}")],
            tags=[f"Тег {number}"],
            **state,
        )
    assert filter_page_cost(client, django_assert_max_num_queries, url) == few


# Related links: "Read also" inline and "More on this topic"


def link_page(client, story):
    cache.clear()
    return html_of(client, story.get_absolute_url())


@pytest.fixture
def embargoed(publish):
    return publish(
        "Ексклюзив: міністр іде у відставку",
        slug="ekskliuzyv",
        embargo_until=datetime.now(KYIV) + timedelta(days=1),
        when=datetime(2024, 3, 27, 9, tzinfo=KYIV),
    )


@pytest.mark.parametrize("kind", RelatedLink.Kind.values)
def test_a_link_the_tool_filled_from_a_hidden_story_prints_nothing_of_it(client, site, embargoed, kind):
    """A link titled with the embargoed story's headline prints neither it nor its address, even with an outside URL."""
    RelatedLink.objects.create(
        story=site, kind=kind, paragraph=1, title=embargoed.headline, target=embargoed, date=date(2024, 3, 27)
    )
    RelatedLink.objects.create(
        story=site,
        kind=kind,
        paragraph=1,
        title=f"«{embargoed.headline}»",
        target=embargoed,
        url="https://agency.example/exclusive",
    )
    html = link_page(client, site)
    assert "міністр іде у відставку" not in html and "ekskliuzyv" not in html
    assert "agency.example" not in html and "27.03.2024" not in html


@pytest.mark.parametrize("kind", RelatedLink.Kind.values)
def test_a_link_to_a_hidden_story_with_its_own_title_and_outside_address_leads_there(client, site, embargoed, kind):
    """An editor's own title and outside URL are printed, without the date the hidden story lent the link."""
    RelatedLink.objects.create(
        story=site,
        kind=kind,
        paragraph=1,
        title="Що пишуть агенції",
        target=embargoed,
        url="https://agency.example/report",
        date=date(2024, 3, 27),
    )
    html = link_page(client, site)
    assert '<a href="https://agency.example/report"' in html and "Що пишуть агенції" in html
    assert "27.03.2024" not in html and "ekskliuzyv" not in html


@pytest.mark.parametrize("kind", RelatedLink.Kind.values)
def test_an_on_site_address_of_a_hidden_story_is_never_printed(client, site, embargoed, kind):
    """Resolved or not, a link whose address is the embargoed story's page on this site is not printed at all."""
    address = embargoed.get_absolute_url()
    RelatedLink.objects.create(story=site, kind=kind, paragraph=1, title="Важлива новина", url=address)
    RelatedLink.objects.create(
        story=site, kind=kind, paragraph=1, title="Теж важлива", url=f"http://testserver{address}", target=embargoed
    )
    html = link_page(client, site)
    assert address not in html and "Важлива новина" not in html and "Теж важлива" not in html


def test_an_unresolved_link_named_after_a_draft_is_not_printed(client, site, publish):
    """A plain-text link whose title is a draft's headline is left out; another plain-text reference stays."""
    publish("Чернетка про вибори", status=Story.Status.DRAFT)
    RelatedLink.objects.create(story=site, title="Чернетка про вибори")
    RelatedLink.objects.create(story=site, title="Газета «День», 12 березня")
    html = link_page(client, site)
    assert "Чернетка про вибори" not in html and "<span>Газета «День», 12 березня</span>" in html


def test_a_link_quoting_a_hidden_headline_is_not_printed(client, site, publish):
    """A title that quotes an unpublished headline («…», with words around it) is left out, address or not."""
    publish("Чернетка про вибори", status=Story.Status.DRAFT)
    RelatedLink.objects.create(story=site, title="Читайте: «Чернетка про вибори»")
    RelatedLink.objects.create(story=site, title="Див. «Чернетка про вибори», Укрінформ", url="https://example.org/a")
    assert "Чернетка про вибори" not in link_page(client, site)


def test_an_unresolved_on_site_address_of_a_public_story_stays(client, site, publish):
    """A link by address to a public story, not yet resolved, still leads there with its date."""
    other = publish("Сеул відповів", when=datetime(2024, 3, 20, 12, tzinfo=KYIV))
    RelatedLink.objects.create(story=site, title="Сеул відповів", url=other.get_absolute_url(), date=date(2024, 3, 20))
    html = link_page(client, site)
    assert f'<a href="{other.get_absolute_url()}">Сеул відповів</a>' in html and "20.03.2024" in html


@pytest.mark.parametrize("kind", RelatedLink.Kind.values)
def test_the_link_appears_with_the_headline_once_its_story_is_public(client, site, embargoed, kind):
    """When the embargo ends, the link the tool filled leads to the story under its headline."""
    RelatedLink.objects.create(story=site, kind=kind, paragraph=1, title=embargoed.headline, target=embargoed)
    assert embargoed.headline not in link_page(client, site)
    Story.objects.filter(pk=embargoed.pk).update(embargo_until=None)
    assert f'<a href="{embargoed.get_absolute_url()}"' in link_page(client, site)


def test_hidden_link_targets_cost_the_story_page_no_query(
    client, site, embargoed, publish, django_assert_max_num_queries
):
    """Links to hidden stories and plain references are judged within the page's own queries."""
    public = publish("Інша новина", when=datetime(2024, 3, 1, 12, tzinfo=KYIV))
    RelatedLink.objects.create(story=site, title=public.headline, target=public)
    cache.clear()
    with django_assert_max_num_queries(8) as plain:
        client.get(site.get_absolute_url())
    RelatedLink.objects.create(story=site, title=embargoed.headline, target=embargoed)
    RelatedLink.objects.create(story=site, title="Довідка", url="https://example.org/a")
    RelatedLink.objects.create(story=site, title="Газета")
    cache.clear()
    with django_assert_max_num_queries(len(plain)):
        html = client.get(site.get_absolute_url()).content.decode()
    assert "Довідка" in html and embargoed.headline not in html
