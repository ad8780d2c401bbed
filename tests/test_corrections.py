from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from articles.models import Correction, Story
from tests.test_admin import ENGLISH, change_url, formset, story_post
from tests.test_metadata import json_ld, page

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
FIRST_NOTE = datetime(2024, 3, 28, 12, 30, tzinfo=UTC)


@pytest.fixture
def story(make_story):
    return make_story("Повінь на Дністрі", published_at=PUBLISHED, tags=["Повінь"])


def note(story, text, at, kind=Correction.Kind.CORRECTION):
    return Correction.objects.create(story=story, text=text, published_at=at, kind=kind)


def test_corrections_appear_on_the_story_page_oldest_first_with_their_kind(client, story):
    """The story page lists its corrections and updates, oldest first, each with its kind."""
    note(story, "Рівень води уточнено.", FIRST_NOTE + timedelta(hours=2), Correction.Kind.UPDATE)
    note(story, "Назву села виправлено.", FIRST_NOTE)

    html = page(client, story.get_absolute_url())

    assert "Виправлення та оновлення" in html
    assert html.index("Назву села виправлено.") < html.index("Рівень води уточнено.")
    assert "Виправлення:" in html and "Оновлення:" in html


def test_correction_time_is_printed_in_the_ukrainian_style(client, story, settings):
    """A note's date and time read like the rest of the Ukrainian site: day, month in the genitive, year, time."""
    settings.TIME_ZONE = "Europe/Kyiv"
    note(story, "Назву села виправлено.", FIRST_NOTE)

    html = page(client, story.get_absolute_url())

    assert "28 березня 2024, 14:30" in html


def test_story_without_corrections_has_no_corrections_section(client, story):
    """No heading for an empty list."""
    assert "Виправлення та оновлення" not in page(client, story.get_absolute_url())


def test_corrections_are_correction_comments_in_the_json_ld(client, story):
    """Each note is a schema.org CorrectionComment with its text and publication time, in page order."""
    note(story, "Друге.", FIRST_NOTE + timedelta(hours=1), Correction.Kind.UPDATE)
    note(story, "Перше.", FIRST_NOTE)

    article = json_ld(page(client, story.get_absolute_url()))["NewsArticle"]

    assert [item["text"] for item in article["correction"]] == ["Перше.", "Друге."]
    assert article["correction"][0]["@type"] == "CorrectionComment"
    assert datetime.fromisoformat(article["correction"][0]["datePublished"]) == FIRST_NOTE


def test_story_without_corrections_has_no_correction_key(client, story):
    """An empty list is left out of the JSON-LD, like the other empty properties."""
    assert "correction" not in json_ld(page(client, story.get_absolute_url()))["NewsArticle"]


def test_corrections_of_an_unpublished_story_are_not_public(client, story):
    """A story moved back to draft takes its notes off the site with it."""
    note(story, "Назву села виправлено.", FIRST_NOTE)
    url = story.get_absolute_url()
    Story.objects.filter(pk=story.pk).update(status=Story.Status.DRAFT)
    cache.clear()

    assert client.get(url).status_code == 404


def test_a_new_correction_reaches_a_cached_page(client, story):
    """Adding a note invalidates the page cache, so readers see it at once."""
    url = story.get_absolute_url()
    page(client, url)

    note(story, "Назву села виправлено.", FIRST_NOTE)

    assert "Назву села виправлено." in page(client, url)


def test_corrections_cost_the_page_one_query_at_most(client, story, django_assert_max_num_queries):
    """A page without notes spends no query on them; one with several notes spends exactly one, within budget."""
    url = story.get_absolute_url()
    cache.clear()
    with django_assert_max_num_queries(8) as without:
        client.get(url)
    for minute in range(5):
        note(story, f"Примітка {minute}.", FIRST_NOTE + timedelta(minutes=minute))
    cache.clear()
    with django_assert_max_num_queries(8) as with_notes:
        response = client.get(url)

    assert "Примітка 4." in response.content.decode()
    assert len(with_notes) == len(without) + 1
    assert not any("articles_correction" in query["sql"] and "EXISTS" not in query["sql"] for query in without)


def test_editor_adds_a_correction_in_the_story_admin(client, django_user_model, story):
    """The ordered inline on the change form saves a note and remembers who wrote it."""
    editor = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    data = story_post(
        headline=story.headline,
        status=Story.Status.PUBLISHED,
        slug=story.slug,
        published_at_0="2024-03-28",
        published_at_1="08:00",
        loaded_version=story.version,
    )
    data.update(
        formset(
            "corrections",
            [
                {
                    "kind": "update",
                    "text": "Додано коментар ДСНС.",
                    "published_at_0": "2024-03-28",
                    "published_at_1": "15:00",
                }
            ],
        )
    )

    response = client.post(change_url(story), data, **ENGLISH)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    correction = story.corrections.get()
    assert (correction.kind, correction.text, correction.created_by) == ("update", "Додано коментар ДСНС.", editor)


def test_change_form_shows_the_corrections_inline(admin_client, story):
    """Editors find the corrections on the story's change form."""
    response = admin_client.get(reverse("admin:articles_story_change", args=[story.pk]), **ENGLISH)

    assert "corrections-TOTAL_FORMS" in response.content.decode()


def test_the_heaviest_story_page_stays_within_eight_queries(client, make_story, django_assert_max_num_queries):
    """A story with a section, translations, tags, sources, links, a byline and corrections: at most 8 queries, cold."""
    from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source

    section = Section.objects.create(name="Світ", slug="svit")
    original = make_story("Оригінал новини", section=section, tags=["КНДР", "Росія", "Санкції"])
    make_story("Перевод новости", language="ru", translation_of=original, section=section, tags=["КНДР"])
    make_story(
        "Сусідня новина", section=section, tags=["Росія"], published_at=original.published_at - timedelta(hours=2)
    )
    for number in range(4):
        source = Source.objects.create(name=f"Джерело {number}")
        Attribution.objects.create(story=original, source=source, position=number, sentence="Речення.")
        RelatedLink.objects.create(
            story=original, position=number, title=f"Посилання {number}", url="https://x.example/"
        )
    Byline.objects.create(story=original, author=Author.objects.create(name="Автор"), position=1)
    note(original, "Виправлено дату.", original.published_at + timedelta(hours=1))
    cache.clear()
    with django_assert_max_num_queries(8):
        response = client.get(original.get_absolute_url())
    html = response.content.decode()
    assert "Виправлено дату." in html and "Сусідня новина" in html and 'hreflang="ru"' in html
