from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.models import SharedPreview, Story
from articles.newsdesk.previews import share, shared_url, token_for
from tests.people import logged_in, staff_member
from tests.test_admin import ENGLISH

pytestmark = pytest.mark.django_db

BANNER = "Попередній перегляд — не опубліковано"


@pytest.fixture
def reporter(django_user_model):
    return staff_member(django_user_model, "reporter", "Reporter")


@pytest.fixture
def editor(django_user_model):
    return staff_member(django_user_model, "editor", "Editor")


@pytest.fixture
def draft(make_story, reporter):
    return make_story("Чернетка про вибори", status=Story.Status.DRAFT, published_at=None, created_by=reporter)


def preview_url(story):
    return reverse("admin:articles_story_preview", args=[story.pk])


def share_url(story):
    return reverse("admin:articles_story_share_preview", args=[story.pk])


def assert_private_noindex(response):
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_editor_previews_a_draft_with_the_banner(editor, draft):
    """A draft renders in the public story template with a visible "not published" banner."""
    response = logged_in(editor).get(preview_url(draft))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Чернетка про вибори" in html and BANNER in html
    assert "articles/story_detail.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("state", [Story.Status.IN_REVIEW, "scheduled"])
def test_review_and_scheduled_stories_can_be_previewed(make_story, editor, state):
    """Stories in review or scheduled for later preview like drafts."""
    fields = {"status": state, "published_at": None}
    if state == "scheduled":
        fields = {"status": Story.Status.PUBLISHED, "published_at": timezone.now() + timedelta(days=1)}
    story = make_story("Заплановано", **fields)

    assert BANNER in logged_in(editor).get(preview_url(story)).content.decode()


def test_preview_is_noindex_and_never_stored(editor, draft):
    """The staff preview forbids indexing and any shared or stored copy."""
    assert_private_noindex(logged_in(editor).get(preview_url(draft)))


def test_reporter_previews_their_own_draft_but_not_anothers(django_user_model, reporter, draft, make_story):
    """Preview follows articles.newsdesk.workflow.can_view: a reporter sees their own story only."""
    other = staff_member(django_user_model, "other", "Reporter")
    theirs = make_story("Чужа чернетка", status=Story.Status.DRAFT, published_at=None, created_by=other)
    client = logged_in(reporter)

    assert client.get(preview_url(draft)).status_code == 200
    assert client.get(preview_url(theirs)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    """Without a staff login the admin preview redirects to the admin login."""
    response = client.get(preview_url(draft))

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_a_second_preview_shows_the_latest_change(editor, draft):
    """Previews are never cached: an edit shows up on the very next request."""
    client = logged_in(editor)
    client.get(preview_url(draft))
    Story.objects.filter(pk=draft.pk).update(headline="Новий заголовок")

    assert "Новий заголовок" in client.get(preview_url(draft)).content.decode()


def test_change_form_offers_preview_and_share_buttons(editor, draft):
    """The story change form links to the preview and posts to "Share preview"."""
    html = logged_in(editor).get(reverse("admin:articles_story_change", args=[draft.pk]), **ENGLISH).content.decode()

    assert preview_url(draft) in html and share_url(draft) in html


def test_sharing_creates_a_link_and_logs_it(editor, draft, settings):
    """Share preview stores a link valid for SHARE_PREVIEW_HOURS and records it in the story's history."""
    settings.SHARE_PREVIEW_HOURS = 2
    response = logged_in(editor).post(share_url(draft), **ENGLISH)

    assert response.status_code == 302
    shared = SharedPreview.objects.get(story=draft)
    assert shared.created_by == editor
    assert timedelta(hours=2) == shared.expires_at - shared.created_at
    assert LogEntry.objects.filter(object_id=str(draft.pk), change_message__startswith="Shared a preview").exists()


def test_reporter_cannot_share_anothers_story(django_user_model, draft):
    """Only whoever may view a story may share it."""
    other = staff_member(django_user_model, "other", "Reporter")

    assert logged_in(other).post(share_url(draft)).status_code == 403
    assert not SharedPreview.objects.exists()


def test_shared_link_works_without_login_and_shows_the_current_draft(client, draft, editor):
    """A shared link shows the draft as it is now, with the banner, to a visitor who is not logged in."""
    url = shared_url(share(draft, editor))
    Story.objects.filter(pk=draft.pk).update(body="<p>Свіжий абзац.</p>")

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Свіжий абзац." in html and BANNER in html
    assert_private_noindex(response)


def test_shared_link_expires(client, draft, editor, settings, monkeypatch):
    """After SHARE_PREVIEW_HOURS the link is a 404."""
    settings.SHARE_PREVIEW_HOURS = 1
    url = shared_url(share(draft, editor))
    assert client.get(url).status_code == 200
    later = timezone.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert client.get(url).status_code == 404


def test_revoking_a_link_takes_effect_at_once_and_is_logged(client, draft, editor):
    """The revoke action in the admin turns the link into a 404 on the next request and logs it on the story."""
    shared = share(draft, editor)
    url = shared_url(shared)
    assert client.get(url).status_code == 200

    response = logged_in(editor).post(
        reverse("admin:articles_sharedpreview_changelist"),
        {"action": "revoke", "_selected_action": [shared.pk]},
        **ENGLISH,
    )

    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert LogEntry.objects.filter(object_id=str(draft.pk), change_message__startswith="Revoked").exists()


def test_reporter_lists_only_links_to_their_own_stories(reporter, draft, make_story, editor):
    """The shared previews list follows the story's visibility."""
    mine = share(draft, reporter)
    theirs = share(make_story("Інша", status=Story.Status.DRAFT, published_at=None, created_by=editor), editor)

    html = logged_in(reporter).get(reverse("admin:articles_sharedpreview_changelist"), **ENGLISH).content.decode()

    assert token_for(mine) in html and token_for(theirs) not in html


@pytest.mark.parametrize("token", ["nonsense", "abc:def"])
def test_unknown_or_tampered_token_is_a_404(client, draft, editor, token):
    """Only a genuinely signed token of a stored link opens a preview."""
    genuine = token_for(share(draft, editor))

    assert client.get(reverse("articles:shared_preview", args=[token])).status_code == 404
    assert client.get(reverse("articles:shared_preview", args=[genuine[:-1] + "x"])).status_code == 404


def test_shared_page_is_never_in_the_page_cache(client, draft, editor):
    """Shared previews never enter the public page cache, nor are they publicly cacheable."""
    url = shared_url(share(draft, editor))
    cache.clear()
    response = client.get(url)

    assert response["Cache-Control"] == "private, no-store"
    assert not [key for key in cache._cache if "public:page:" in key]
