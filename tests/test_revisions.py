from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from articles.models import Attribution, Author, Byline, Correction, RelatedLink, Source, Story
from articles.models.revisions import record_revision, story_revisions
from tests.people import logged_in, staff_member
from tests.test_admin import ADD_URL, ENGLISH, assert_saved, change_url, formset, naryshkin_inlines, story_post
from tests.test_redirects import import_text

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
HISTORY_BUDGET = 15


@pytest.fixture
def editor(django_user_model):
    return staff_member(django_user_model, "editor", "Editor")


@pytest.fixture
def reporter(django_user_model):
    return staff_member(django_user_model, "reporter", "Reporter")


def history_url(story):
    return reverse("admin:articles_story_history", args=[story.pk])


def restore_url(story, revision):
    return reverse("admin:articles_story_restore", args=[story.pk, revision.pk])


def resave_post(story, **fields):
    """The change form of `story` exactly as stored: its fields, tags and existing inline rows."""
    local = timezone.localtime(story.published_at) if story.published_at else None
    data = story_post(
        headline=story.headline,
        lead=story.lead,
        body=story.body,
        status=story.status,
        slug=story.slug,
        tags=", ".join(tag.name for tag in story.tags.all()),
        published_at_0=f"{local:%Y-%m-%d}" if local else "",
        published_at_1=f"{local:%H:%M:%S}" if local else "",
        loaded_version=story.version,
    )
    parts = {
        "bylines": [{"author": row.author_id, "position": row.position} for row in story.bylines.all()],
        "attributions": [
            {"source": row.source_id, "position": row.position, "sentence": row.sentence}
            for row in story.attributions.all()
        ],
        "related_links": [
            {
                "kind": row.kind,
                "position": row.position,
                "paragraph": row.paragraph or "",
                "title": row.title,
                "url": row.url,
                "language": row.language,
                "target": row.target_id or "",
                "date": row.date.isoformat() if row.date else "",
            }
            for row in story.related_links.all()
        ],
    }
    for prefix, rows in parts.items():
        manager = getattr(story, prefix)
        rows = [{"id": obj.pk, "story": story.pk, **row} for obj, row in zip(manager.all(), rows, strict=True)]
        data.update(formset(prefix, rows, initial=len(rows)))
    data.update(fields)
    return data


def add_story_through_admin(client, catalog_inlines, **fields):
    data = story_post(catalog_inlines, tags="КНДР, Росія", **fields)
    assert_saved(client.post(ADD_URL, data))
    return Story.objects.get()


@pytest.fixture
def seed(db):
    return {
        "olena": Author.objects.create(name="Олена Коваленко"),
        "taras": Author.objects.create(name="Тарас Шевчук"),
        "kcna": Source.objects.create(name="ЦТАК"),
        "svr": Source.objects.create(name="Служба зовнішньої розвідки РФ"),
        "liberty": Source.objects.create(name="Радіо Свобода"),
    }


def test_an_admin_save_records_one_revision_with_the_whole_story(editor, seed):
    """Adding a story records one revision by its author holding the story, byline, sources, links and tags."""
    story = add_story_through_admin(logged_in(editor), naryshkin_inlines(seed))

    revision = Revision.objects.get()
    assert revision.user == editor
    assert revision.get_comment()
    held = {}
    for version in Version.objects.filter(revision=revision):
        held.setdefault(version.content_type.model, []).append(version)
    assert {model: len(versions) for model, versions in held.items()} == {
        "story": 1,
        "byline": 2,
        "attribution": 2,
        "relatedlink": 3,
        "taggedstory": 2,
    }
    assert held["story"][0].field_dict["headline"] == story.headline
    assert "version" not in held["story"][0].field_dict and "updated_at" not in held["story"][0].field_dict


def test_saving_unchanged_twice_adds_no_revision(editor, seed):
    """An identical re-save through the change form, inlines and tags included, leaves storage as it was."""
    client = logged_in(editor)
    story = add_story_through_admin(client, naryshkin_inlines(seed))

    for _attempt in range(2):
        assert_saved(client.post(change_url(story), resave_post(Story.objects.get(pk=story.pk))))

    assert Revision.objects.count() == 1


def test_a_change_to_tags_alone_is_a_new_revision(editor, seed):
    """Only the tags changed: still a revision, since it holds the tags too."""
    client = logged_in(editor)
    story = add_story_through_admin(client, naryshkin_inlines(seed))

    assert_saved(client.post(change_url(story), resave_post(story, tags="КНДР, Росія, Санкції")))

    assert Revision.objects.count() == 2
    latest = story_revisions(story).first()
    tag_rows = Version.objects.filter(revision=latest, content_type__model="taggedstory")
    assert tag_rows.count() == 3


def test_a_failed_save_records_nothing(editor, make_story):
    """A form with errors saves nothing, so no revision either."""
    story = make_story("Стара назва", published_at=PUBLISHED)

    response = logged_in(editor).post(change_url(story), resave_post(story, headline=""))

    assert response.status_code == 200
    assert not Revision.objects.exists()


def edit(story, user, comment="Edited.", **fields):
    for name, value in fields.items():
        setattr(story, name, value)
    story.save()
    return record_revision(story, user, comment)


def test_history_shows_revisions_newest_first_with_word_diff_and_items(editor, make_story, seed):
    """Who, when, comment and what changed: words in <del>/<ins>, tags and sources added or removed."""
    story = make_story("Наришкін у Пхеньяні", published_at=PUBLISHED, tags=["КНДР"])
    Attribution.objects.create(story=story, source=seed["kcna"], position=1)
    edit(story, editor, "First.")
    story.tags.add("Росія")
    story.attributions.all().delete()
    edit(story, editor, "Second.", headline="Наришкін прибув до Пхеньяна")

    html = logged_in(editor).get(history_url(story), **ENGLISH).content.decode()

    assert html.index("Second.") < html.index("First.")
    assert "<del>у Пхеньяні</del><ins>прибув до Пхеньяна</ins>" in html
    assert "<ins>Росія</ins>" in html
    assert "<del>ЦТАК</del>" in html
    assert "Restore this revision" in html


def test_history_keeps_the_admin_log_lines(editor, make_story):
    """Transitions and share previews, logged as admin LogEntries, stay on the history page."""
    story = make_story("Новина", published_at=PUBLISHED)
    edit(story, editor)
    client = logged_in(editor)
    client.post(reverse("admin:articles_story_share_preview", args=[story.pk]))

    html = client.get(history_url(story), **ENGLISH).content.decode()

    assert "Shared a preview link" in html


def test_diffs_escape_html(editor, make_story):
    """Markup typed into a headline is shown as text in the diff, never run."""
    story = make_story("Звичайна назва", published_at=PUBLISHED)
    edit(story, editor)
    edit(story, editor, headline="<script>alert(1)</script> назва")

    html = logged_in(editor).get(history_url(story)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_history_query_count_does_not_grow_with_revisions(editor, make_story, seed, django_assert_max_num_queries):
    """Ten revisions with tags, sources, links and byline cost the same queries as two."""
    story = make_story("Новина", published_at=PUBLISHED, tags=["КНДР"])
    client = logged_in(editor)

    def add_revisions(count):
        for number in range(count):
            Attribution.objects.create(story=story, source=Source.objects.create(name=f"Джерело {count}-{number}"))
            Byline.objects.create(story=story, author=Author.objects.create(name=f"Автор {count}-{number}"))
            RelatedLink.objects.create(story=story, title=f"Посилання {count}-{number}", target=story)
            story.tags.add(f"Тег {count}-{number}")
            edit(story, editor, headline=f"Новина {count}-{number}")

    add_revisions(2)
    with django_assert_max_num_queries(HISTORY_BUDGET) as two:
        client.get(history_url(story))
    add_revisions(8)
    with django_assert_max_num_queries(HISTORY_BUDGET) as ten:
        response = client.get(history_url(story))

    assert len(response.context["revision_entries"]) == 10
    assert len(ten) == len(two)


@pytest.fixture
def restorable(make_story, editor, seed):
    """A story whose first revision was a draft with one source and tag; published and rewritten since."""
    story = make_story(
        "Перша назва",
        status=Story.Status.DRAFT,
        published_at=None,
        body="<p>Перший текст.</p>",
        tags=["КНДР"],
        created_by=editor,
    )
    Attribution.objects.create(story=story, source=seed["kcna"], position=1)
    Byline.objects.create(story=story, author=seed["olena"], position=1)
    first = record_revision(story, editor, "Draft.")
    story.tags.set(["Росія"])
    story.attributions.all().delete()
    Attribution.objects.create(story=story, source=seed["liberty"], position=1)
    RelatedLink.objects.create(story=story, title="Пізніше посилання", url="https://example.com/")
    edit(story, editor, "Published.", headline="Друга назва", status=Story.Status.PUBLISHED, published_at=PUBLISHED)
    return story, first


def test_restore_brings_back_content_and_parts_and_keeps_the_life_cycle(editor, restorable, seed):
    """Fields, tags, byline and sources come back, later rows go; status and times stay; a new revision is made."""
    story, first = restorable
    version_before = Story.objects.get(pk=story.pk).version

    response = logged_in(editor).post(restore_url(story, first), **ENGLISH)

    assert response.status_code == 302
    story = Story.objects.get(pk=story.pk)
    assert story.headline == "Перша назва" and story.body == "<p>Перший текст.</p>"
    assert story.status == Story.Status.PUBLISHED and story.published_at == PUBLISHED
    assert [tag.name for tag in story.tags.all()] == ["КНДР"]
    assert [row.source for row in story.attributions.all()] == [seed["kcna"]]
    assert [row.author for row in story.bylines.all()] == [seed["olena"]]
    assert not story.related_links.exists()
    assert story.version > version_before
    latest = story_revisions(story).first()
    assert latest.comment.startswith("Restored the revision of ") and latest.comment.endswith(" by editor.")
    assert latest.user == editor


def test_restore_is_audited_in_the_admin_log(editor, restorable):
    """Who restored which revision lands in the admin log, shown on the history page."""
    story, first = restorable

    logged_in(editor).post(restore_url(story, first))

    entry = LogEntry.objects.get(object_id=str(story.pk))
    assert entry.user == editor
    assert entry.get_change_message().startswith(f"Restored revision {first.pk} of ")


def test_restore_updates_the_public_page(client, editor, restorable):
    """The cached story page shows the restored headline at once."""
    story, first = restorable
    assert "Друга назва" in client.get(story.get_absolute_url()).content.decode()

    logged_in(editor).post(restore_url(story, first))

    assert "Перша назва" in client.get(story.get_absolute_url()).content.decode()


def test_reporter_cannot_restore_an_editors_published_story(reporter, restorable):
    """403, and the story is as it was."""
    story, first = restorable

    response = logged_in(reporter).post(restore_url(story, first))

    assert response.status_code == 403
    assert Story.objects.get(pk=story.pk).headline == "Друга назва"
    assert not LogEntry.objects.exists()


def test_reporter_who_wrote_a_published_story_sees_its_history_without_restore(reporter, make_story, editor):
    """Reporters see their own story's history; once it is published they may not restore it."""
    story = make_story("Новина кореспондента", published_at=PUBLISHED, created_by=reporter)
    first = edit(story, editor)
    client = logged_in(reporter)

    html = client.get(history_url(story), **ENGLISH).content.decode()

    assert "Restore this revision" not in html
    assert client.post(restore_url(story, first)).status_code == 403


def test_restore_needs_post(editor, restorable):
    story, first = restorable
    assert logged_in(editor).get(restore_url(story, first)).status_code == 405


def test_a_revision_of_another_story_is_not_restored_here(editor, restorable, make_story):
    story, first = restorable
    other = make_story("Інша новина", published_at=PUBLISHED)

    assert logged_in(editor).post(restore_url(other, first)).status_code == 404


def test_restore_refuses_a_revision_citing_a_deleted_source(editor, restorable, seed):
    """A clear error, and nothing changed."""
    story, first = restorable
    seed["kcna"].delete()

    response = logged_in(editor).post(restore_url(story, first), follow=True, **ENGLISH)

    messages = [str(message) for message in response.context["messages"]]
    assert any("cannot be restored" in message and "source #" in message for message in messages)
    story = Story.objects.get(pk=story.pk)
    assert story.headline == "Друга назва"
    assert [row.source for row in story.attributions.all()] == [seed["liberty"]]
    assert not LogEntry.objects.exists()


def correction_post(story, text, **fields):
    data = resave_post(story, **fields)
    data.update(
        formset(
            "corrections",
            [{"kind": "correction", "text": text, "published_at_0": "2024-03-28", "published_at_1": "15:00"}],
        )
    )
    return data


def test_a_correction_links_to_the_revision_its_save_recorded(editor, make_story):
    """The note added with a change points at the revision holding that change; the history page shows it."""
    story = make_story("Повінь на Дністрі", published_at=PUBLISHED)
    client = logged_in(editor)
    assert_saved(client.post(change_url(story), resave_post(story)))

    story.refresh_from_db()
    response = client.post(change_url(story), correction_post(story, "Назву села виправлено.", body="<p>Нове.</p>"))

    assert_saved(response)
    correction = Correction.objects.get()
    assert correction.revision == story_revisions(story).first()
    assert story_revisions(story).count() == 2
    html = client.get(history_url(story)).content.decode()
    assert f'id="revision-{correction.revision_id}"' in html and "Назву села виправлено." in html


def test_a_correction_without_other_changes_links_to_the_latest_revision(editor, make_story):
    """No content changed: no new revision, and the note points at the latest one."""
    story = make_story("Повінь на Дністрі", published_at=PUBLISHED)
    client = logged_in(editor)
    assert_saved(client.post(change_url(story), resave_post(story)))

    story.refresh_from_db()
    assert_saved(client.post(change_url(story), correction_post(story, "Уточнено.")))

    assert Revision.objects.count() == 1
    assert Correction.objects.get().revision == Revision.objects.get()


def test_an_imported_story_keeps_its_stored_content_as_the_first_revision(editor, make_story):
    """A story that has no revision (imported, demo) is kept as it was before its first edit, which can be undone."""
    story = make_story("Імпортована назва", published_at=PUBLISHED, tags=["КНДР"])
    story.tags.add("Санкції")
    client = logged_in(editor)

    assert_saved(client.post(change_url(story), resave_post(story, headline="Назва після редагування")))

    baseline, edit = story_revisions(story).order_by("pk")
    assert baseline.user is None and "before its first change" in baseline.get_comment()
    assert baseline.version_set.get(content_type__model="story").field_dict["headline"] == "Імпортована назва"
    assert edit.user == editor
    history = client.get(history_url(story), **ENGLISH).content.decode()
    assert "<del>Імпортована назва</del><ins>Назва після редагування</ins>" in history

    assert client.post(restore_url(story, baseline)).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Імпортована назва" and sorted(story.tags.names()) == ["КНДР", "Санкції"]


def test_the_publish_action_keeps_the_draft_it_published(editor, make_story):
    """Publishing from the list records the story before and after, so "what changed" has a public baseline."""
    story = make_story("Чернетка з імпорту", status=Story.Status.DRAFT, published_at=None)
    logged_in(editor).post(
        reverse("admin:articles_story_changelist"), {"action": "publish", "_selected_action": [story.pk]}
    )
    before, after = story_revisions(story).order_by("pk")
    assert before.version_set.get(content_type__model="story").field_dict["status"] == Story.Status.DRAFT
    assert after.version_set.get(content_type__model="story").field_dict["status"] == Story.Status.PUBLISHED


def test_an_import_that_updates_an_edited_story_records_its_own_revision(editor, tmp_path):
    """The import's change is a revision of its own, so the editor's next revision shows only the editor's change."""
    path = tmp_path / "budget.txt"
    path.write_text("Рада ухвалила бюджет\nЛід.\nПерший абзац.\n", encoding="utf-8")
    import_text(path)
    story = Story.objects.get()
    client = logged_in(editor)
    assert_saved(client.post(change_url(story), resave_post(story, lead="Лід редактора.")))
    assert story_revisions(story).count() == 2  # as imported, then the editor's

    path.write_text("Рада ухвалила бюджет\nЛід.\nПерший абзац, виправлений джерелом.\n", encoding="utf-8")
    import_text(path)

    latest = story_revisions(story).first()
    assert (latest.user, latest.get_comment()) == (None, "Updated by an import.")
    assert "виправлений джерелом" in latest.version_set.get(content_type__model="story").field_dict["body"]
    import_text(path)  # unchanged: nothing to record
    assert story_revisions(story).count() == 3


def test_an_import_records_no_revision_for_stories_nobody_edited(tmp_path):
    path = tmp_path / "budget.txt"
    path.write_text("Рада ухвалила бюджет\nЛід.\nПерший абзац.\n", encoding="utf-8")
    import_text(path)
    path.write_text("Рада ухвалила бюджет\nНовий лід.\nПерший абзац.\n", encoding="utf-8")
    import_text(path)
    assert not Revision.objects.exists()
