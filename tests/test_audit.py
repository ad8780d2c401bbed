"""The audit log in the admin: every logged editor action, read only, for editors and superusers alone."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles.models import Story, Tag
from articles.models.audit import PLACEHOLDER, TEMPLATES, translated
from tests.people import logged_in, staff_member

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("admin:articles_auditentry_changelist")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def editor_user(django_user_model):
    return staff_member(django_user_model, "editor", "Editor")


@pytest.fixture
def editor(editor_user):
    return logged_in(editor_user)


@pytest.fixture
def reporter(django_user_model):
    return logged_in(staff_member(django_user_model, "reporter", "Reporter"))


def log(user, obj, message, flag=CHANGE):
    return LogEntry.objects.log_actions(user.pk, [obj], flag, change_message=message, single_object=True)


def audit_rows(client, **params):
    response = client.get(AUDIT_URL, params, **ENGLISH)
    assert response.status_code == 200
    return response, [entry.get_change_message() for entry in response.context["cl"].result_list]


def test_reporters_may_not_read_the_audit_log(reporter, editor_user, make_story):
    entry = log(editor_user, make_story("Опублікована"), "Published.")

    assert reporter.get(AUDIT_URL).status_code == 403
    assert reporter.get(reverse("admin:articles_auditentry_change", args=[entry.pk])).status_code == 403
    assert AUDIT_URL not in reporter.get(reverse("admin:index")).content.decode()


def test_editors_and_superusers_read_it(editor, admin_client, editor_user, make_story):
    log(editor_user, make_story("Опублікована"), "Published.")

    assert AUDIT_URL in editor.get(reverse("admin:index")).content.decode()
    for client in (editor, admin_client):
        response, messages = audit_rows(client)
        assert messages == ["Published."]
        assert "Audit log" in response.content.decode()


def test_nothing_in_the_log_can_be_added_changed_or_deleted(editor, admin_client, editor_user, make_story):
    entry = log(editor_user, make_story("Опублікована"), "Published.")
    change_url = reverse("admin:articles_auditentry_change", args=[entry.pk])

    for client in (editor, admin_client):
        assert client.get(reverse("admin:articles_auditentry_add")).status_code == 403
        assert client.get(reverse("admin:articles_auditentry_delete", args=[entry.pk])).status_code == 403
        page = client.get(change_url, **ENGLISH)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        client.post(change_url, {"change_message": "Forged."})
        response = client.post(AUDIT_URL, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
        assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.change_message == "Published."


def test_the_editors_actions_appear_in_the_log(editor, make_story):
    """Publish, schedule, withdraw, share a preview and merge tags, each through the admin, each logged."""
    draft = make_story("Чернетка", status=Story.Status.DRAFT, published_at=None)
    later = make_story("Запланована", status=Story.Status.DRAFT, published_at=timezone.now() + timedelta(days=1))
    stories = reverse("admin:articles_story_changelist")
    editor.post(stories, {"action": "publish", "_selected_action": [draft.pk, later.pk], "index": "0"})
    editor.post(reverse("admin:articles_story_share_preview", args=[draft.pk]))
    Story.objects.filter(pk=draft.pk).update(status=Story.Status.WITHDRAWN, withdrawn_reason="Помилка.")
    make_story("Теги", tags=["КНДР", "Корея"])
    korea, dprk = Tag.objects.order_by("name")
    editor.post(
        reverse("admin:articles_tag_changelist"),
        {"action": "merge_selected", "_selected_action": [korea.pk, dprk.pk], "post": "yes", "target": dprk.pk},
    )

    _, messages = audit_rows(editor)
    assert "Published." in messages
    assert any(message.startswith("Scheduled for ") for message in messages)
    assert any(message.startswith("Shared a preview link, valid until ") for message in messages)
    assert "Merged tags КНДР into Корея." in messages
    _, found = audit_rows(editor, q="Merged")
    assert found == ["Merged tags КНДР into Корея."]


def test_withdrawing_in_the_change_form_is_logged(editor, make_story):
    from tests.test_admin import change_url, story_post

    story = make_story("Відкликана", slug="vidklykana")
    local = timezone.localtime(story.published_at)
    data = story_post(
        headline=story.headline,
        slug=story.slug,
        status=Story.Status.WITHDRAWN,
        withdrawn_reason="Помилка.",
        published_at_0=f"{local:%Y-%m-%d}",
        published_at_1=f"{local:%H:%M:%S}",
        loaded_version=story.version,
    )
    assert editor.post(change_url(story), data).status_code == 302

    _, messages = audit_rows(editor)
    assert "Withdrawn. Reason: Помилка." in messages


def test_objects_link_to_their_admin_page_only_while_they_exist(editor, editor_user, make_story):
    kept, gone = make_story("Залишилася"), make_story("Видалена")
    log(editor_user, kept, "Published.")
    log(editor_user, gone, "Published.")
    log(editor_user, gone, "", flag=DELETION)
    gone.delete()
    html = audit_rows(editor)[0].content.decode()

    assert reverse("admin:articles_story_change", args=[kept.pk]) in html
    assert reverse("admin:articles_story_change", args=[gone.pk]) not in html
    assert "Видалена" in html


def test_the_log_filters_by_user_action_and_kind_of_object(editor, editor_user, admin_user, make_story):
    story = make_story("Новина", tags=["КНДР"])
    log(editor_user, story, "Published.")
    log(admin_user, Tag.objects.get(), "Merged tags A into КНДР.")
    log(admin_user, story, '[{"added": {}}]', flag=ADDITION)
    tag_type = ContentType.objects.get_for_model(Tag)

    assert audit_rows(editor, user__id__exact=editor_user.pk)[1] == ["Published."]
    assert audit_rows(editor, content_type__id__exact=tag_type.pk)[1] == ["Merged tags A into КНДР."]
    assert audit_rows(editor, action_flag__exact=ADDITION)[1] == ["Added."]
    year = timezone.localdate().year
    assert len(audit_rows(editor, action_time__year=year)[1]) == 3


def fill_log(user, make_story, count, start=0):
    for number in range(start, start + count):
        story = make_story(f"Новина {number}", tags=[f"Тег {number}"])
        log(user, story, "Published.")
        log(user, story.tags.get(), f"Merged tags X into Тег {number}.")
        if number % 3 == 0:
            story.delete()


def test_the_log_page_costs_the_same_with_5_or_50_entries(
    editor, editor_user, make_story, django_assert_max_num_queries
):
    fill_log(editor_user, make_story, 3)
    with CaptureQueriesContext(connection) as few:
        editor.get(AUDIT_URL)
    fill_log(editor_user, make_story, 22, start=3)

    with django_assert_max_num_queries(14) as many:
        response = editor.get(AUDIT_URL)

    assert len(response.context["cl"].result_list) == 50
    assert len(many) == len(few)


def test_the_audit_log_is_in_the_newsroom_section_of_the_admin(editor):
    html = editor.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert f'<a href="{AUDIT_URL}">Журнал дій</a>' in html


@pytest.mark.parametrize(
    ("stored", "ukrainian"),
    [
        ("Published.", "Опубліковано."),
        ("Scheduled for 2024-03-28 10:00 EET.", "Заплановано на 2024-03-28 10:00 EET."),
        ("Withdrawn. Reason: Помилка в даних.", "Знято з публікації. Причина: Помилка в даних."),
        ("Merged tags КНДР, Корея into Північна Корея.", "Теми КНДР, Корея об'єднано в тему Північна Корея."),
        ("Restored revision 7 of 28.03.2024 10:15.", "Відновлено ревізію 7 від 28.03.2024 10:15."),
        ("Something an older version wrote.", "Something an older version wrote."),
    ],
)
def test_audit_lines_are_stored_in_english_and_read_in_the_editors_language(stored, ukrainian):
    with translation.override("uk"):
        assert translated(stored) == ukrainian
    with translation.override("en"):
        assert translated(stored) == stored


def test_every_audit_line_is_translated(editor):
    """Each template of articles.models.audit has a Ukrainian and a Russian translation with the same placeholders."""
    for language in ("uk", "ru"):
        with translation.override(language):
            for template in TEMPLATES:
                assert gettext(template) != template, (language, template)
                assert PLACEHOLDER.findall(gettext(template)) == PLACEHOLDER.findall(template), (language, template)


def test_the_story_history_reads_audit_lines_in_ukrainian(editor, editor_user, make_story):
    story = make_story("Історія з журналом")
    LogEntry.objects.log_actions(editor_user.pk, [story], CHANGE, change_message="Published.", single_object=True)
    html = editor.get(reverse("admin:articles_story_history", args=[story.pk]), HTTP_ACCEPT_LANGUAGE="uk")
    assert "Опубліковано." in html.content.decode()
