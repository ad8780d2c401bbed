"""Who else is editing: a notice on the change form, kept current by a heartbeat, ended when the page is left."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from articles.models.editorial import EditingSession
from articles.newsdesk.presence import PRESENCE_SECONDS, record_presence
from tests.people import logged_in, staff_member
from tests.test_admin import ENGLISH, assert_saved, change_url, story_post

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "admin" / "articles" / "presence.js"


@pytest.fixture
def olena(django_user_model):
    return staff_member(django_user_model, "olena", "Editor", first_name="Олена", last_name="Петренко")


@pytest.fixture
def taras(django_user_model):
    return staff_member(django_user_model, "taras", "Editor")


@pytest.fixture
def story(db):
    return Story.objects.create(headline="Історія", body="<p>Текст.</p>", status=Story.Status.DRAFT)


def presence_url(story):
    return reverse("admin:articles_story_presence", args=[story.pk])


def notice(response):
    return response.context["presence_notice"]


def test_the_notice_names_the_other_editor_not_yourself(olena, taras, story):
    """Opening the form records you; whoever opens it next sees your name, and you see theirs on your next visit."""
    first = logged_in(olena, **ENGLISH).get(change_url(story))
    assert notice(first) == ""
    assert 'id="story-presence"' in first.content.decode()

    second = logged_in(taras, **ENGLISH).get(change_url(story))
    assert notice(second) == "Олена Петренко is also editing this story."
    assert "Олена Петренко is also editing this story." in second.content.decode()

    again = logged_in(olena, **ENGLISH).get(change_url(story))
    assert notice(again) == "taras is also editing this story."
    assert "Олена" not in notice(again)


def test_the_heartbeat_refreshes_the_session_and_returns_the_others_as_json(olena, taras, story):
    """POST to the presence URL keeps your row fresh and answers with the other editors' names and the notice."""
    record_presence(story, olena, now=timezone.now() - timedelta(seconds=60))
    client = logged_in(taras, **ENGLISH)

    response = client.post(presence_url(story))

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "others": ["Олена Петренко"],
        "notice": "Олена Петренко is also editing this story.",
    }
    assert EditingSession.objects.get(story=story, user=taras).seen_at > timezone.now() - timedelta(seconds=5)
    assert client.get(presence_url(story)).status_code == 405


def test_sessions_gone_quiet_are_not_shown_and_are_removed(olena, taras, story):
    """A tab that stopped sending heartbeats more than the presence window ago no longer counts, and its row goes."""
    record_presence(story, olena, now=timezone.now() - timedelta(seconds=PRESENCE_SECONDS + 1))

    response = logged_in(taras, **ENGLISH).get(change_url(story))

    assert notice(response) == ""
    assert not EditingSession.objects.filter(user=olena).exists()


def test_the_end_flag_removes_your_session_only(olena, taras, story):
    """Leaving the page (sendBeacon with `end`) forgets your session; the other editor's stays."""
    record_presence(story, olena)
    record_presence(story, taras)

    response = logged_in(taras, **ENGLISH).post(presence_url(story), {"end": "1"})

    assert response.status_code == 200
    assert list(EditingSession.objects.values_list("user__username", flat=True)) == ["olena"]


def test_a_successful_save_ends_the_savers_session(olena, story):
    """Saving leaves the form, so the editor no longer counts as editing."""
    client = logged_in(olena, **ENGLISH)
    version = client.get(change_url(story)).context["adminform"].form["loaded_version"].value()
    assert EditingSession.objects.filter(user=olena).exists()

    data = story_post(headline="Історія", slug=story.slug, loaded_version=version)
    assert_saved(client.post(change_url(story), data))

    assert not EditingSession.objects.filter(user=olena).exists()


def test_a_reporter_may_not_watch_someone_elses_story(django_user_model, olena, story):
    """The presence URL checks view permission on the story: another reporter's draft is 403, one's own is fine."""
    reporter = staff_member(django_user_model, "reporter", "Reporter")
    client = logged_in(reporter, **ENGLISH)
    assert client.post(presence_url(story)).status_code == 403

    own = Story.objects.create(headline="Моя чернетка", created_by=reporter)
    assert client.post(presence_url(own)).status_code == 200
    assert not EditingSession.objects.filter(story=story).exists()


def test_the_heartbeat_needs_the_csrf_token(olena, story):
    """It is a POST that changes data: without the CSRF token it is refused."""
    assert logged_in(olena, enforce_csrf_checks=True, **ENGLISH).post(presence_url(story)).status_code == 403


def test_the_change_form_loads_the_local_script_that_writes_text_not_markup(olena, story):
    """presence.js is served from our static files and never puts server text into innerHTML."""
    page = logged_in(olena, **ENGLISH).get(change_url(story)).content.decode()
    assert "admin/articles/presence.js" in page
    script = SCRIPT.read_text(encoding="utf-8")
    assert "textContent" in script and "sendBeacon" in script
    assert "innerHTML" not in script


# The story list


def test_the_story_list_shows_who_has_each_story_open(olena, taras, story, django_user_model):
    quiet = Story.objects.create(headline="Ніхто не редагує", body="<p>Текст.</p>")
    record_presence(story, olena)
    gone = staff_member(django_user_model, "gone", "Editor", first_name="Давно", last_name="Пішов")
    record_presence(story, gone, now=timezone.now() - timedelta(seconds=PRESENCE_SECONDS + 1))

    html = logged_in(taras, **ENGLISH).get(reverse("admin:articles_story_changelist")).content.decode()

    assert "column-being_edited_by" in html
    row = html[html.index(story.headline) :]
    row = row[: row.index("</tr>")]
    assert "Олена Петренко" in row and "Давно Пішов" not in row
    quiet_row = html[html.index(quiet.headline) :]
    assert "Олена Петренко" not in quiet_row[: quiet_row.index("</tr>")]


def test_who_is_editing_costs_the_list_one_query(olena, taras):
    """The same number of queries with one story open by one editor as with twenty open by two."""
    client = logged_in(taras)
    url = reverse("admin:articles_story_changelist")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    first = Story.objects.create(headline="Перша", body="<p>Текст.</p>")
    record_presence(first, olena)
    one = count()
    for number in range(19):
        other = Story.objects.create(headline=f"Матеріал {number}", body="<p>Текст.</p>")
        record_presence(other, olena)
        record_presence(other, taras)
    assert count() == one
