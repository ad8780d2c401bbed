"""What a reporter may link to in the admin: their own stories and public ones, never a colleague's unpublished work.

Offered and accepted are the same set (articles.newsdesk.workflow.linkable_stories): the story search, the form fields,
a forged POST, and the history and conflict pages, which never print a hidden story's headline to a reporter.
"""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import RelatedLink, Story
from articles.models.revisions import record_revision
from tests.people import logged_in, staff_member
from tests.test_admin import AUTOCOMPLETE_URL, ENGLISH, assert_saved, change_url, opened_version, story_post

pytestmark = pytest.mark.django_db

Status = Story.Status
PAST = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
HIDDEN = "Таємна чернетка колеги"
INVALID_CHOICE = "Select a valid choice"


@pytest.fixture
def people(django_user_model):
    return {
        "reporter": staff_member(django_user_model, "reporter", "Reporter"),
        "colleague": staff_member(django_user_model, "colleague", "Reporter"),
        "editor": staff_member(django_user_model, "editor", "Editor"),
    }


@pytest.fixture
def stories(people):
    def story(headline, owner, **fields):
        return Story.objects.create(headline=headline, created_by=people[owner], body="<p>Текст.</p>", **fields)

    return {
        "own": story("Моя чернетка", "reporter"),
        "hidden": story(HIDDEN, "colleague"),
        "public": story("Опублікований матеріал", "editor", status=Status.PUBLISHED, published_at=PAST),
        "scheduled": story(
            "Запланований матеріал", "editor", status=Status.PUBLISHED, published_at=datetime(2099, 1, 1, tzinfo=UTC)
        ),
    }


def post_own(client, story, **fields):
    data = story_post(headline=story.headline, slug=story.slug, loaded_version=opened_version(story), **fields)
    return client.post(change_url(story), data, **ENGLISH)


def link_rows(target):
    return {"related_links": ([{"kind": "more", "title": "Читайте також", "target": target.pk}], 0)}


def test_a_forged_translation_of_a_colleagues_draft_is_refused(people, stories):
    """Posting one's story as a translation of a colleague's draft is "not a valid choice", and nothing is saved."""
    own = stories["own"]
    response = post_own(logged_in(people["reporter"]), own, translation_of=stories["hidden"].pk)

    assert response.status_code == 200
    assert INVALID_CHOICE in str(response.context["adminform"].form.errors["translation_of"])
    assert HIDDEN not in response.content.decode()
    own.refresh_from_db()
    assert own.translation_of_id is None


def test_a_forged_related_link_to_a_colleagues_draft_is_refused(people, stories):
    """A related-link row pointing at a colleague's draft does not validate, and no link is stored."""
    own = stories["own"]
    response = post_own(logged_in(people["reporter"]), own, inlines=link_rows(stories["hidden"]))

    assert response.status_code == 200
    errors = [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert INVALID_CHOICE in str(errors)
    assert HIDDEN not in response.content.decode()
    assert not RelatedLink.objects.exists()


@pytest.mark.parametrize("name", ["own", "public"])
def test_a_reporter_links_and_translates_their_own_and_public_stories(people, stories, name):
    """A reporter's own stories and public ones are accepted as a translation's original and as a link's target."""
    own, target = stories["own"], stories[name]
    if name == "own":
        own = Story.objects.create(headline="Друга моя чернетка", created_by=people["reporter"])

    assert_saved(post_own(logged_in(people["reporter"]), own, translation_of=target.pk, inlines=link_rows(target)))

    own.refresh_from_db()
    assert own.translation_of == target
    assert [link.target for link in own.related_links.all()] == [target]


def test_a_scheduled_story_is_not_a_reporters_to_link(people, stories):
    """A story not yet public is as hidden as a draft: refused as a translation's original."""
    response = post_own(logged_in(people["reporter"]), stories["own"], translation_of=stories["scheduled"].pk)
    assert INVALID_CHOICE in str(response.context["adminform"].form.errors["translation_of"])


def test_editors_keep_every_story_to_choose_from(people, stories):
    """An editor may link to and translate any story, a reporter's draft included."""
    own = stories["own"]
    editor = logged_in(people["editor"])

    assert_saved(post_own(editor, own, translation_of=stories["hidden"].pk, inlines=link_rows(stories["hidden"])))

    own.refresh_from_db()
    assert own.translation_of == stories["hidden"]
    params = {"app_label": "articles", "model_name": "story", "field_name": "translation_of", "term": "Таємна"}
    assert [r["text"] for r in editor.get(AUTOCOMPLETE_URL, params).json()["results"]] == [HIDDEN]


@pytest.mark.parametrize(("model_name", "field_name"), [("story", "translation_of"), ("relatedlink", "target")])
def test_the_story_search_offers_a_reporter_only_what_they_may_pick(people, stories, model_name, field_name):
    """The admin's autocomplete for both story fields offers own and public stories, not drafts or scheduled ones."""
    params = {"app_label": "articles", "model_name": model_name, "field_name": field_name, "term": ""}
    response = logged_in(people["reporter"]).get(AUTOCOMPLETE_URL, params)
    assert {result["text"] for result in response.json()["results"]} == {"Моя чернетка", "Опублікований матеріал"}


def test_an_editors_link_to_a_hidden_story_is_kept_but_not_named_to_the_reporter(people, stories):
    """A target or original an editor chose stays through the reporter's save, shown by number, not by headline."""
    own, hidden = stories["own"], stories["hidden"]
    own.translation_of = hidden
    own.save()
    RelatedLink.objects.create(story=own, kind="more", title="Читайте також", target=hidden, position=1)
    reporter = logged_in(people["reporter"])

    page = reporter.get(change_url(own)).content.decode()
    assert HIDDEN not in page
    assert f"#{hidden.pk}" in page

    link = own.related_links.get()
    rows = {"related_links": ([{"id": link.pk, "kind": "more", "title": "Читайте також", "target": hidden.pk}], 1)}
    # The original's field is read-only for the reporter: a forged other id is ignored, the stored one kept.
    assert_saved(post_own(reporter, own, translation_of=stories["public"].pk, inlines=rows))
    own.refresh_from_db()
    assert own.translation_of == hidden
    assert [link.target for link in own.related_links.all()] == [hidden]


def test_history_does_not_name_a_hidden_story_to_a_reporter(people, stories):
    """The history's diff names a colleague's draft by number for the reporter, by headline for an editor."""
    own, hidden = stories["own"], stories["hidden"]
    record_revision(own, people["reporter"], "First.")
    own.translation_of = hidden
    own.save()
    RelatedLink.objects.create(story=own, kind="more", title="Читайте також", target=hidden, position=1)
    record_revision(own, people["editor"], "Linked.")
    url = reverse("admin:articles_story_history", args=[own.pk])

    reporter_page = logged_in(people["reporter"]).get(url, **ENGLISH).content.decode()
    assert "Linked." in reporter_page
    assert HIDDEN not in reporter_page
    assert f"#{hidden.pk}" in reporter_page
    assert HIDDEN in logged_in(people["editor"]).get(url, **ENGLISH).content.decode()


def test_the_conflict_panel_does_not_name_a_hidden_story_to_a_reporter(people, stories):
    """An editor links the reporter's draft to a colleague's draft meanwhile: the reporter's conflict page hides it."""
    own, hidden = stories["own"], stories["hidden"]
    version = opened_version(own)
    editor_rows = link_rows(hidden)
    assert_saved(post_own(logged_in(people["editor"]), own, translation_of=hidden.pk, inlines=editor_rows))

    data = story_post(headline=own.headline, slug=own.slug, loaded_version=version, lead="Мій лід.")
    response = logged_in(people["reporter"]).post(change_url(own), data, **ENGLISH)

    assert response.status_code == 200
    assert response.context["conflict"]["differences"]
    page = response.content.decode()
    assert HIDDEN not in page
    assert f"#{hidden.pk}" in page


def test_a_published_story_with_an_empty_slug_and_another_error_shows_the_errors(people, stories):
    """A change-form POST with the slug emptied and the headline missing re-renders with errors, not a 500."""
    public = stories["public"]
    editor = logged_in(people["editor"])
    local = timezone.localtime(public.published_at)
    data = story_post(
        headline="",
        slug="",
        status=Status.PUBLISHED,
        loaded_version=opened_version(public),
        published_at_0=f"{local:%Y-%m-%d}",
        published_at_1=f"{local:%H:%M}",
    )

    response = editor.post(change_url(public), data, **ENGLISH)

    assert response.status_code == 200
    assert "headline" in response.context["adminform"].form.errors
    # "View on site" leads to the story's stored address, which still works.
    assert response.context["absolute_url"] == public.get_absolute_url()
    public.refresh_from_db()
    assert public.headline == "Опублікований матеріал"
