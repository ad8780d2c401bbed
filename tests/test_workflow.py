from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from articles.newsdesk.workflow import GROUP_PERMISSIONS, can_transition
from tests.people import logged_in, staff_member
from tests.test_admin import ADD_URL, CHANGELIST_URL, ENGLISH, change_url, opened_version, story_post

pytestmark = pytest.mark.django_db

Status = Story.Status
PAST = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
REASON = "Факти не підтвердилися."


@pytest.fixture
def users(django_user_model, admin_user):
    return {
        "reporter": staff_member(django_user_model, "reporter", "Reporter"),
        "other_reporter": staff_member(django_user_model, "other", "Reporter"),
        "editor": staff_member(django_user_model, "editor", "Editor"),
        "superuser": admin_user,
    }


def story_in(state, owner, headline="Чернетка кореспондента"):
    """A story owned by `owner` in one of the states the table starts from."""
    fields = {"status": state, "created_by": owner, "body": "<p>Текст.</p>"}
    if state in (Status.PUBLISHED, Status.WITHDRAWN):
        fields["published_at"] = PAST
    if state == Status.WITHDRAWN:
        fields["withdrawn_reason"] = REASON
    return Story.objects.create(headline=headline, **fields)


def target_fields(target):
    """The change form's status fields for a target state; "scheduled" is published at a future time."""
    if target == "scheduled":
        moment = timezone.localtime(timezone.now() + timedelta(days=2))
        return {"status": Status.PUBLISHED, "published_at_0": f"{moment:%Y-%m-%d}", "published_at_1": "09:00"}
    fields = {"status": target}
    if target in (Status.PUBLISHED, Status.WITHDRAWN):
        local = timezone.localtime(PAST)
        fields.update(published_at_0=f"{local:%Y-%m-%d}", published_at_1=f"{local:%H:%M}")
    if target == Status.WITHDRAWN:
        fields["withdrawn_reason"] = REASON
    return fields


def post_change(client, story, **fields):
    data = story_post(headline=story.headline, slug=story.slug, loaded_version=opened_version(story), **fields)
    return client.post(change_url(story), data)


TRANSITIONS = [
    (Status.DRAFT, Status.IN_REVIEW),
    (Status.IN_REVIEW, Status.PUBLISHED),
    (Status.DRAFT, Status.PUBLISHED),
    (Status.DRAFT, "scheduled"),
    (Status.IN_REVIEW, Status.DRAFT),
    (Status.PUBLISHED, Status.WITHDRAWN),
    (Status.WITHDRAWN, Status.PUBLISHED),
]
ALLOWED_TO_REPORTER = {(Status.DRAFT, Status.IN_REVIEW)}


@pytest.mark.parametrize("role", ["reporter", "editor", "superuser"])
@pytest.mark.parametrize(("start", "target"), TRANSITIONS, ids=lambda value: str(value))
def test_role_transition_table_through_the_change_form(users, role, start, target):
    """Through the real admin POST, reporters may only submit their own drafts; editors and superusers do it all."""
    story = story_in(start, users["reporter"])
    response = post_change(logged_in(users[role]), story, **target_fields(target))

    allowed = role != "reporter" or (start, target) in ALLOWED_TO_REPORTER
    story.refresh_from_db()
    expected = Status.PUBLISHED if target == "scheduled" else target
    if allowed:
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert story.status == expected
    else:
        assert response.status_code in (200, 403)
        assert story.status == start
    if target == "scheduled" and allowed:
        assert story in Story.objects.scheduled()


@pytest.mark.parametrize("role", ["reporter", "editor", "superuser"])
@pytest.mark.parametrize(
    ("action", "start", "target"),
    [
        ("submit_for_review", Status.DRAFT, Status.IN_REVIEW),
        ("publish", Status.IN_REVIEW, Status.PUBLISHED),
        ("publish", Status.DRAFT, Status.PUBLISHED),
        ("publish", Status.WITHDRAWN, Status.PUBLISHED),
        ("unpublish", Status.PUBLISHED, Status.DRAFT),
    ],
)
def test_role_transition_table_through_the_actions(users, role, action, start, target):
    """Reporters can submit their drafts for review but not publish or unpublish, even by posting the action."""
    story = story_in(start, users["reporter"])
    data = {"action": action, "_selected_action": [story.pk], "index": "0"}
    logged_in(users[role]).post(CHANGELIST_URL, data)

    allowed = role != "reporter" or action == "submit_for_review"
    story.refresh_from_db()
    assert story.status == (target if allowed else start)


def test_forged_publish_post_by_a_reporter_is_refused_and_changes_nothing(users):
    """A reporter posting status=published for their own draft gets a form error and the row stays as it was."""
    story = story_in(Status.DRAFT, users["reporter"])
    before = Story.objects.values().get(pk=story.pk)

    response = post_change(logged_in(users["reporter"]), story, **target_fields(Status.PUBLISHED))

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert Story.objects.values().get(pk=story.pk) == before
    assert not LogEntry.objects.exists()


def test_reporter_form_offers_only_draft_and_review(users):
    """A reporter's status field lists only the states their role may choose for their draft."""
    story = story_in(Status.DRAFT, users["reporter"])
    form = logged_in(users["reporter"]).get(change_url(story)).context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == [Status.DRAFT, Status.IN_REVIEW]


def test_reporter_cannot_set_a_publication_time_even_on_a_draft(users):
    """A forged future publication time on a draft is refused: only editors schedule."""
    story = story_in(Status.DRAFT, users["reporter"])
    fields = target_fields("scheduled") | {"status": Status.DRAFT}

    response = post_change(logged_in(users["reporter"]), story, **fields)

    assert "published_at" in response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.published_at is None


def test_reporter_cannot_add_a_published_story(users):
    """The add form refuses a reporter's published story; a draft is saved with the reporter as its owner."""
    client = logged_in(users["reporter"])
    refused = client.post(ADD_URL, story_post(**target_fields(Status.PUBLISHED)))
    assert refused.status_code == 200 and not Story.objects.exists()

    assert client.post(ADD_URL, story_post()).status_code == 302
    assert Story.objects.get().created_by == users["reporter"]


def test_reporter_sees_and_opens_only_their_own_stories(users):
    """Another reporter's story is neither listed nor opened; a reporter's own submitted story is read-only."""
    mine = story_in(Status.DRAFT, users["reporter"], "Моя чернетка")
    theirs = story_in(Status.DRAFT, users["other_reporter"], "Чужа чернетка")
    submitted = story_in(Status.IN_REVIEW, users["reporter"], "Моя на розгляді")
    client = logged_in(users["reporter"])

    rows = {story.headline for story in client.get(CHANGELIST_URL).context["cl"].result_list}
    assert rows == {"Моя чернетка", "Моя на розгляді"}
    assert client.get(change_url(mine)).status_code == 200
    assert client.get(change_url(theirs)).status_code == 302  # "does not exist", back to the admin index
    assert post_change(client, theirs, status=Status.IN_REVIEW).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT
    read_only = client.get(change_url(submitted))
    assert read_only.status_code == 200 and not read_only.context["has_change_permission"]
    assert post_change(client, submitted, status=Status.DRAFT).status_code == 403


def test_reporter_cannot_edit_a_published_story_even_their_own(users):
    """A published story is the editors': the reporter's POST is forbidden and the headline stays."""
    story = story_in(Status.PUBLISHED, users["reporter"], "Опублікована")
    data = story_post(headline="Переписано", slug=story.slug, **target_fields(Status.PUBLISHED))

    assert logged_in(users["reporter"]).post(change_url(story), data).status_code == 403
    story.refresh_from_db()
    assert story.headline == "Опублікована"


def test_withdrawing_requires_a_public_reason(users):
    """An editor cannot withdraw a story without giving readers the reason."""
    story = story_in(Status.PUBLISHED, users["reporter"])
    fields = target_fields(Status.WITHDRAWN) | {"withdrawn_reason": " "}

    response = post_change(logged_in(users["editor"]), story, **fields)

    assert "withdrawn_reason" in response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED


def test_migration_created_the_groups_with_their_permissions():
    """The data migration made Reporter and Editor groups; only editors may publish."""
    for name, codenames in GROUP_PERMISSIONS.items():
        granted = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert granted == set(codenames)
    reporter = set(Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True))
    assert {"add_story", "change_story"} <= reporter
    assert not reporter & {"publish_story", "delete_story", "change_section", "change_source"}
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"publish_story", "delete_story", "change_section", "change_source", "change_tag", "change_author"} <= editor


def test_can_transition_follows_the_table(users):
    """The rule module answers the same as the admin: a reporter's own draft may go to review, nothing else."""
    draft = story_in(Status.DRAFT, users["reporter"])
    assert can_transition(users["reporter"], draft, Status.IN_REVIEW)
    assert not can_transition(users["reporter"], draft, Status.PUBLISHED)
    assert not can_transition(users["other_reporter"], draft, Status.IN_REVIEW)
    assert can_transition(users["editor"], draft, Status.WITHDRAWN)


def test_withdrawn_story_answers_410_with_its_reason_and_is_gone_from_public_pages(client, make_story):
    """The address shows a retraction notice with the public reason only; lists, feeds and search omit the story."""
    story = make_story(
        "Хибна новина про міст",
        status=Status.WITHDRAWN,
        withdrawn_reason=REASON,
        body="<p>Таємний текст.</p>",
        published_at=PAST,
    )

    response = client.get(story.get_absolute_url())

    assert response.status_code == 410
    page = response.content.decode()
    assert REASON in page and story.headline not in page and "Таємний текст" not in page
    assert "public" not in response.get("Cache-Control", "")
    for url in ["/", "/feeds/rss/", "/feeds/atom/", "/search/?q=міст", "/sitemap-stories.xml"]:
        assert story.headline not in client.get(url).content.decode(), url


def test_republished_story_is_no_longer_gone(client, make_story):
    """The 410 is never served stale: publishing the story again brings its page back at once."""
    story = make_story("Повернута новина", status=Status.WITHDRAWN, withdrawn_reason=REASON, published_at=PAST)
    assert client.get(story.get_absolute_url()).status_code == 410

    story.status = Status.PUBLISHED
    story.save()

    assert client.get(story.get_absolute_url()).status_code == 200


def test_transitions_are_audited_with_the_user(users):
    """Submitting, scheduling, withdrawing and publishing through the admin leave LogEntry lines naming who did it."""
    story = story_in(Status.DRAFT, users["reporter"])
    reporter, editor = logged_in(users["reporter"]), logged_in(users["editor"])

    reporter.post(CHANGELIST_URL, {"action": "submit_for_review", "_selected_action": [story.pk], "index": "0"})
    post_change(editor, story, **target_fields("scheduled"))
    post_change(editor, story, **target_fields(Status.WITHDRAWN))
    editor.post(CHANGELIST_URL, {"action": "publish", "_selected_action": [story.pk], "index": "0"})

    entries = LogEntry.objects.filter(object_id=str(story.pk)).order_by("pk")
    audit = [
        (entry.user.username, entry.change_message) for entry in entries if not entry.change_message.startswith("[")
    ]
    assert [user for user, _message in audit] == ["reporter", "editor", "editor", "editor"]
    messages = [message for _user, message in audit]
    assert messages[0] == "Submitted for review."
    assert messages[1].startswith("Scheduled for ")
    assert messages[2] == f"Withdrawn. Reason: {REASON}"
    assert messages[3] == "Published."
    # Stored in English, shown in the editor's language (Ukrainian by default).
    history = editor.get(reverse("admin:articles_story_history", args=[story.pk]))
    assert "Надіслано на розгляд." in history.content.decode()


def test_changelist_summarises_review_and_the_next_scheduled_story(users):
    """Above the list: how many stories wait in review and which scheduled story goes out next, and when."""
    for headline in ("Перша на розгляді", "Друга на розгляді"):
        story_in(Status.IN_REVIEW, users["reporter"], headline)
    now = timezone.now()
    Story.objects.create(headline="Пізніша", status=Status.PUBLISHED, published_at=now + timedelta(days=3))
    Story.objects.create(headline="Найближча", status=Status.PUBLISHED, published_at=now + timedelta(hours=5))
    client = logged_in(users["editor"])

    response = client.get(CHANGELIST_URL, **ENGLISH)

    page = response.content.decode()
    assert "2 stories in review" in page
    assert "Next scheduled: <strong>Найближча</strong>" in page
    assert {s.headline for s in client.get(CHANGELIST_URL, {"workflow": "scheduled"}).context["cl"].result_list} == {
        "Пізніша",
        "Найближча",
    }
    review = client.get(CHANGELIST_URL, {"workflow": "review"}).context["cl"].result_list
    assert {s.headline for s in review} == {"Перша на розгляді", "Друга на розгляді"}


def test_a_reporter_finds_any_public_story_to_link_to_but_not_others_drafts(users):
    """The related-link story search offers a reporter their own stories and every public one, nothing else."""
    public = story_in(Status.PUBLISHED, users["editor"], "Опублікований матеріал редактора")
    others_draft = story_in(Status.DRAFT, users["other_reporter"], "Чернетка колеги")
    own_draft = story_in(Status.DRAFT, users["reporter"], "Моя чернетка")
    params = {"app_label": "articles", "model_name": "relatedlink", "field_name": "target", "term": ""}

    response = logged_in(users["reporter"]).get(reverse("admin:autocomplete"), params)

    found = {result["text"] for result in response.json()["results"]}
    assert found == {public.headline, own_draft.headline}
    assert others_draft.headline not in found
    # Elsewhere in the admin the reporter still sees only their own stories.
    changelist = logged_in(users["reporter"]).get(CHANGELIST_URL).content.decode()
    assert own_draft.headline in changelist and public.headline not in changelist
