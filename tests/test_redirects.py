"""Old story addresses: a public story whose slug or date changes answers 301 at the old address, on every path."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

import articles.writing.signals
from articles.models import Story, StoryRedirect
from tests.states import HIDDEN_STATES
from tests.test_admin import assert_saved, change_url, story_post

pytestmark = pytest.mark.django_db

MARCH_28 = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
OLD_PATH = "/2024/03/28/stara-adresa/"
NEVER_PUBLIC = {name: fields for name, fields in HIDDEN_STATES.items() if name != "withdrawn"}


@pytest.fixture
def story(make_story):
    return make_story("Стара адреса", slug="stara-adresa", published_at=MARCH_28)


def state_fields(state):
    fields = dict(HIDDEN_STATES[state])
    if "when" in fields:
        fields["published_at"] = fields.pop("when")
    if state == "withdrawn":
        fields["withdrawn_reason"] = "Факти не підтвердилися."
    return fields


def rename(story, slug):
    story.slug = slug
    story.save()
    return story


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new


def test_a_published_story_renamed_answers_301_at_its_old_address(client, story):
    """The old path leads to the new one, which is the story's page."""
    rename(story, "nova-adresa")

    assert_moved(client, OLD_PATH, "/2024/03/28/nova-adresa/")
    assert client.get("/2024/03/28/nova-adresa/").status_code == 200
    assert StoryRedirect.objects.get().old_path == OLD_PATH


def test_a_slug_changed_by_an_editor_in_the_admin_redirects(admin_client, client, story):
    """The admin form's save goes through the same signal as any other save."""
    local = timezone.localtime(MARCH_28)
    data = story_post(
        headline=story.headline,
        slug="z-admina",
        status=Story.Status.PUBLISHED,
        published_at_0=f"{local:%Y-%m-%d}",
        published_at_1=f"{local:%H:%M}",
        loaded_version=story.version,
    )
    assert_saved(admin_client.post(change_url(story), data))

    assert_moved(client, OLD_PATH, "/2024/03/28/z-admina/")


def test_a_changed_publication_date_redirects_to_the_new_day(client, story):
    story.published_at = MARCH_28 - timedelta(days=3)
    story.save()

    assert_moved(client, OLD_PATH, "/2024/03/25/stara-adresa/")


@pytest.mark.parametrize("state", NEVER_PUBLIC)
def test_a_story_never_public_leaves_no_redirect(client, make_story, state):
    """Drafts, stories in review, scheduled and embargoed ones were never read at their address."""
    fields = {"published_at": MARCH_28, **state_fields(state)}
    story = make_story("Стара адреса", slug="stara-adresa", **fields)
    old = story.get_absolute_url()
    rename(story, "nova-adresa")

    assert not StoryRedirect.objects.exists()
    assert client.get(old).status_code == 404


def test_a_scheduled_story_renamed_keeps_no_trace_of_its_old_address(client, make_story):
    """Before its time nothing about a scheduled story is public, its old slug included."""
    story = make_story("Заплановане", slug="zaplanovane", published_at=timezone.now() + timedelta(days=1))
    old = story.get_absolute_url()
    rename(story, "zaplanovane-nove")

    assert client.get(old).status_code == 404
    assert not StoryRedirect.objects.exists()


@pytest.mark.parametrize("state", NEVER_PUBLIC)
def test_the_old_address_answers_404_while_the_story_is_hidden(client, story, state):
    """A redirect must not reveal a story that went back to draft, in review, or under a later time."""
    rename(story, "nova-adresa")
    Story.objects.filter(pk=story.pk).update(**state_fields(state))

    assert client.get(OLD_PATH).status_code == 404


def test_the_old_address_of_a_withdrawn_story_leads_to_its_retraction(client, story):
    """Withdrawn: the old path redirects to the current one, which answers 410 with the reason."""
    rename(story, "nova-adresa")
    story.status, story.withdrawn_reason = Story.Status.WITHDRAWN, "Факти не підтвердилися."
    story.save()

    assert_moved(client, OLD_PATH, "/2024/03/28/nova-adresa/")
    assert client.get("/2024/03/28/nova-adresa/").status_code == 410


def test_two_renames_lead_to_the_current_address_in_one_hop(client, story):
    rename(story, "druha")
    rename(story, "tretia")

    assert_moved(client, OLD_PATH, "/2024/03/28/tretia/")
    assert_moved(client, "/2024/03/28/druha/", "/2024/03/28/tretia/")


def test_renaming_back_removes_the_redirect_that_would_loop(client, story):
    rename(story, "druha")
    rename(story, "stara-adresa")

    assert client.get(OLD_PATH).status_code == 200
    assert_moved(client, "/2024/03/28/druha/", OLD_PATH)
    assert list(StoryRedirect.objects.values_list("old_path", flat=True)) == ["/2024/03/28/druha/"]


def test_the_query_string_is_kept_and_the_redirect_is_cached_like_a_page(client, story, settings):
    """A 301 kept forever by browsers would loop once the story takes its old address back."""
    rename(story, "nova-adresa")
    response = client.get(OLD_PATH + "?utm_source=rss")

    assert response["Location"] == "/2024/03/28/nova-adresa/?utm_source=rss"
    assert f"max-age={settings.PUBLIC_CACHE_SECONDS}" in response["Cache-Control"]


def test_a_cached_page_at_the_old_address_gives_way_to_the_redirect(client, story):
    """The rename invalidates the page cache, so the old page is not served from it."""
    assert client.get(OLD_PATH).status_code == 200
    rename(story, "nova-adresa")

    assert_moved(client, OLD_PATH, "/2024/03/28/nova-adresa/")


def test_the_redirect_lookup_costs_the_story_page_nothing(client, story, django_assert_max_num_queries):
    """The redirects are asked only after the normal lookup fails: a page with old addresses costs the same."""
    with django_assert_max_num_queries(8) as before:
        client.get(story.get_absolute_url())
    rename(story, "druha")
    rename(story, "tretia")

    with django_assert_max_num_queries(len(before)) as after:
        assert client.get(story.get_absolute_url(), {"fresh": 1}).status_code == 200
    assert not any("articles_storyredirect" in query["sql"] for query in after.captured_queries)
    with django_assert_max_num_queries(4):
        assert client.get(OLD_PATH).status_code == 301


def test_an_unknown_address_costs_no_more_than_before(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get("/2024/03/28/nemaie-takoi/").status_code == 404


def test_saves_that_keep_the_address_do_not_read_the_stored_row(story, monkeypatch):
    """Cheap: only a save that may change the slug or date compares with the stored row."""
    calls = []
    real = articles.writing.signals.story_moves
    monkeypatch.setattr(articles.writing.signals, "story_moves", lambda stories: calls.append(stories) or real(stories))
    loaded = Story.objects.get(pk=story.pk)
    loaded.headline = "Новий заголовок"
    loaded.save()
    Story.objects.get(pk=story.pk).save(update_fields=["headline"])
    assert calls == []

    loaded.slug = "nova-adresa"
    loaded.save()
    assert len(calls) == 1
    assert StoryRedirect.objects.filter(old_path=OLD_PATH).exists()


def test_a_story_built_by_hand_over_a_stored_one_is_compared(client, story):
    """Story(pk=…) (a restored revision, a fixture) may hold any address: the stored row decides."""
    copy = Story.objects.filter(pk=story.pk).values().get()
    copy["slug"] = "vidnovlena"
    Story(**copy).save()

    assert_moved(client, OLD_PATH, "/2024/03/28/vidnovlena/")


def test_deleting_the_story_drops_its_redirects(client, story):
    rename(story, "nova-adresa")
    story.delete()

    assert client.get(OLD_PATH).status_code == 404
    assert not StoryRedirect.objects.exists()


def import_text(path, **options):
    call_command("import_stories", str(path), stdout=io.StringIO(), stderr=io.StringIO(), **options)


def test_an_import_that_moves_a_story_to_another_day_redirects(client, tmp_path):
    """The import writes in bulk (no signals); it keeps the old address all the same."""
    path = tmp_path / "story.txt"
    path.write_text("Наришкін у Пхеньяні\nЛід.\nПерший абзац.\n", encoding="utf-8")
    import_text(path, published_at="2024-03-28T12:00+02:00")
    story = Story.objects.get()
    old = story.get_absolute_url()
    import_text(path, published_at="2024-03-29T12:00+02:00")
    story.refresh_from_db()

    assert story.get_absolute_url() != old
    assert_moved(client, old, story.get_absolute_url())


def test_the_bulk_helper_records_moves_before_a_bulk_update(client, story, make_story):
    """What the import writer calls: one query reads the stored rows of the whole batch."""
    other = make_story("Інша", slug="insha", published_at=MARCH_28)
    story.slug, other.published_at = "nova-adresa", MARCH_28 + timedelta(days=1)
    from articles.models.redirects import remember_old_addresses

    remember_old_addresses([story, other])
    Story.objects.bulk_update([story, other], ["slug", "published_at"])

    assert_moved(client, OLD_PATH, "/2024/03/28/nova-adresa/")
    assert_moved(client, "/2024/03/28/insha/", other.get_absolute_url())
