"""No lost updates: the change form carries the version it was loaded from, and a save over a newer one is refused."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Attribution, Author, Byline, Section, Source, Story
from articles.newsdesk.admin.stories import StoryAdmin
from tests.people import logged_in, staff_member
from tests.test_admin import ADD_URL, CHANGELIST_URL, ENGLISH, assert_saved, change_url, story_post

pytestmark = pytest.mark.django_db

MARCH_28 = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
# As measured with every editor tool on the form (presence, suggestions, revisions); inline rows add nothing
# (tests/test_admin_queries.py).
CHANGE_FORM_BUDGET = 21
CONFLICT_PAGE_BUDGET = 38


@pytest.fixture
def olena(django_user_model):
    olena = staff_member(django_user_model, "olena", "Editor", first_name="Олена", last_name="Петренко")
    return logged_in(olena, **ENGLISH)


@pytest.fixture
def taras(django_user_model):
    taras = staff_member(django_user_model, "taras", "Editor", first_name="Тарас", last_name="Шевчук")
    return logged_in(taras, **ENGLISH)


@pytest.fixture
def story(db):
    story = Story.objects.create(
        headline="Стара назва",
        lead="Старий лід.",
        body="<p>Перший абзац.</p>",
        status=Story.Status.PUBLISHED,
        published_at=MARCH_28,
        section=Section.objects.create(name="Світ", slug="svit"),
    )
    story.tags.add("КНДР")
    Byline.objects.create(story=story, author=Author.objects.create(name="Ірина Бойко"), position=1)
    for position, name in enumerate(["ЦТАК", "Радіо Свобода"], 1):
        Attribution.objects.create(story=story, source=Source.objects.create(name=name), position=position)
    return Story.objects.get(pk=story.pk)


def opened(client, story):
    """Open the change form as a browser would: the version it carries, and the story as the form shows it."""
    response = client.get(change_url(story))
    assert response.status_code == 200
    return int(response.context["adminform"].form["loaded_version"].value()), snapshot(story)


def snapshot(story):
    """The story with its rows read now, so a form built from it later still shows them as they were."""
    return Story.objects.prefetch_related("attributions", "bylines", "tags").get(pk=story.pk)


def form_data(story, version, attributions=None, **fields):
    """The change form of `story` as loaded, with `fields` and attribution rows changed by the editor."""
    rows = [
        {"id": a.pk, "story": story.pk, "source": a.source_id, "position": a.position, "sentence": a.sentence}
        for a in story.attributions.all()
    ]
    for index, changes in (attributions or {}).items():
        rows[index].update(changes)
    bylines = [
        {"id": b.pk, "story": story.pk, "author": b.author_id, "position": b.position} for b in story.bylines.all()
    ]
    data = {
        "headline": story.headline,
        "lead": story.lead,
        "body": story.body,
        "status": story.status,
        "slug": story.slug,
        "section": story.section_id or "",
        "published_at_0": "2024-03-28",
        "published_at_1": "10:00",
        "tags": ", ".join(tag.name for tag in story.tags.all()),
        "loaded_version": version,
        **fields,
    }
    return story_post({"bylines": (bylines, len(bylines)), "attributions": (rows, len(rows))}, **data)


def test_the_change_form_carries_the_version_it_was_loaded_from(olena, story):
    """A hidden field holds the stored version; the add form has none."""
    page = olena.get(change_url(story)).content.decode()
    assert f'name="loaded_version" value="{story.version}"' in page
    assert "loaded_version" not in olena.get(ADD_URL).content.decode()


def test_every_save_of_an_existing_story_raises_its_version(story):
    """save(), with or without update_fields, raises the version by one; creating a story starts at 1."""
    assert story.version == 1
    story.headline = "Нова назва"
    story.save()
    story.lead = "Новий лід."
    story.save(update_fields=["lead"])
    story.refresh_from_db()
    assert (story.version, story.lead) == (3, "Новий лід.")


def test_a_save_over_a_newer_headline_is_refused_and_the_editor_can_merge(olena, taras, story):
    """A saves a headline; B, from the old version, gets the conflict page with both values; B's next save counts."""
    version_a, loaded_a = opened(olena, story)
    version_b, loaded_b = opened(taras, story)
    assert_saved(olena.post(change_url(story), form_data(loaded_a, version_a, headline="Назва від Олени")))

    response = taras.post(change_url(story), form_data(loaded_b, version_b, lead="Лід від Тараса."))

    assert response.status_code == 200
    story.refresh_from_db()
    assert (story.headline, story.lead, story.version) == ("Назва від Олени", "Старий лід.", 2)
    form = response.context["adminform"].form
    assert form["lead"].value() == "Лід від Тараса."
    assert form["loaded_version"].value() == "2"
    page = response.content.decode()
    assert "Олена Петренко saved this story at" in page
    differences = {label: (theirs, yours) for label, theirs, yours, *_ in response.context["conflict"]["differences"]}
    assert differences == {
        "Headline": (["Назва від Олени"], ["Стара назва"]),
        "Lead": (["Старий лід."], ["Лід від Тараса."]),
    }

    # Each stored value can be put back into its field in one click (static/admin/articles/conflict.js).
    assert 'data-use-stored="headline" data-stored-value="Назва від Олени"' in page
    assert 'data-use-stored="lead" data-stored-value="Старий лід."' in page

    merged = form_data(loaded_b, 2, headline="Назва від Олени", lead="Лід від Тараса.")
    assert_saved(taras.post(change_url(story), merged))
    story.refresh_from_db()
    assert (story.headline, story.lead, story.version) == ("Назва від Олени", "Лід від Тараса.", 3)


def test_a_conflict_in_the_inlines_saves_neither_the_story_nor_its_rows(olena, taras, story):
    """A removes an attribution and a tag; B's stale form changes the other attribution and the tags: nothing of B's
    is stored, the panel lists both attribution lists and both tag sets, and B's rows stay in the form."""
    version_a, loaded_a = opened(olena, story)
    version_b, loaded_b = opened(taras, story)
    assert_saved(
        olena.post(change_url(story), form_data(loaded_a, version_a, tags="", attributions={1: {"DELETE": "on"}}))
    )

    data = form_data(loaded_b, version_b, tags="КНДР, Росія", attributions={0: {"sentence": "Повідомило ЦТАК."}})
    response = taras.post(change_url(story), data)

    assert response.status_code == 200
    assert [a.source.name for a in story.attributions.all()] == ["ЦТАК"]
    assert Attribution.objects.get(story=story).sentence == ""
    assert list(story.tags.names()) == []
    differences = {label: (theirs, yours) for label, theirs, yours, *_ in response.context["conflict"]["differences"]}
    assert differences["Attributions"] == (["ЦТАК"], ["ЦТАК — Повідомило ЦТАК.", "Радіо Свобода"])
    assert differences["Tags"] == ([], ["КНДР, Росія"])
    assert "Byline" not in differences
    attributions = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "attributions"
    )
    assert attributions.forms[0]["sentence"].value() == "Повідомило ЦТАК."

    remaining = snapshot(story)
    retry = form_data(remaining, 2, tags="КНДР, Росія", attributions={0: {"sentence": "Повідомило ЦТАК."}})
    assert_saved(taras.post(change_url(story), retry))
    assert Attribution.objects.get(story=story).sentence == "Повідомило ЦТАК."
    assert sorted(story.tags.names()) == ["КНДР", "Росія"]


def test_an_admin_action_in_between_also_conflicts(olena, taras, story):
    """B opened the story; A unpublishes it from the list; B's save shows the change of status instead of undoing it."""
    version_b, loaded_b = opened(taras, story)
    olena.post(CHANGELIST_URL, {"action": "unpublish", "_selected_action": [story.pk], "index": "0"})

    response = taras.post(change_url(story), form_data(loaded_b, version_b, headline="Назва від Тараса"))

    assert response.status_code == 200
    story.refresh_from_db()
    assert (story.status, story.headline) == (Story.Status.DRAFT, "Стара назва")
    differences = {label: (theirs, yours) for label, theirs, yours, *_ in response.context["conflict"]["differences"]}
    assert differences["Status"] == (["draft"], ["published"])
    # Unpublishing is audited, so the panel names who did it.
    assert "Олена Петренко" in response.content.decode()


@pytest.mark.parametrize(
    "action, status",
    [
        ("unpublish", Story.Status.PUBLISHED),
        ("publish", Story.Status.DRAFT),
        ("submit_for_review", Story.Status.DRAFT),
    ],
)
def test_admin_actions_raise_the_version(olena, story, action, status):
    """Bulk actions write the new version in the same UPDATE."""
    Story.objects.filter(pk=story.pk).update(status=status)
    olena.post(CHANGELIST_URL, {"action": action, "_selected_action": [story.pk], "index": "0"})
    story.refresh_from_db()
    assert story.status != status
    assert story.version == 2


def test_an_import_that_updates_a_story_raises_its_version_and_one_that_skips_does_not(tmp_path):
    """Re-importing a changed file is a new version of the story; an unchanged file writes nothing."""
    path = tmp_path / "a.txt"

    def run():
        call_command("import_stories", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        return Story.objects.get().version

    path.write_text("Заголовок першої новини\nЛід першої новини.\nАбзац.\n", encoding="utf-8")
    assert run() == 1
    assert run() == 1
    path.write_text("Заголовок першої новини\nЛід першої новини, уточнений.\nАбзац.\n", encoding="utf-8")
    assert run() == 2


def test_a_post_without_the_version_is_refused_not_saved(olena, story):
    """A forged or truncated POST cannot overwrite the story: it gets a form error and the stored version."""
    data = form_data(story, "", headline="Підроблена назва")
    del data["loaded_version"]

    response = olena.post(change_url(story), data)

    assert response.status_code == 200
    assert "did not say which version" in str(response.context["adminform"].form.non_field_errors())
    story.refresh_from_db()
    assert (story.headline, story.version) == ("Стара назва", 1)
    assert response.context["adminform"].form["loaded_version"].value() == "1"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks the whole database, not rows")
def test_the_save_compares_versions_under_a_row_lock(olena, story):
    """The stored version is read with SELECT ... FOR UPDATE, so no other save slips in between check and write."""
    version, loaded = opened(olena, story)
    with CaptureQueriesContext(connection) as queries:
        assert_saved(olena.post(change_url(story), form_data(loaded, version, headline="Нова назва")))
    locks = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert any('"version"' in sql and "articles_story" in sql for sql in locks)


def test_adding_a_story_needs_no_version(olena):
    """New stories are created as before."""
    assert_saved(olena.post(ADD_URL, story_post(headline="Нова історія")))
    assert Story.objects.get(headline="Нова історія").version == 1


def add_rows(story, count):
    for number in range(count):
        source = Source.objects.create(name=f"Джерело {story.pk}-{number}")
        Attribution.objects.create(story=story, source=source, position=number + 10)
        Byline.objects.create(story=story, author=Author.objects.create(name=f"Автор {number}"), position=number + 10)
        story.tags.add(f"тег {number}")


@pytest.fixture
def queries_by_part(monkeypatch):
    """How many queries the presence notice and the conflict panel make, per request part."""
    counts = {}

    def counted(name, method):
        def wrapper(*args, **kwargs):
            with CaptureQueriesContext(connection) as queries:
                result = method(*args, **kwargs)
            counts[name] = len(queries)
            return result

        return wrapper

    for name in ("presence_context", "conflict_context"):
        monkeypatch.setattr(StoryAdmin, name, counted(name, getattr(StoryAdmin, name)))
    return counts


def test_presence_and_conflict_panel_cost_the_same_however_many_rows(olena, taras, story, queries_by_part):
    """Neither the presence notice nor the conflict panel queries per inline row or per tag."""
    big = Story.objects.create(headline="Велика історія", body="<p>Текст.</p>", published_at=MARCH_28)
    add_rows(big, 6)
    costs = []
    for target in (story, big):
        version, loaded = opened(taras, target)
        Story.objects.get(pk=target.pk).save()
        response = taras.post(change_url(target), form_data(loaded, version, lead="Лід від Тараса."))
        assert response.context["conflict"]["differences"]
        costs.append(dict(queries_by_part))
    assert costs[0] == costs[1]
    # Presence: drop stale rows, upsert this one, read the others. Conflict: the stored story with its rows
    # (1 + 6 prefetches), the latest admin log entry, and the latest revision when django-reversion tracks stories.
    assert costs[0]["presence_context"] == 3
    assert costs[0]["conflict_context"] <= 10


def test_the_change_form_and_the_conflict_page_keep_a_query_budget(olena, taras, story, django_assert_max_num_queries):
    """The story's change form, and the same form with the conflict panel, within a pinned number of queries.

    (The inline rows cost nothing per row, tests/test_admin_queries.py; the test above shows that the parts
    added here do not grow with the rows either.)
    """
    with django_assert_max_num_queries(CHANGE_FORM_BUDGET):
        olena.get(change_url(story))
    version, loaded = opened(taras, story)
    Story.objects.get(pk=story.pk).save()
    with django_assert_max_num_queries(CONFLICT_PAGE_BUDGET):
        response = taras.post(change_url(story), form_data(loaded, version, lead="Лід від Тараса."))
    assert response.context["conflict"]
