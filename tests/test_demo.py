import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Attribution, Byline, RelatedLink, Section, Source, Story
from articles.newsdesk.workflow import is_editor

ARTICLES = Path(__file__).resolve().parents[1] / "articles"
DEMO = ARTICLES / "demo"
MANIFEST = json.loads((DEMO / "stories.json").read_text(encoding="utf-8"))
CATALOGUE = json.loads((DEMO / "sources.json").read_text(encoding="utf-8"))

needs_importer = pytest.mark.skipif(
    not (ARTICLES / "management" / "commands" / "import_stories.py").exists(),
    reason="load_demo goes through the import_stories command",
)


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def headline(name):
    return (DEMO / "stories" / name).read_text(encoding="utf-8").splitlines()[0]


def database_state():
    return {
        "stories": list(Story.objects.order_by("pk").values_list("pk", "slug", "status", "updated_at", "hero_image")),
        "bylines": list(Byline.objects.order_by("pk").values_list("story", "author", "position")),
        "attributions": list(Attribution.objects.order_by("pk").values_list("story", "source", "sentence")),
        "links": list(RelatedLink.objects.order_by("pk").values_list("story", "title", "target")),
        "sources": list(Source.objects.order_by("pk").values_list("name", "aliases")),
        "tags": sorted(Story.tags.through.objects.values_list("content_object", "tag")),
    }


@needs_importer
@pytest.mark.django_db
class TestLoadDemo:
    def test_creates_the_demo_newsroom(self):
        output = run("load_demo")

        assert f"{len(MANIFEST)} new stories" in output
        assert Story.objects.count() == len(MANIFEST)
        assert Section.objects.count() == len(CATALOGUE["sections"])
        assert Source.objects.count() == len(CATALOGUE["sources"])
        assert Byline.objects.count() == sum(len(entry["authors"]) for entry in MANIFEST)
        drafts = [entry for entry in MANIFEST if entry["status"] == "draft"]
        assert len(drafts) == 1
        draft = Story.objects.get(headline=headline(drafts[0]["file"]))
        assert draft not in Story.objects.published()
        assert Story.objects.published().count() == len(MANIFEST) - 1
        assert {story.published_at.year for story in Story.objects.published()} == {2024, 2025, 2026}
        assert set(Story.objects.values_list("language", flat=True)) == {"uk", "ru"}

    def test_stories_have_bylines_in_order_and_tags(self):
        run("load_demo")

        entry = next(entry for entry in MANIFEST if len(entry["authors"]) > 1)
        story = Story.objects.get(headline=headline(entry["file"]))
        assert [author.slug for author in story.byline()] == entry["authors"]
        assert sorted(story.tags.names()) == sorted(entry["tags"])
        assert story.section.slug == entry["section"]

    def test_sources_are_attributed_even_when_declined(self):
        run("load_demo")

        budget = Story.objects.get(headline=headline("poltava-budget.txt"))
        cited = set(budget.attributions.values_list("source__name", flat=True))
        assert {"Суспільне", "Державна служба статистики України", "Центр Разумкова"} <= cited

    def test_related_titles_that_name_demo_stories_become_internal_links(self):
        run("load_demo")

        budget = Story.objects.get(headline=headline("poltava-budget.txt"))
        cleanup = Story.objects.get(headline=headline("vorskla-cleanup.txt"))
        links = cleanup.related_links.filter(target=budget)
        assert {link.kind for link in links} == {RelatedLink.Kind.READ_ALSO, RelatedLink.Kind.MORE}
        assert all(link.href() == budget.get_absolute_url() for link in links)

    def test_hero_images_are_generated_with_alt_text(self):
        run("load_demo")

        with_images = [entry for entry in MANIFEST if "hero_image" in entry]
        assert with_images
        for entry in with_images:
            story = Story.objects.get(headline=headline(entry["file"]))
            assert story.hero_image.storage.exists(story.hero_image.name)
            assert story.hero_image.width > story.hero_image.height
            assert story.hero_image_alt == entry["hero_image"]["alt"]
            assert story.hero_image_credit

    def test_running_it_again_changes_nothing(self):
        run("load_demo")
        before = database_state()

        output = run("load_demo")

        assert "nothing changed" in output
        assert database_state() == before

    def test_an_editors_changes_survive_the_next_start(self):
        """`make run` loads the demo on every start: a story an editor renamed and moved is kept as they left it."""
        run("load_demo")
        story = Story.objects.filter(status=Story.Status.PUBLISHED).first()
        story.headline = f"{story.headline} (оновлено)"
        story.published_at -= timedelta(hours=3)
        story.save()

        output = run("load_demo")

        assert "nothing changed" in output
        story.refresh_from_db()
        assert story.headline.endswith("(оновлено)") and Story.objects.count() == len(MANIFEST)


@pytest.mark.django_db
def test_demo_admin_keeps_one_password(tmp_path):
    password_file = tmp_path / "password"

    first = run("demo_admin", "--host", "example.test", "--port", "9000", "--password-file", str(password_file))
    second = run("demo_admin", "--host", "example.test", "--port", "9000", "--password-file", str(password_file))

    password = password_file.read_text().strip()
    assert (
        first
        == second
        == (
            f"Admin: http://example.test:9000/admin/  login: admin  password: {password}\n"
            "To try the roles, log in as reporter (Reporter), editor (Editor) with the same password.\n"
        )
    )
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert password_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_demo_admin_makes_a_reporter_and_an_editor_to_try_the_roles(tmp_path):
    password_file = tmp_path / "password"
    run("demo_admin", "--password-file", str(password_file))
    password = password_file.read_text().strip()

    users = get_user_model().objects
    reporter, editor = users.get(username="reporter"), users.get(username="editor")
    assert reporter.check_password(password) and editor.check_password(password)
    assert reporter.is_staff and not reporter.is_superuser and not is_editor(reporter)
    assert editor.is_staff and not editor.is_superuser and is_editor(editor)
    assert editor.get_full_name() == "Олена Петренко"
