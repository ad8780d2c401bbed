"""Choosing the format: sniffing each kind of input, and what --format auto does with the rest."""

import codecs
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.importers import formats, inputs
from articles.importers.records import BadInput
from articles.models import Story

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
