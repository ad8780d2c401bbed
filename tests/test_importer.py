"""The plain-text importer: the real seed story, our own samples, bad input and idempotency."""

import io
import re
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from articles.models import Attribution, RelatedLink, Section, Source, Story

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "story-uk-naryshkin-pyongyang.txt"
SAMPLES = Path(__file__).resolve().parent / "fixtures" / "stories"
KYIV = ZoneInfo("Europe/Kyiv")

pytestmark = pytest.mark.django_db

SEED_SOURCES = [
    ("ЦТАК", "Центральне телеграфне агентство Кореї", Source.Kind.AGENCY),
    ("Служба зовнішньої розвідки РФ", "СЗР", Source.Kind.GOVERNMENT),
    ("Радіо Свобода", "", Source.Kind.BROADCASTER),
    ("Financial Times", "FT", Source.Kind.NEWSPAPER),
    ("RUSI", "", Source.Kind.THINK_TANK),
    ("Білий дім", "", Source.Kind.GOVERNMENT),
]
SAMPLE_SOURCES = [
    ("Укрінформ", "Укринформ\nUkrinform", Source.Kind.AGENCY),
    ("Укравтодор", "", Source.Kind.GOVERNMENT),
    ("Суспільне", "", Source.Kind.BROADCASTER),
]


def register(sources):
    for name, aliases, kind in sources:
        Source.objects.create(name=name, aliases=aliases, kind=kind)


def run(*args, **options):
    out = io.StringIO()
    call_command("import_stories", *map(str, args), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"seed story not found at {SEED}")


@needs_seed
def test_seed_story_is_carried_faithfully():
    """The seed keeps its headline, lead, 8 paragraphs, inline link, 12 dated related links and tags."""
    run(SEED, published_at="2024-03-28T12:00+02:00", tags=["КНДР", "Росія"])
    story = Story.objects.get()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert story.headline == lines[0]
    assert story.lead == lines[1]
    assert story.language == "uk"
    assert story.is_public()
    assert story.get_absolute_url() == f"/2024/03/28/{story.slug}/"
    assert "naryshkin" in story.slug and "pkheniani" in story.slug
    blocks = story.body_blocks()
    assert len(blocks) == 8
    read_also = [link for _, links in blocks for link in links]
    assert len(read_also) == 1 and read_also[0].title.startswith("«Без допомоги КНДР")
    assert blocks[3][1] == read_also, "the inline link follows the fourth paragraph"
    more = story.more_links()
    assert len(more) == 12
    assert more[0].date == date(2024, 11, 13) and more[-1].date == date(2024, 7, 10)
    assert [link.language for link in more].count("ru") == 1 and more[-1].language == "ru"
    assert sorted(tag.slug for tag in story.tags.all()) == ["kndr", "rosiia"]


@needs_seed
def test_seed_lists_all_six_registered_sources_in_order_of_first_mention():
    """With the six sources registered, every one is attributed with the sentence that cites it."""
    register(SEED_SOURCES)
    run(SEED, published_at="2024-03-28T12:00+02:00")
    attributions = list(Attribution.objects.select_related("source").order_by("position"))
    assert [a.source.name for a in attributions] == [name for name, _, _ in SEED_SOURCES]
    white_house = attributions[-1]
    assert "Білого дому" in white_house.sentence
    assert "Financial Times повідомила" in attributions[3].sentence


@needs_seed
def test_second_import_of_the_seed_changes_nothing():
    """Importing the same file twice reports it skipped and leaves every row untouched."""
    register(SEED_SOURCES)
    run(SEED, published_at="2024-03-28T12:00+02:00", tags=["КНДР", "Росія"])
    before = Story.objects.get()
    link_ids = list(RelatedLink.objects.values_list("pk", flat=True))
    output = run(SEED, published_at="2024-03-28T12:00+02:00", tags=["КНДР", "Росія"])
    assert "created 0, updated 0, skipped 1, failed 0" in output
    after = Story.objects.get()
    assert after.updated_at == before.updated_at
    assert list(RelatedLink.objects.values_list("pk", flat=True)) == link_ids


def test_samples_import_from_a_directory_recursively_with_languages_detected():
    """A directory imports every text file below it, each in its own language."""
    register(SAMPLE_SOURCES)
    output = run(SAMPLES, published_at="2025-05-14T10:00+03:00")
    assert "created 4, updated 0, skipped 0, failed 0" in output
    languages = dict(Story.objects.values_list("external_id", "language"))
    assert languages == {
        "bridge-uk.txt": "uk",
        "repairs-uk.txt": "uk",
        "nested/theatre-ru.txt": "ru",
        "nested/grain-en.txt": "en",
    }
    theatre = Story.objects.get(external_id="nested/theatre-ru.txt")
    assert theatre.slug.startswith("odesskiy-teatr") or theatre.slug.startswith("odesskii-teatr")
    assert [link.kind for link in theatre.related_links.all()] == ["read_also", "more", "more"]
    assert [a.source.name for a in theatre.attributions.all()] == ["Укрінформ", "Суспільне"]


def test_declined_source_names_are_attributed():
    """ "Укравтодору" and "Укравтодорі" are found as the source "Укравтодор"."""
    register(SAMPLE_SOURCES)
    run(SAMPLES / "bridge-uk.txt", SAMPLES / "repairs-uk.txt")
    bridge = Story.objects.get(external_id="bridge-uk.txt")
    assert [a.source.name for a in bridge.attributions.all()] == ["Укрінформ", "Укравтодор", "Суспільне"]
    assert bridge.attributions.all()[1].sentence.startswith("За даними Укравтодору")


def test_related_links_resolve_to_stories_imported_before_and_after():
    """A related title matching a headline points at that story, whichever arrives first."""
    run(SAMPLES / "bridge-uk.txt")
    bridge = Story.objects.get()
    assert not bridge.related_links.filter(target__isnull=False).exists()
    run(SAMPLES / "repairs-uk.txt")
    repairs = Story.objects.get(external_id="repairs-uk.txt")
    assert set(bridge.related_links.filter(target=repairs).values_list("kind", flat=True)) == {"read_also", "more"}
    assert repairs.related_links.get().target == bridge


def test_changed_file_updates_only_that_story(tmp_path):
    """After an edit at the source, the story is updated, and only then."""
    path = write(tmp_path, "a.txt", "Заголовок першої новини\nЛід першої новини.\nАбзац.\n")
    run(path)
    assert "skipped 1" in run(path)
    write(tmp_path, "a.txt", "Заголовок першої новини\nЛід першої новини, уточнений.\nАбзац.\n")
    assert "created 0, updated 1, skipped 0" in run(path)
    assert Story.objects.get().lead == "Лід першої новини, уточнений."
    assert Story.objects.count() == 1


def test_options_set_status_section_language_and_time(tmp_path):
    """--status, --section, --language and --published-at apply to every imported story."""
    Section.objects.create(name="Світ", slug="svit")
    path = write(tmp_path, "b.txt", "Заголовок\nЛід.\nАбзац тексту.\n")
    run(path, status="draft", section="svit", language="ru", published_at="2024-03-28T12:00")
    story = Story.objects.get()
    assert (story.status, story.section.slug, story.language) == ("draft", "svit", "ru")
    assert story.published_at == datetime(2024, 3, 28, 12, 0, tzinfo=KYIV)
    assert not Story.objects.published().exists()


def test_dry_run_reports_and_writes_nothing():
    """--dry-run prints what would happen and leaves the database empty."""
    output = run(SAMPLES, dry_run=True)
    assert "Dry run, nothing written: created 4, updated 0, skipped 0, failed 0" in output
    assert "created  " in output and "bridge-uk.txt" in output
    assert not Story.objects.exists() and not RelatedLink.objects.exists()


def test_standard_input_is_imported(monkeypatch):
    """'-' reads one story from standard input."""
    stdin = io.TextIOWrapper(io.BytesIO("Новина з потоку\nЛід.\nАбзац.\n".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    run("-")
    assert Story.objects.get().origin == "text"


@needs_seed
def test_seed_story_page_and_lists(client):
    """The imported seed is readable at its date URL and found by its tag and a March date range only."""
    register(SEED_SOURCES)
    run(SEED, published_at="2024-03-28T12:00+02:00", tags=["КНДР", "Росія"])
    story = Story.objects.get()
    html = client.get(story.get_absolute_url()).content.decode()
    assert story.lead in html and "28 березня 2024" in html
    for block, _ in story.body_blocks():
        assert block in html
    assert "Читайте також:</span> <span>«Без допомоги КНДР" in html
    assert len(re.findall(r'<time datetime="\d{4}-\d\d-\d\d">\d\d\.\d\d\.\d{4}</time>', html)) == 12
    assert html.count('<li lang="ru">') == 1
    for source in Source.objects.all():
        assert f'href="{source.get_absolute_url()}"' in html
    assert story.get_absolute_url() in client.get("/tags/kndr/").content.decode()
    march = client.get("/stories/?tag=kndr&date_after=2024-03-01&date_before=2024-03-31").content.decode()
    april = client.get("/stories/?tag=kndr&date_after=2024-04-01").content.decode()
    assert story.get_absolute_url() in march and story.get_absolute_url() not in april
