"""Tags renamed or merged in the admin: stories keep their tagging, old tag addresses and feeds answer 301."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from articles.models import Story, Tag, TaggedStory, TagRedirect
from tests.people import logged_in, staff_member
from tests.states import HIDDEN_STATES

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:articles_tag_changelist")


@pytest.fixture
def editor(django_user_model):
    return logged_in(staff_member(django_user_model, "editor", "Editor"))


@pytest.fixture
def reporter(django_user_model):
    return logged_in(staff_member(django_user_model, "reporter", "Reporter"))


def story_in(make_story, state, headline, tags):
    fields = dict(HIDDEN_STATES[state])
    fields["published_at"] = fields.pop("when", timezone.now() - timedelta(hours=1))
    if state == "withdrawn":
        fields["withdrawn_reason"] = "Факти не підтвердилися."
    return make_story(headline, tags=tags, **fields)


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new


def edit_tag(client, tag, **fields):
    data = {"name": tag.name, "slug": tag.slug, **fields}
    response = client.post(reverse("admin:articles_tag_change", args=[tag.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tag.refresh_from_db()
    return tag


def tag_feeds(slug):
    return [reverse(f"articles:tag_feed_{kind}", kwargs={"slug": slug}) for kind in ("rss", "atom")]


# Renaming


@pytest.fixture
def korea(make_story):
    make_story("Пхеньян запустив ракету", tags=["КНДР"])
    return Tag.objects.get(name="КНДР")


def test_renaming_a_tag_keeps_its_address(editor, client, korea):
    """A new name alone changes nothing for readers' links."""
    edit_tag(editor, korea, name="Північна Корея")

    assert korea.slug == "kndr"
    assert client.get("/tags/kndr/").status_code == 200
    assert not TagRedirect.objects.exists()


def test_a_changed_tag_slug_redirects_the_page_and_its_feeds(editor, client, korea):
    edit_tag(editor, korea, slug="pivnichna-koreia")

    assert_moved(client, "/tags/kndr/", "/tags/pivnichna-koreia/")
    for old, new in zip(tag_feeds("kndr"), tag_feeds("pivnichna-koreia"), strict=True):
        assert_moved(client, old, new)
        assert client.get(new).status_code == 200
    assert_moved(client, "/tags/kndr/?page=2", "/tags/pivnichna-koreia/?page=2")


def test_a_cleared_slug_is_made_again_from_the_name_and_the_old_one_redirects(editor, client, korea):
    edit_tag(editor, korea, name="Північна Корея", slug="")

    assert korea.slug == "pivnichna-koreia"
    assert_moved(client, "/tags/kndr/", "/tags/pivnichna-koreia/")


def test_taking_an_old_slug_back_removes_its_redirect(client, korea):
    korea.slug = "pivnichna-koreia"
    korea.save()
    korea.slug = "kndr"
    korea.save()

    assert client.get("/tags/kndr/").status_code == 200
    assert_moved(client, "/tags/pivnichna-koreia/", "/tags/kndr/")
    assert list(TagRedirect.objects.values_list("old_slug", flat=True)) == ["pivnichna-koreia"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_an_old_slug_of_a_tag_without_public_stories_is_404(client, make_story, state):
    """The redirect must not reveal a tag that only unpublished stories carry."""
    story_in(make_story, state, "Прихована", ["Таємниця"])
    tag = Tag.objects.get()
    tag.slug = "nova-taiemnytsia"
    tag.save()

    assert client.get("/tags/taiemnytsia/").status_code == 404
    assert client.get(tag_feeds("taiemnytsia")[0]).status_code == 404


def test_the_redirect_lookup_costs_tag_pages_nothing(client, korea, django_assert_max_num_queries):
    """The happy path never asks for redirects; a miss asks once."""
    with django_assert_max_num_queries(7) as happy:
        assert client.get("/tags/kndr/").status_code == 200
    assert not any("articles_tagredirect" in query["sql"] for query in happy.captured_queries)
    with django_assert_max_num_queries(4):
        assert client.get("/tags/nemaie/").status_code == 404


# Merging


@pytest.fixture
def tagged(make_story):
    """Stories in every state under КНДР and Корея; some also carry the target tag, one carries both."""
    stories = {state: story_in(make_story, state, f"Корея: {state}", ["КНДР"]) for state in HIDDEN_STATES}
    stories["public"] = make_story("Публічна про КНДР", tags=["КНДР"])
    stories["both"] = make_story("Обидва теги", tags=["КНДР", "Корея"])
    stories["with_target"] = make_story("Вже з цільовим", tags=["Корея", "Північна Корея"])
    stories["target_only"] = make_story("Лише цільовий", tags=["Північна Корея"])
    return stories


def tags_named(*names):
    return [Tag.objects.get(name=name) for name in names]


def merge(client, selected, target=None, other=None, confirm=True):
    data = {"action": "merge_selected", "_selected_action": [tag.pk for tag in selected]}
    if confirm:
        data["post"] = "yes"
        data.update({key: value.pk for key, value in {"target": target, "other": other}.items() if value})
    return client.post(CHANGELIST_URL, data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_merge_action_asks_for_the_target_first(editor, tagged):
    selected = tags_named("КНДР", "Корея")
    response = merge(editor, selected, confirm=False)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/articles/tag/merge_tags.html"
    html = response.content.decode()
    assert 'name="post"' in html and "csrfmiddlewaretoken" in html and 'name="other"' in html
    assert Tag.objects.count() == 3


def test_the_confirmation_offers_the_most_used_tag_and_finds_any_other(editor, tagged):
    selected = tags_named("КНДР", "Корея")
    form = merge(editor, selected, confirm=False).context["form"]
    found = editor.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "taggedstory", "field_name": "tag", "term": "Півн"},
    ).json()

    assert form["target"].initial == selected[0].pk
    assert [result["text"] for result in found["results"]] == ["Північна Корея"]


def test_merging_moves_every_tagging_without_duplicates(editor, client, tagged):
    korea, dprk, target = tags_named("КНДР", "Корея", "Північна Корея")
    response = merge(editor, [korea, dprk, target], target=target)

    assert response.status_code == 302
    assert set(Tag.objects.values_list("name", flat=True)) == {"Північна Корея"}
    for name, story in tagged.items():
        assert [tag.pk for tag in story.tags.all()] == [target.pk], name
    assert TaggedStory.objects.count() == len(tagged)


def test_unpublished_stories_keep_the_merged_tag_but_stay_off_its_page(editor, client, tagged):
    korea, dprk, target = tags_named("КНДР", "Корея", "Північна Корея")
    merge(editor, [korea, dprk], other=target)
    html = client.get("/tags/pivnichna-koreia/").content.decode()

    for state in HIDDEN_STATES:
        assert f"Корея: {state}" not in html
        assert tagged[state].tags.get() == target
    for public in ("Публічна про КНДР", "Обидва теги", "Вже з цільовим", "Лише цільовий"):
        assert public in html


def test_merged_tags_redirect_with_their_feeds(editor, client, tagged):
    korea, dprk, target = tags_named("КНДР", "Корея", "Північна Корея")
    merge(editor, [korea, dprk], other=target)

    for old in ("kndr", "koreia"):
        assert_moved(client, f"/tags/{old}/", "/tags/pivnichna-koreia/")
        for old_feed, new_feed in zip(tag_feeds(old), tag_feeds("pivnichna-koreia"), strict=True):
            assert_moved(client, old_feed, new_feed)


def test_earlier_redirects_of_a_merged_tag_follow_it_to_the_target(editor, client, tagged):
    korea, target = tags_named("КНДР", "Північна Корея")
    korea.slug = "kndr-nova"
    korea.save()
    merge(editor, [korea], other=target)

    assert_moved(client, "/tags/kndr/", "/tags/pivnichna-koreia/")
    assert_moved(client, "/tags/kndr-nova/", "/tags/pivnichna-koreia/")
    assert set(TagRedirect.objects.values_list("old_slug", "tag")) == {("kndr", target.pk), ("kndr-nova", target.pk)}


def test_the_target_may_be_any_tag_outside_the_selection(editor, tagged):
    korea, target = tags_named("Корея", "Північна Корея")
    merge(editor, [korea], other=target)

    assert not Tag.objects.filter(name="Корея").exists()
    assert tagged["both"].tags.count() == 2


def test_a_merge_is_logged_on_the_target(editor, tagged):
    korea, dprk, target = tags_named("КНДР", "Корея", "Північна Корея")
    merge(editor, [korea, dprk, target], target=target)

    entry = LogEntry.objects.get(object_id=str(target.pk))
    assert entry.get_change_message() == "Merged tags КНДР, Корея into Північна Корея."
    assert entry.user.username == "editor"


def test_the_merge_invalidates_cached_pages(editor, client, tagged):
    """A bulk change sends no signal: the merge itself bumps the site version."""
    before = client.get("/tags/pivnichna-koreia/").content.decode()
    assert "Публічна про КНДР" not in before
    korea, target = tags_named("КНДР", "Північна Корея")
    merge(editor, [korea], other=target)

    assert "Публічна про КНДР" in client.get("/tags/pivnichna-koreia/").content.decode()


def test_merging_a_tag_into_itself_alone_is_refused(editor, tagged):
    (target,) = tags_named("Північна Корея")
    response = merge(editor, [target], target=target)

    assert response.status_code == 200
    assert "Select at least one tag other than the one to merge into." in response.content.decode()
    assert not LogEntry.objects.exists()


def test_a_merge_without_a_target_is_refused(editor, tagged):
    response = merge(editor, tags_named("КНДР", "Корея"))

    assert "Choose the tag to merge into." in response.content.decode()
    assert Tag.objects.count() == 3


def test_a_reporter_cannot_merge_tags(reporter, tagged):
    """Reporters only view tags: the action is neither offered nor carried out on a forged POST."""
    korea, target = tags_named("КНДР", "Північна Корея")
    listing = reporter.get(CHANGELIST_URL).content.decode()
    assert "merge_selected" not in listing
    merge(reporter, [korea], confirm=False)
    merge(reporter, [korea], other=target)

    assert Tag.objects.count() == 3
    assert not TagRedirect.objects.exists() and not LogEntry.objects.exists()
    assert tagged["public"].tags.get() == korea


def test_merge_keeps_the_story_rows_it_moves(tagged):
    """The service merges without the admin too (shell, scripts): atomically, one tagging per story."""
    from articles.models.redirects import merge_tags

    korea, dprk, target = tags_named("КНДР", "Корея", "Північна Корея")
    merged = merge_tags(target, [korea, dprk, target])

    assert [tag.name for tag in merged] == ["КНДР", "Корея"]
    assert Story.objects.filter(tags=target).count() == len(tagged)
