"""Newsroom JSON: exporting everything, importing it back, and getting the very same document."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story, Tag

pytestmark = pytest.mark.django_db


def export(*args, **options):
    out = io.StringIO()
    call_command("export_stories", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def import_json(path, **options):
    out = io.StringIO()
    call_command("import_stories", str(path), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def newsroom(make_story):
    """A small newsroom with every kind of thing a story carries."""
    now = timezone.now()
    world = Section.objects.create(name="Світ", slug="world-news")
    tass = Source.objects.create(name="ТАСС", aliases="TASS", kind=Source.Kind.AGENCY, homepage="https://tass.example")
    reuters = Source.objects.create(name="Reuters", kind=Source.Kind.AGENCY)
    original = make_story(
        "Уряд ухвалив новий бюджет",
        section=world,
        lead="Лід.",
        tags=["Бюджет", "Уряд"],
        body="<p>Абзац <b>перший</b>, пише Reuters.</p><p>Другий абзац.</p>",
        hero_image_url="https://img.example/a.jpg",
        hero_image_alt="Зал засідань",
    )
    translation = make_story("Правительство приняло новый бюджет", language="ru", translation_of=original)
    draft = make_story("Чернетка про вибори", status=Story.Status.DRAFT, published_at=None)
    embargoed = make_story("Звіт під ембарго", embargo_until=now + timedelta(days=1))
    imported = make_story("Новина з фіду", origin="feed:example.org", external_id="guid-1")
    author = Author.objects.create(name="Олена Коваль")
    Byline.objects.create(story=original, author=author, position=1)
    Attribution.objects.create(story=original, source=reuters, position=1, sentence="Абзац перший, пише Reuters.")
    Attribution.objects.create(story=translation, source=tass, position=1, sentence="Сообщает ТАСС.")
    RelatedLink.objects.create(
        story=original,
        position=1,
        kind="read_also",
        paragraph=1,
        title=imported.headline,
        target=imported,
        language="uk",
    )
    RelatedLink.objects.create(
        story=original,
        position=2,
        kind="more",
        title="Зовнішня новина",
        url="https://example.org/news/1",
        date=now.date(),
        language="uk",
    )
    return {"original": original, "translation": translation, "draft": draft, "embargoed": embargoed}


def wipe():
    for model in (RelatedLink, Attribution, Byline, Story, Source, Section, Author, Tag):
        model.objects.all().delete()


def test_json_round_trip_is_exact(newsroom, tmp_path):
    """Importing an export into an empty database and exporting again gives an identical document."""
    first = export(status="all", format="json")
    (tmp_path / "export.json").write_text(first, encoding="utf-8")
    wipe()
    assert "created 5, updated 0, skipped 0, failed 0" in import_json(tmp_path / "export.json")
    assert export(status="all", format="json") == first
    translation = Story.objects.get(headline="Правительство приняло новый бюджет")
    assert translation.translation_of.headline == "Уряд ухвалив новий бюджет"
    assert Section.objects.get().slug == "world-news"
    assert Source.objects.get(name="ТАСС").alias_list() == ["TASS"]


def test_json_import_is_idempotent(newsroom, tmp_path):
    """Importing the same export twice skips every story the second time."""
    (tmp_path / "export.json").write_text(export(status="all"), encoding="utf-8")
    wipe()
    import_json(tmp_path / "export.json")
    assert "created 0, updated 0, skipped 5, failed 0" in import_json(tmp_path / "export.json")


def test_json_export_carries_everything(newsroom):
    """Status, embargo, section, byline, tags, attributions, links, translation and hero image are in the file."""
    stories = {s["headline"]: s for s in json.loads(export(status="all"))["stories"]}
    original = stories["Уряд ухвалив новий бюджет"]
    assert original["section"] == {"name": "Світ", "slug": "world-news"}
    assert original["authors"] == ["Олена Коваль"] and original["tags"] == ["Бюджет", "Уряд"]
    assert original["attributions"][0]["source"] == "Reuters"
    assert original["related_links"][0]["target"] == ["feed:example.org", "guid-1"]
    assert original["hero_image"]["url"] == "https://img.example/a.jpg"
    assert stories["Правительство приняло новый бюджет"]["translation_of"] == ["newsroom", str(newsroom["original"].pk)]
    assert stories["Чернетка про вибори"]["status"] == "draft"
    assert stories["Звіт під ембарго"]["embargo_until"]


def test_default_export_holds_only_public_stories(newsroom):
    """Without --status, drafts and embargoed stories stay out of the export."""
    headlines = {s["headline"] for s in json.loads(export())["stories"]}
    assert "Чернетка про вибори" not in headlines and "Звіт під ембарго" not in headlines
    assert "Уряд ухвалив новий бюджет" in headlines


def test_export_filters_by_tag_and_since(newsroom):
    """--tag narrows to stories with that tag; --since to stories changed from that day on."""
    tagged = json.loads(export(tag=["biudzhet"]))["stories"]
    assert [s["headline"] for s in tagged] == ["Уряд ухвалив новий бюджет"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert json.loads(export(since=tomorrow))["stories"] == []
    with pytest.raises(CommandError, match="--since: 'soon' is not a date"):
        export(since="soon")


def test_export_to_a_file_is_atomic(newsroom, tmp_path, monkeypatch):
    """-o writes the whole file or, when the export fails midway, leaves any previous file untouched."""
    target = tmp_path / "out.json"
    export(output=str(target), status="all")
    assert len(json.loads(target.read_text(encoding="utf-8"))["stories"]) == 5
    from articles.transfer.exporters import native

    def broken(story):
        raise RuntimeError("disk full")

    monkeypatch.setattr(native, "story_data", broken)
    with pytest.raises(RuntimeError):
        export(output=str(target), status="all")
    assert len(json.loads(target.read_text(encoding="utf-8"))["stories"]) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"newsroom": 1, "stories": [', "malformed JSON"),
        ('{"newsroom": 7, "stories": []}', "not a Newsroom JSON export"),
        ('{"newsroom": 1, "stories": [{"origin": "x"}]}', "story 1: invalid story: missing field 'external_id'"),
    ],
)
def test_bad_json_is_refused(tmp_path, content, message):
    """A broken or foreign JSON file fails with its location and writes nothing."""
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        import_json(path, format="json")
    assert not Story.objects.exists()
