from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story, Tag

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_story_add")
CHANGELIST_URL = reverse("admin:articles_story_changelist")
AUTOCOMPLETE_URL = reverse("admin:autocomplete")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
MARCH_28 = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
NOVEMBER_13 = datetime(2024, 11, 13, 8, 0, tzinfo=UTC)
INLINE_PREFIXES = ["bylines", "attributions", "related_links", "corrections"]


def formset(prefix, rows, initial=0):
    """Management form and rows of one inline, as the admin page posts them."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def story_post(inlines=None, **fields):
    """The story form with empty inlines unless `inlines` gives (rows, initial count) per prefix."""
    data = {
        "headline": "Наришкін у Пхеньяні",
        "lead": "",
        "body": "<p>Перший абзац.</p>",
        "tags": "",
        "status": Story.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "embargo_until_0": "",
        "embargo_until_1": "",
        "section": "",
        "language": "uk",
        "slug": "",
        "hero_image_alt": "",
        "hero_image_caption": "",
        "hero_image_credit": "",
    }
    data.update(fields)
    inlines = inlines or {}
    for prefix in INLINE_PREFIXES:
        rows, initial = inlines.get(prefix, ([], 0))
        data.update(formset(prefix, rows, initial))
    return data


def opened_version(story):
    """The version a change form opened now carries (articles/newsdesk/admin/concurrency.py); a save must send it back."""
    return Story.objects.values_list("version", flat=True).get(pk=story.pk)


def change_url(obj):
    return reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])


def assert_saved(response):
    """A redirect means the admin accepted the form; otherwise show its errors."""
    if response.status_code != 302:
        errors = [response.context["adminform"].form.errors]
        errors += [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
        pytest.fail(f"admin did not save: {errors}")


def changelist_rows(client, **params):
    response = client.get(CHANGELIST_URL, params)
    assert response.status_code == 200
    return {story.headline for story in response.context["cl"].result_list}


def run_action(client, action, stories):
    data = {"action": action, "_selected_action": [story.pk for story in stories], "index": "0"}
    # English whether or not LocaleMiddleware picks the language from the request.
    with translation.override("en"):
        response = client.post(CHANGELIST_URL, data, follow=True, **ENGLISH)
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def catalog(db):
    return {
        "world": Section.objects.create(name="Світ", slug="svit"),
        "economy": Section.objects.create(name="Економіка", slug="ekonomika"),
        "olena": Author.objects.create(name="Олена Коваленко"),
        "taras": Author.objects.create(name="Тарас Шевчук"),
        "kcna": Source.objects.create(name="ЦТАК", kind=Source.Kind.AGENCY),
        "svr": Source.objects.create(name="Служба зовнішньої розвідки РФ", aliases="СЗР\nSVR"),
        "liberty": Source.objects.create(name="Радіо Свобода", kind=Source.Kind.BROADCASTER),
    }


def naryshkin_inlines(catalog):
    """Inline rows of the seed story, none with a position typed in."""
    links = [
        {"kind": "read_also", "paragraph": "1", "title": "«Без допомоги КНДР ситуація була б катастрофічною»"},
        {"kind": "more", "title": "У США підтвердили участь військ КНДР", "date": "2024-11-13"},
        {"kind": "more", "title": "КНДР закріпила партнерство з Росією", "url": "https://example.com/a"},
    ]
    attributions = [
        {"source": catalog["kcna"].pk, "sentence": "Про це повідомило агентство ЦТАК."},
        {"source": catalog["svr"].pk, "position": "0", "sentence": "Інформацію підтвердили у СЗР."},
    ]
    bylines = [{"author": catalog["taras"].pk}, {"author": catalog["olena"].pk}]
    return {"bylines": (bylines, 0), "attributions": (attributions, 0), "related_links": (links, 0)}


def test_adding_a_story_saves_its_ordered_inlines_tags_and_transliterated_slug(admin_client, catalog):
    """Rows left without a position keep the order they were submitted in; tags and slug are transliterated."""
    data = story_post(
        naryshkin_inlines(catalog),
        tags="КНДР, Росія",
        status=Story.Status.PUBLISHED,
        section=catalog["world"].pk,
        published_at_0="2024-03-28",
        published_at_1="10:00",
    )

    assert_saved(admin_client.post(ADD_URL, data))

    story = Story.objects.get()
    assert story.slug == "naryshkin-u-pkheniani"
    assert story.section == catalog["world"]
    assert sorted(tag.slug for tag in story.tags.all()) == ["kndr", "rosiia"]
    bylines = story.bylines.all()
    assert [(b.author, b.position) for b in bylines] == [(catalog["taras"], 1), (catalog["olena"], 2)]
    attributions = story.attributions.all()
    assert [(a.source, a.position) for a in attributions] == [(catalog["kcna"], 1), (catalog["svr"], 2)]
    links = story.related_links.all()
    assert [(link.kind, link.position) for link in links] == [("read_also", 1), ("more", 2), ("more", 3)]
    assert links[0].paragraph == 1
    assert links[1].date.isoformat() == "2024-11-13"


def test_typed_positions_order_the_rows_and_are_renumbered(admin_client, catalog):
    """Positions an editor types decide the order; a blank row keeps its submitted place; numbering is 1..n."""
    rows = [
        {"source": catalog["kcna"].pk, "position": "30"},
        {"source": catalog["svr"].pk},
        {"source": catalog["liberty"].pk, "position": "1"},
    ]

    assert_saved(admin_client.post(ADD_URL, story_post({"attributions": (rows, 0)})))

    attributions = Story.objects.get().attributions.all()
    expected = [(catalog["liberty"], 1), (catalog["svr"], 2), (catalog["kcna"], 3)]
    assert [(a.source, a.position) for a in attributions] == expected


@pytest.fixture
def story_with_inlines(make_story, catalog):
    story = make_story("Стара назва", published_at=MARCH_28)
    Byline.objects.create(story=story, author=catalog["olena"], position=1)
    Byline.objects.create(story=story, author=catalog["taras"], position=2)
    Attribution.objects.create(story=story, source=catalog["kcna"], position=1)
    Attribution.objects.create(story=story, source=catalog["svr"], position=2)
    return story


def change_post(story, bylines, attributions, **fields):
    """The change form of `story`, with its current field values and the given existing inline rows."""
    local = timezone.localtime(story.published_at)
    fields = {
        "headline": story.headline,
        "body": story.body,
        "status": story.status,
        "slug": story.slug,
        "published_at_0": local.date().isoformat(),
        "published_at_1": local.time().isoformat(),
        "loaded_version": opened_version(story),
        **fields,
    }
    inlines = {
        "bylines": (
            [{"id": b.pk, "story": story.pk, "author": b.author_id, **row} for b, row in bylines],
            len(bylines),
        ),
        "attributions": (
            [{"id": a.pk, "story": story.pk, "source": a.source_id, **row} for a, row in attributions],
            len(attributions),
        ),
    }
    return story_post(inlines, **fields)


def test_changing_a_story_reorders_and_deletes_inline_rows(admin_client, story_with_inlines, catalog):
    """Swapped positions reorder the byline, a deleted attribution is gone, the rest is renumbered."""
    story = story_with_inlines
    olena, taras = story.bylines.all()
    kcna, svr = story.attributions.all()
    data = change_post(
        story,
        bylines=[(olena, {"position": "2"}), (taras, {"position": "1"})],
        attributions=[(kcna, {"position": "1", "DELETE": "on"}), (svr, {"position": "2"})],
        headline="Наришкін провів три дні у Пхеньяні",
    )

    assert_saved(admin_client.post(change_url(story), data))

    story.refresh_from_db()
    assert story.headline == "Наришкін провів три дні у Пхеньяні"
    assert story.slug == "stara-nazva"
    assert [(b.author, b.position) for b in story.bylines.all()] == [(catalog["taras"], 1), (catalog["olena"], 2)]
    assert [(a.source, a.position) for a in story.attributions.all()] == [(catalog["svr"], 1)]


def test_a_new_row_without_position_goes_after_the_existing_ones(admin_client, story_with_inlines, catalog):
    """Adding a byline with an empty position on the change form appends it to the byline."""
    story = story_with_inlines
    olena, taras = story.bylines.all()
    data = change_post(story, bylines=[(olena, {"position": "1"}), (taras, {"position": "2"})], attributions=[])
    data.update({"bylines-TOTAL_FORMS": "3", "bylines-2-author": Author.objects.create(name="Ірина Бойко").pk})

    assert_saved(admin_client.post(change_url(story), data))

    names = [(b.author.name, b.position) for b in story.bylines.all()]
    assert names == [("Олена Коваленко", 1), ("Тарас Шевчук", 2), ("Ірина Бойко", 3)]


def test_a_related_link_naming_another_story_is_resolved_on_save(admin_client, make_story):
    """After the admin saves a story, its link whose title is another story's headline points at that story."""
    other = make_story("КНДР законодавчо закріпила стратегічне партнерство з Росією", published_at=NOVEMBER_13)
    links = [
        {"kind": "more", "title": "КНДР законодавчо закріпила стратегічне партнерство з Росією"},
        {"kind": "more", "title": "Історія, якої немає на сайті"},
    ]

    assert_saved(admin_client.post(ADD_URL, story_post({"related_links": (links, 0)})))

    story = Story.objects.exclude(pk=other.pk).get()
    assert [link.target for link in story.related_links.all()] == [other, None]


def test_body_markup_posted_through_the_admin_is_sanitised(admin_client):
    """Scripts and event-handler attributes never reach the database."""
    body = '<p onclick="steal()">Текст <a href="javascript:alert(1)">посилання</a></p><script>alert(1)</script>'

    assert_saved(admin_client.post(ADD_URL, story_post(body=body)))

    stored = Story.objects.get().body
    assert "<script" not in stored
    assert "onclick" not in stored
    assert "javascript:" not in stored
    assert "Текст" in stored


def test_publish_sets_the_time_when_missing_and_keeps_a_scheduled_one(admin_client, make_story):
    """Publishing a draft stamps it now, a draft with a future time stays scheduled, a live story is untouched."""
    later = timezone.now() + timedelta(days=2)
    draft = make_story("Чернетка", status=Story.Status.DRAFT, published_at=None)
    scheduled = make_story("Заплановано", status=Story.Status.IN_REVIEW, published_at=later)
    live = make_story("Вже опубліковано")
    before = timezone.now()

    messages = run_action(admin_client, "publish", [draft, scheduled, live])

    assert messages == ["2 stories were published."]
    draft.refresh_from_db()
    scheduled.refresh_from_db()
    assert draft.status == scheduled.status == Story.Status.PUBLISHED
    assert before <= draft.published_at <= timezone.now()
    assert scheduled.published_at == later
    assert list(Story.objects.scheduled()) == [scheduled]


def test_publish_refuses_a_slug_already_used_that_day(admin_client, make_story):
    """A draft whose slug a story published today already has stays a draft, with a warning naming it."""
    make_story("Новина дня", published_at=timezone.now())
    draft = make_story("Новина дня", status=Story.Status.DRAFT, published_at=None)

    messages = run_action(admin_client, "publish", [draft])

    assert messages[0] == "0 stories were published."
    assert messages[1].startswith("1 story was not published: novyna-dnia:")
    draft.refresh_from_db()
    assert draft.status == Story.Status.DRAFT


def test_publish_refuses_two_drafts_with_one_slug(admin_client, make_story):
    """Of two drafts sharing a slug published together, only one goes out, so no day has the slug twice."""
    drafts = [make_story("Новина дня", status=Story.Status.DRAFT, published_at=None) for _ in range(2)]

    messages = run_action(admin_client, "publish", drafts)

    assert messages[0] == "1 story was published."
    assert Story.objects.filter(status=Story.Status.PUBLISHED).count() == 1


def test_unpublish_moves_live_stories_back_to_draft(admin_client, make_story):
    """Unpublishing changes only published stories and says how many."""
    live = make_story("Жива новина")
    withdrawn = make_story("Відкликана", status=Story.Status.WITHDRAWN)

    messages = run_action(admin_client, "unpublish", [live, withdrawn])

    assert messages == ["1 story was moved back to draft."]
    assert Story.objects.get(pk=live.pk).status == Story.Status.DRAFT
    assert Story.objects.get(pk=withdrawn.pk).status == Story.Status.WITHDRAWN


@pytest.fixture
def listed(make_story, catalog):
    make_story(
        "Наришкін у Пхеньяні",
        section=catalog["world"],
        published_at=MARCH_28,
        tags=["КНДР"],
        body="<p>Візит відбувся на тлі постачання боєприпасів.</p>",
    )
    make_story("Черновик о России", status=Story.Status.DRAFT, published_at=None, language="ru", tags=["Росія"])
    make_story("Sanctions explained", section=catalog["economy"], published_at=NOVEMBER_13, language="en")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "draft"}, {"Черновик о России"}),
        ({"language__exact": "en"}, {"Sanctions explained"}),
        ({"tag": "kndr"}, {"Наришкін у Пхеньяні"}),
        ({"tag": "rosiia"}, {"Черновик о России"}),
        ({"published_at__year": "2024", "published_at__month": "3"}, {"Наришкін у Пхеньяні"}),
        ({"published_at__isnull": "True"}, {"Черновик о России"}),
        (
            {"published_at__gte": "2024-11-01T00:00:00+02:00", "published_at__lt": "2024-12-01T00:00:00+02:00"},
            {"Sanctions explained"},
        ),
        ({"q": "Пхеньян"}, {"Наришкін у Пхеньяні"}),
        ({"q": "боєприпасів"}, {"Наришкін у Пхеньяні"}),
        ({"q": "sanctions-explained"}, {"Sanctions explained"}),
    ],
)
def test_changelist_filters_and_search_return_the_right_stories(admin_client, listed, params, expected):
    """Each filter (status, language, tag, date) and the search keep exactly the matching stories."""
    assert changelist_rows(admin_client, **params) == expected


def test_changelist_filters_by_section(admin_client, listed, catalog):
    """The section filter keeps the stories of that section."""
    assert changelist_rows(admin_client, section__id__exact=catalog["economy"].pk) == {"Sanctions explained"}


def test_changelist_shows_tags_and_a_site_link_only_for_live_stories(admin_client, make_story):
    """A live story links to its page from the list and the form; a draft links nowhere."""
    live = make_story("Жива новина", tags=["КНДР", "Росія"])
    draft = make_story("Чернетка", status=Story.Status.DRAFT)

    page = admin_client.get(CHANGELIST_URL).content.decode()

    assert "КНДР, Росія" in page
    assert f'href="{live.get_absolute_url()}"' in page
    assert f'href="{draft.get_absolute_url()}"' not in page
    assert admin_client.get(change_url(live)).context["absolute_url"] == live.get_absolute_url()
    assert not admin_client.get(change_url(draft)).context["has_absolute_url"]


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("story", "section", "Сві", "Світ"),
        ("attribution", "source", "СЗР", "Служба зовнішньої розвідки РФ"),
        ("byline", "author", "Ковал", "Олена Коваленко"),
        ("relatedlink", "target", "Пхеньян", "Наришкін у Пхеньяні"),
    ],
)
def test_autocomplete_finds_sections_sources_authors_and_stories(
    admin_client, catalog, make_story, model_name, field_name, term, expected
):
    """The admin's autocomplete endpoints answer JSON for every autocompleted field (sources also by alias)."""
    make_story("Наришкін у Пхеньяні")
    params = {"app_label": "articles", "model_name": model_name, "field_name": field_name, "term": term}

    response = admin_client.get(AUTOCOMPLETE_URL, params)

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [expected]


@pytest.mark.parametrize("model_name", ["source", "section", "author", "tag", "story"])
@pytest.mark.parametrize("view", ["changelist", "add"])
def test_admin_pages_render(admin_client, catalog, make_story, model_name, view):
    """Every editor's list and add form renders."""
    make_story("Наришкін у Пхеньяні", tags=["КНДР"])

    assert admin_client.get(reverse(f"admin:articles_{model_name}_{view}")).status_code == 200


@pytest.mark.parametrize("obj_name", ["world", "olena", "svr"])
def test_catalog_change_forms_render(admin_client, catalog, obj_name):
    """Sections, authors and sources open for editing."""
    assert admin_client.get(change_url(catalog[obj_name])).status_code == 200


def test_story_change_form_renders_with_its_inlines(admin_client, story_with_inlines):
    """A story with a byline and attributions opens for editing, its rows in order."""
    response = admin_client.get(change_url(story_with_inlines))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Олена Коваленко") < page.index("Тарас Шевчук")
    assert page.index("ЦТАК") < page.index("Служба зовнішньої розвідки РФ")


def test_tag_list_links_each_count_to_its_stories(admin_client, make_story):
    """The story count of a tag links to the story list filtered by that tag."""
    make_story("Наришкін у Пхеньяні", tags=["КНДР"])
    make_story("Інша новина", tags=["Росія"])

    page = admin_client.get(reverse("admin:articles_tag_changelist")).content.decode()

    assert f'href="{CHANGELIST_URL}?tag=kndr"' in page
    assert changelist_rows(admin_client, tag="kndr") == {"Наришкін у Пхеньяні"}


def test_taggit_default_tag_admin_is_hidden(admin_client):
    """Only our tag model is in the admin; taggit's unused one is unregistered."""
    index = admin_client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:articles_tag_changelist") in index
    assert "/admin/taggit/" not in index


def test_catalog_slugs_left_empty_are_transliterated_and_unique(admin_client):
    """An empty slug is made from the name in KMU-2010 Latin, numbered when another row has it."""
    for name in ["Олена Коваленко", "Олена Коваленко"]:
        assert_saved(admin_client.post(reverse("admin:articles_author_add"), {"name": name, "slug": ""}))
    section = {"name": "Війна", "slug": "", "position": "1", "description": ""}
    assert_saved(admin_client.post(reverse("admin:articles_section_add"), section))
    assert_saved(admin_client.post(reverse("admin:articles_tag_add"), {"name": "Північна Корея", "slug": ""}))

    assert sorted(Author.objects.values_list("slug", flat=True)) == ["olena-kovalenko", "olena-kovalenko-2"]
    assert Section.objects.get().slug == "viina"
    assert Tag.objects.get().slug == "pivnichna-koreia"


def test_a_cyrillic_tag_slug_is_refused(admin_client):
    """Tag pages need ASCII slugs, so the tag form rejects a Cyrillic one."""
    response = admin_client.post(reverse("admin:articles_tag_add"), {"name": "Росія", "slug": "росія"})

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("model_name", "column"),
    [("source", "attribution_count"), ("tag", "story_count"), ("author", "story_count")],
)
def test_catalog_lists_count_usage_in_one_query(admin_client, catalog, make_story, model_name, column):
    """Usage counts come annotated: the list costs the same with 1 or 12 stories using every row."""

    def use_everything(headline):
        story = make_story(headline, tags=["КНДР", "Росія"])
        for position, key in enumerate(["kcna", "svr", "liberty"], 1):
            Attribution.objects.create(story=story, source=catalog[key], position=position)
        Byline.objects.create(story=story, author=catalog["olena"])

    url = reverse(f"admin:articles_{model_name}_changelist")
    use_everything("Перша")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for number in range(11):
        use_everything(f"Новина {number}")
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)

    assert len(many) == len(few)
    assert max(getattr(row, column) for row in response.context["cl"].result_list) == 12


def make_listed_stories(make_story, count, start=0):
    sections = [
        Section.objects.get_or_create(name=name, slug=slug)[0] for name, slug in [("Світ", "svit"), ("Війна", "viina")]
    ]
    for number in range(start, start + count):
        story = make_story(f"Новина {number}", section=sections[number % 2], tags=["КНДР", f"Тег {number}"])
        RelatedLink.objects.create(story=story, title="Посилання")


def test_story_changelist_has_a_fixed_query_budget(admin_client, make_story, django_assert_max_num_queries):
    """The story list costs the same few queries with 3 or 30 tagged stories (no query per row)."""
    make_listed_stories(make_story, 3)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CHANGELIST_URL)
    make_listed_stories(make_story, 27, start=3)

    # 13: the list, its counts and filters, tags in one prefetch, and who has the stories open in one more.
    with django_assert_max_num_queries(13) as many:
        response = admin_client.get(CHANGELIST_URL)

    assert len(response.context["cl"].result_list) == 30
    assert len(many) == len(few)
