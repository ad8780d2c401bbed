"""The story change form and its save cost the same number of queries however many rows its inlines hold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Attribution, Author, Byline, RelatedLink, Source, Story
from tests.people import logged_in, staff_member
from tests.test_admin import assert_saved, change_url
from tests.test_revisions import resave_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return logged_in(staff_member(django_user_model, "editor", "Editor"))


def story_with_rows(make_story, rows):
    """A public story with `rows` authors, cited sources and related links pointing at other stories."""
    story = make_story(f"Історія на {rows} рядків", tags=["КНДР", "Санкції"])
    for index in range(rows):
        Byline.objects.create(story=story, author=Author.objects.create(name=f"Автор {rows}-{index}"), position=index)
        source = Source.objects.create(name=f"Джерело {rows}-{index}")
        Attribution.objects.create(story=story, source=source, position=index, sentence=f"Пише Джерело {index}.")
        target = make_story(f"Попередня {rows}-{index}")
        RelatedLink.objects.create(story=story, title=target.headline, target=target, position=index)
    return Story.objects.get(pk=story.pk)


def queries(action):
    with CaptureQueriesContext(connection) as captured:
        response = action()
    return response, len(captured.captured_queries)


def test_change_form_queries_do_not_grow_with_the_rows(editor, make_story):
    """Each row's author, source and story are printed from the rows as loaded, not fetched one by one."""
    counts = {}
    for rows in (1, 12):
        story = story_with_rows(make_story, rows)
        editor.get(change_url(story))  # the first visit records the editor's presence
        response, counts[rows] = queries(lambda story=story: editor.get(change_url(story)))
        assert response.status_code == 200
        assert f"Джерело {rows}-{rows - 1}" in response.content.decode()
    assert counts[12] == counts[1], counts


def test_saving_the_form_does_not_fetch_each_row_again(editor, make_story):
    """A save checks and records its rows (and its revision) in a fixed number of queries."""
    counts = {}
    for rows in (1, 12):
        story = story_with_rows(make_story, rows)
        assert_saved(editor.post(change_url(story), resave_post(story, headline="Перше редагування")))
        story.refresh_from_db()
        data = resave_post(story, headline="Друге редагування")
        response, counts[rows] = queries(lambda story=story, data=data: editor.post(change_url(story), data))
        assert_saved(response)
    assert counts[12] == counts[1], counts
