"""Choosing the format: sniffing each kind of input, and what --format auto does with the rest."""

import codecs
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Story
from articles.transfer.importers import formats, inputs
from articles.transfer.importers.records import BadInput

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>', "rss"),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "rss"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', "atom"),
        (codecs.BOM_UTF16_LE + '<feed xmlns="http://www.w3.org/2005/Atom">'.encode("utf-16-le"), "atom"),
        (b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>', "wxr"),
        (b'{"newsroom": 1, "stories": []}', "json"),
        (b'{"uri": "urn:x", "headlines": []}', "ninjs"),
        (b'[{"uri": "urn:x"}]', "ninjs"),
        ("Заголовок\nЛід\n".encode(), "text"),
    ],
)
def test_sniffing_tells_formats_apart(head, expected):
    """The first bytes are enough to pick the right reader."""
    assert formats.sniff(head, "input") == expected


def test_unknown_xml_is_refused_by_name():
    """XML that is no feed and no WordPress export asks for --format instead of guessing."""
    with pytest.raises(BadInput, match="neither RSS, Atom nor a WordPress export"):
        formats.sniff(b'<?xml version="1.0"?><urlset/>', "sitemap.xml")


@pytest.mark.django_db
def test_auto_detection_streams_a_large_wordpress_export(monkeypatch):
    """--format auto reads only the head, so a WordPress export bigger than the in-memory limit still imports."""
    wxr = next((FIXTURES / "wxr").glob("*1.2*.xml"))
    monkeypatch.setattr(inputs, "MAX_IN_MEMORY_BYTES", 1024)
    call_command("import_stories", str(wxr), stdout=io.StringIO(), stderr=io.StringIO())
    assert Story.objects.filter(origin__startswith="wordpress:").exists()


@pytest.mark.django_db
def test_a_directory_of_mixed_formats_imports_each_file_in_its_own_format(tmp_path):
    """One run over a folder with text, RSS, WXR and ninjs files reads each with its own reader."""
    for folder, pattern in (("stories", "bridge-uk.txt"), ("wxr", "*1.2*.xml"), ("ninjs", "*.json")):
        source = next((FIXTURES / folder).glob(pattern))
        (tmp_path / source.name).write_bytes(source.read_bytes())
    out = io.StringIO()
    call_command("import_stories", str(tmp_path), stdout=out, stderr=io.StringIO())
    origins = {origin.split(":")[0] for origin in Story.objects.values_list("origin", flat=True)}
    assert {"text", "wordpress", "ninjs"} <= origins
    assert "failed 0" in out.getvalue()


def test_unknown_format_name_is_refused():
    """--format only takes the formats there are."""
    with pytest.raises(CommandError, match="invalid choice: 'csv'"):
        call_command("import_stories", "x.csv", "--format", "csv", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_related_links_resolve_across_formats(tmp_path):
    """A text story's related line names a story that came from a ninjs feed, and points at it."""
    feed = tmp_path / "feed.json"
    feed.write_text(
        '{"uri": "urn:newsml:agency.example:1", "headline": "Агентство: новий міст відкрили", '
        '"body_text": "Текст.", "firstcreated": "2025-05-01T10:00:00+03:00"}',
        encoding="utf-8",
    )
    story = tmp_path / "story.txt"
    story.write_text(
        "Заголовок\nЛід.\nАбзац.\nЩе на цю тему\n- 01.05.2025 Агентство: новий міст відкрили\n", encoding="utf-8"
    )
    call_command("import_stories", str(feed), str(story), stdout=io.StringIO(), stderr=io.StringIO())
    link = Story.objects.get(origin="text").related_links.get()
    assert link.target == Story.objects.get(origin__startswith="ninjs")


@pytest.mark.django_db
def test_imported_hero_image_address_is_shown_on_the_story_page(tmp_path, client):
    """A story whose image came by address from a feed shows that image with its alt text."""
    feed = tmp_path / "feed.json"
    feed.write_text(
        '{"uri": "urn:newsml:agency.example:2", "headline": "Новина з фото", "body_text": "Текст.",'
        ' "firstcreated": "2025-05-01T10:00:00+03:00", "associations": {"featureimage": {"type": "picture",'
        ' "uri": "https://img.example/photo.jpg", "description_text": "Міст через Дніпро"}}}',
        encoding="utf-8",
    )
    call_command("import_stories", str(feed), stdout=io.StringIO(), stderr=io.StringIO())
    page = client.get(Story.objects.get().get_absolute_url()).content.decode()
    assert '<img src="https://img.example/photo.jpg" alt="Міст через Дніпро">' in page


class FakeTerminal(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(tty, monkeypatch):
    """On a terminal the bar shows a count, a rate and an ETA; redirected output gets none of it."""
    from articles.transfer.importers.progress import Progress

    clock = iter(range(100))
    monkeypatch.setattr("articles.transfer.importers.progress.time.monotonic", lambda: next(clock))
    payload = inputs.Payload("feed.json", content=b"x" * 100)
    stream = FakeTerminal(tty)
    progress = Progress(stream, total_bytes=100)
    progress.start(payload)
    payload.bytes_read = 50
    progress.step()
    progress.close()
    output = stream.getvalue()
    assert ("50%" in output and "1 items" in output and "ETA" in output) if tty else output == ""


@pytest.mark.django_db
def test_verbosity_2_lists_each_item_and_the_summary_closes_the_run(tmp_path):
    """-v 2 names every item with what happened to it; the last line is the summary."""
    path = tmp_path / "a.txt"
    path.write_text("Заголовок першої\nЛід.\nАбзац.\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_stories", str(path), verbosity=2, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("created") and "a.txt" in lines[0] and "Заголовок першої" in lines[0]
    assert lines[-1] == "created 1, updated 0, skipped 0, failed 0"
