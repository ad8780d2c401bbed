import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Correction, Story
from articles.models.revisions import record_revision
from articles.site.changes import changes_url, text_diff
from tests.people import staff_member
from tests.states import HIDDEN_STATES
from tests.test_metadata import json_ld, page
from tests.test_revisions import edit

pytestmark = pytest.mark.django_db

Status = Story.Status
DRAFT_TEXT = "Секретна чернетка про джерело."
PAGE_BUDGET = 8


@pytest.fixture
def editor(django_user_model):
    return staff_member(django_user_model, "editor", "Editor")


def published(story, editor, **fields):
    """The story goes public an hour ago, with the given text, recorded as a revision."""
    fields = {"status": Status.PUBLISHED, "published_at": timezone.now() - timedelta(hours=1), **fields}
    return edit(story, editor, "Published.", **fields)


@pytest.fixture
def draft(make_story, editor):
    story = make_story("Чернеткова назва", status=Status.DRAFT, published_at=None, body=f"<p>{DRAFT_TEXT}</p>")
    record_revision(story, editor, "Draft.")
    return story


@pytest.fixture
def corrected(draft, editor):
    """Draft text never public, then the published text, then a corrected body with a note pointing at it."""
    published(draft, editor, headline="Повінь на Дністрі", body="<p>Вода піднялася на два метри.</p>")
    revision = edit(draft, editor, "Corrected.", body="<p>Вода піднялася на три метри.</p>")
    note = Correction.objects.create(story=draft, text="Виправлено рівень води.", revision=revision)
    return draft, revision, note


def test_a_correction_note_links_to_what_changed(client, corrected):
    """On the story page and in its JSON-LD, the note points at its "what changed" page."""
    story, revision, _note = corrected
    url = changes_url(story, revision.pk)

    html = page(client, story.get_absolute_url())

    assert f'href="{url}"' in html
    [comment] = json_ld(html)["NewsArticle"]["correction"]
    assert comment["url"] == f"http://testserver{url}"


def test_the_changes_page_shows_the_words_changed_since_the_public_text(client, corrected):
    """Word-level diff against the text readers saw before; the draft text never appears; noindex."""
    story, revision, note = corrected

    html = page(client, changes_url(story, revision.pk))

    assert "<del>два</del><ins>три</ins>" in html
    assert note.text in html
    assert DRAFT_TEXT not in html and "Чернеткова назва" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_no_public_text_before_the_change_means_no_link_and_404(client, draft, editor):
    """A note made by the save that published the story has nothing public to compare with."""
    revision = published(draft, editor, headline="Повінь на Дністрі")
    Correction.objects.create(story=draft, text="Оновлено.", revision=revision)

    html = page(client, draft.get_absolute_url())

    assert "/changes/" not in html
    assert "url" not in json_ld(html)["NewsArticle"]["correction"][0]
    assert client.get(changes_url(draft, revision.pk)).status_code == 404


def test_text_saved_under_embargo_is_never_the_base(client, draft, editor):
    """A revision recorded while the story was embargoed was not public then: it is skipped, nothing to show."""
    published(draft, editor, body="<p>Текст під ембарго.</p>", embargo_until=timezone.now() + timedelta(days=1))
    Story.objects.filter(pk=draft.pk).update(embargo_until=None)
    draft.refresh_from_db()
    revision = edit(draft, editor, body="<p>Текст після ембарго.</p>")
    Correction.objects.create(story=draft, text="Уточнено.", revision=revision)

    assert client.get(changes_url(draft, revision.pk)).status_code == 404


def test_a_revision_without_a_note_has_no_public_page(client, corrected, editor):
    """Edits nobody wrote a note about (a legal removal, say) cannot be found by trying revision numbers."""
    story, _revision, _note = corrected
    silent = edit(story, editor, body="<p>Вода піднялася на три метри. Без імені.</p>")

    assert client.get(changes_url(story, silent.pk)).status_code == 404
    assert client.get(changes_url(story, 999999)).status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_story_has_no_changes_page(client, corrected, state):
    """Drafts, stories in review, withdrawn, scheduled and embargoed stories: 404."""
    story, revision, _note = corrected
    fields = dict(HIDDEN_STATES[state])
    if "when" in fields:
        fields["published_at"] = fields.pop("when")
    Story.objects.filter(pk=story.pk).update(**fields)
    story.refresh_from_db()
    cache.clear()

    assert client.get(changes_url(story, revision.pk)).status_code == 404


def test_the_changes_page_escapes_markup(client, corrected, editor):
    """A headline holding markup is shown as text."""
    story, _revision, _note = corrected
    revision = edit(story, editor, headline="Повінь <script>alert(1)</script>")
    Correction.objects.create(story=story, text="Назву змінено.", revision=revision)

    html = page(client, changes_url(story, revision.pk))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_word_diff_escapes_and_marks_whole_changes():
    assert text_diff("a <b> c", "a <i> c") == "a &lt;<del>b</del><ins>i</ins>&gt; c"
    assert text_diff("у Пхеньяні", "прибув до Пхеньяна") == "<del>у Пхеньяні</del><ins>прибув до Пхеньяна</ins>"
    assert text_diff("один\nдва", "один\nтри") == "один\n<del>два</del><ins>три</ins>"


def test_query_budgets(client, corrected, editor, django_assert_max_num_queries):
    """The changes page and a story page with linked notes stay within the story page's budget, cold."""
    story, _revision, _note = corrected
    for number in range(3):
        revision = edit(story, editor, body=f"<p>Вода піднялася на {number + 4} метри.</p>")
        Correction.objects.create(story=story, text=f"Уточнення {number}.", revision=revision)
    cache.clear()

    with django_assert_max_num_queries(PAGE_BUDGET):
        html = page(client, story.get_absolute_url())
    with django_assert_max_num_queries(PAGE_BUDGET):
        page(client, changes_url(story, revision.pk))

    assert len(re.findall(r'href="[^"]*/changes/\d+/"', html)) == 4
