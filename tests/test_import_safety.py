"""Hostile or surprising input to import_stories: refused with file and item, non-zero exit, nothing written."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Attribution, RelatedLink, Source, Story
from articles.transfer.importers import text
from articles.transfer.importers.formats import ParseOptions
from articles.transfer.importers.inputs import expand
from articles.transfer.importers.writer import StoryWriter, digest_of, legacy_digest

pytestmark = pytest.mark.django_db

BAD_URLS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://files.example.ua/",
    "http://",
    "https://exa mple.ua/",
    "//example.ua/no-scheme",
]
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n' for n in range(1, 10))
    + "]>\n<lolz>&lol9;</lolz>\n"
)


def story(number=1, **fields):
    item = {
        "origin": "agency",
        "external_id": f"a-{number}",
        "headline": f"Новина {number}",
        "status": "published",
        "published_at": "2024-03-28T12:00:00+02:00",
        "lead": "Лід.",
        "body": "<p>Абзац про бюджет громади.</p>",
    }
    return item | fields


def source(homepage="https://www.ukrinform.ua/", name="Укрінформ"):
    return {"source": name, "homepage": homepage, "kind": "agency", "aliases": [], "sentence": "Повідомляє Укрінформ."}


def write(tmp_path, name, content):
    path = tmp_path / name
    if not isinstance(content, str | bytes):
        content = json.dumps({"newsroom": 1, "stories": content}, ensure_ascii=False)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def run(*paths, **options):
    out = io.StringIO()
    call_command("import_stories", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def refused(*paths, **options):
    with pytest.raises(CommandError) as error:
        run(*paths, **options)
    return error.value


# --- URLs the importer stores --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", BAD_URLS)
def test_source_homepage_that_is_not_a_web_address_is_refused(tmp_path, url):
    """A source homepage the admin would refuse (javascript:, data:, malformed…) stops the import, naming item and field."""
    path = write(tmp_path, "export.json", [story(attributions=[source(url)])])
    message = str(refused(path))
    assert "export.json story 1" in message and "homepage" in message
    assert not Story.objects.exists() and not Source.objects.exists()


@pytest.mark.parametrize("url", BAD_URLS)
def test_related_link_and_hero_image_urls_that_are_not_web_addresses_are_refused(tmp_path, url):
    """Related-link and hero image URLs are held to the same rule, each error naming the field."""
    link = {"kind": "more", "title": "Ще", "url": url}
    assert "related link 1: url" in str(refused(write(tmp_path, "l.json", [story(related_links=[link])])))
    hero = {"url": url, "alt": "", "caption": "", "credit": ""}
    assert "hero image URL" in str(refused(write(tmp_path, "h.json", [story(hero_image=hero)])))
    assert not Story.objects.exists() and not RelatedLink.objects.exists()


def test_valid_homepages_and_links_are_stored(tmp_path):
    """http and https addresses, with paths, ports and non-ASCII hosts, still import."""
    links = [{"kind": "more", "title": "Ще", "url": "https://укрінформ.укр:8443/a?b=1"}]
    path = write(tmp_path, "ok.json", [story(attributions=[source("http://www.ukrinform.ua/")], related_links=links)])
    run(path)
    assert Source.objects.get().homepage == "http://www.ukrinform.ua/"
    assert RelatedLink.objects.get().url == "https://укрінформ.укр:8443/a?b=1"


def test_demo_catalogue_with_a_bad_homepage_is_refused(tmp_path, monkeypatch):
    """load_demo refuses a sources.json entry whose homepage is not an http(s) address, naming it; nothing is written."""
    from articles.management.commands import load_demo

    demo = tmp_path / "demo"
    demo.mkdir()
    catalogue = json.loads((load_demo.DEMO_DIR / "sources.json").read_text(encoding="utf-8"))
    catalogue["sources"][1]["homepage"] = "javascript:alert(1)"
    (demo / "sources.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    (demo / "stories.json").write_text("[]", encoding="utf-8")
    monkeypatch.setattr(load_demo, "DEMO_DIR", demo)
    with pytest.raises(CommandError, match=r"sources.json: source 2 .*homepage 'javascript:alert\(1\)'"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Source.objects.exists()


def test_source_page_never_links_a_stored_non_web_homepage(client, make_story):
    """A homepage stored before validation (javascript:) is not printed as a link on the public source page."""
    bad = Source.objects.create(name="Підозріле джерело", homepage="javascript:alert(1)")
    good = Source.objects.create(name="Укрінформ", homepage="https://www.ukrinform.ua/")
    for number, cited in enumerate((bad, good)):
        Attribution.objects.create(story=make_story(f"Новина {number}"), source=cited, position=1)
    assert "javascript:" not in client.get(bad.get_absolute_url()).content.decode()
    assert 'href="https://www.ukrinform.ua/"' in client.get(good.get_absolute_url()).content.decode()


# --- the digest and the catalogue ----------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", ["json", "ninjs"])
def test_adding_an_unrelated_source_does_not_revert_an_editors_edit(tmp_path, format_name):
    """An unchanged re-import after someone added an unrelated source skips every story and keeps the editor's edit."""
    if format_name == "json":
        path = write(tmp_path, "export.json", [story(attributions=[source()]), story(2)])
    else:
        items = [
            {
                "uri": f"urn:a:{n}",
                "headline": f"Новина {n}",
                "body_text": "Про це повідомляє Укрінформ.",
                "firstcreated": "2025-01-01T10:00:00Z",
            }
            for n in (1, 2)
        ]
        path = write(tmp_path, "items.json", json.dumps(items, ensure_ascii=False))
        Source.objects.create(name="Укрінформ")
    run(path, format=format_name)
    attributed = list(Attribution.objects.order_by("pk").values_list("story", "source"))
    edited = Story.objects.order_by("pk").last()
    edited.headline = "Заголовок редактора"
    edited.save()
    Source.objects.create(name="Суспільне", kind=Source.Kind.BROADCASTER)

    output = run(path, format=format_name)

    assert "created 0, updated 0, skipped 2, failed 0" in output
    edited.refresh_from_db()
    assert edited.headline == "Заголовок редактора"
    assert list(Attribution.objects.order_by("pk").values_list("story", "source")) == attributed


def test_text_import_with_detected_sources_is_skipped_after_a_new_source(tmp_path):
    """A text story whose sources are detected is still skipped, edit kept, when a source it does not name is added."""
    path = write(tmp_path, "a.txt", "Рада ухвалила бюджет\nЛід.\nПро це повідомляє Укрінформ.\n")
    Source.objects.create(name="Укрінформ")
    run(path)
    Story.objects.update(headline="Редактор переписав")
    Source.objects.create(name="Радіо Свобода")

    assert "skipped 1" in run(path)
    assert Story.objects.get().headline == "Редактор переписав"
    assert list(Story.objects.get().attributions.values_list("source__name", flat=True)) == ["Укрінформ"]


def test_load_demo_twice_with_a_new_source_between_changes_nothing():
    """`make run` after an editor's edit and a newly registered source: load_demo changes nothing."""
    call_command("load_demo", stdout=io.StringIO())
    story_row = Story.objects.filter(status=Story.Status.PUBLISHED).first()
    story_row.headline = f"{story_row.headline} (оновлено)"
    story_row.save()
    Source.objects.create(name="Зовсім нове джерело")
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "nothing changed" in out.getvalue()
    story_row.refresh_from_db()
    assert story_row.headline.endswith("(оновлено)")


# --- JSON that breaks the decoder or the database -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "format_name"), [("deep.json", "json"), ("deep.json", "ninjs"), ("deep.json", "auto")]
)
def test_json_nested_a_million_deep_is_refused(tmp_path, name, format_name):
    """A million nested arrays give a clear error naming the file, not a RecursionError; nothing is written."""
    message = str(refused(write(tmp_path, name, "[" * 1_000_000), format=format_name))
    assert "deep.json" in message and "nested too deeply" in message
    assert not Story.objects.exists()


def test_ninjs_json_lines_nested_too_deep_names_the_line(tmp_path):
    """In JSON lines the error names the line that is nested too deeply."""
    good = json.dumps({"uri": "urn:a", "headline": "Новина", "body_text": "Текст."})
    message = str(refused(write(tmp_path, "items.jsonl", good + "\n" + "[" * 100_000 + "\n"), format="ninjs"))
    assert "items.jsonl:2" in message and "nested too deeply" in message
    assert not Story.objects.exists()


@pytest.mark.parametrize("field", ["headline", "body", "lead", "tags"])
def test_nul_character_in_newsroom_json_is_refused(tmp_path, field):
    """A \\u0000 anywhere in an item is refused with the item's location (PostgreSQL cannot store it); nothing written."""
    value = ["тег\u0000"] if field == "tags" else "Текст\u0000з нулем"
    message = str(refused(write(tmp_path, "nul.json", [story(), story(2, **{field: value})])))
    assert "nul.json story 2" in message and "NUL character" in message
    assert not Story.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the crash this guards against is PostgreSQL's")
def test_nul_character_is_refused_on_postgresql_with_continue_on_error(tmp_path):
    """On PostgreSQL a NUL item is reported and skipped, the good item is stored, and the run does not crash."""
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, "nul.json", [story(), story(2, headline="Нуль\u0000")]), continue_on_error=True)
    assert error.value.returncode == 2
    assert list(Story.objects.values_list("external_id", flat=True)) == ["a-1"]


# --- exit codes with --continue-on-error ---------------------------------------------------------------------


def test_every_item_failing_exits_non_zero_even_with_continue_on_error(tmp_path):
    """When every item failed, --continue-on-error still ends with a non-zero exit (3) and writes nothing."""
    path = write(tmp_path, "bad.json", [story(headline=""), story(2, status="unknown")])
    error = refused(path, continue_on_error=True)
    assert error.returncode == 3 and "all 2 items failed" in str(error)
    assert not Story.objects.exists()


def test_some_items_failing_keeps_the_good_ones_and_exits_two(tmp_path):
    """When some items failed, the good ones are stored, the bad ones listed on stderr, and the exit status is 2."""
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_stories",
            str(write(tmp_path, "mixed.json", [story(), story(2, headline="")])),
            continue_on_error=True,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert error.value.returncode == 2
    assert "mixed.json story 2: headline is empty" in err.getvalue()
    assert list(Story.objects.values_list("external_id", flat=True)) == ["a-1"]


def test_unreadable_file_with_continue_on_error_exits_non_zero(tmp_path):
    """A file that cannot be read at all counts as a failure: the run exits non-zero."""
    assert refused(write(tmp_path, "broken.json", '{"newsroom": 1, '), continue_on_error=True).returncode == 3


# --- detecting the format ------------------------------------------------------------------------------------


def test_txt_story_whose_headline_starts_with_a_bracket_is_text(tmp_path):
    """A .txt file is plain text even when its headline starts with "[" as JSON would."""
    run(write(tmp_path, "kharkiv.txt", "[ОНОВЛЕНО] Обстріл Харкова\nЛід новини.\nАбзац.\n"))
    assert Story.objects.get().headline == "[ОНОВЛЕНО] Обстріл Харкова"


def test_bracketed_headline_from_stdin_is_text(monkeypatch):
    """Without an extension, text that merely starts with "[" is read as text, not refused as broken JSON."""
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("[ОНОВЛЕНО] Обстріл\nЛід.\nАбзац.\n".encode())))
    run("-")
    assert Story.objects.get().headline == "[ОНОВЛЕНО] Обстріл"


def test_json_file_that_is_not_json_is_a_json_error(tmp_path):
    """A .json file is JSON: text in it gives a malformed-JSON error naming the file and line."""
    message = str(refused(write(tmp_path, "story.json", "[ОНОВЛЕНО] Обстріл\nЛід.\n")))
    assert "story.json:1" in message and "JSON" in message


@pytest.mark.parametrize("format_name", ["auto", "rss", "atom", "wxr"])
@pytest.mark.parametrize("name", ["bomb.xml", "bomb"])
def test_entity_bomb_is_refused_as_unsafe_xml_whatever_the_detection(tmp_path, format_name, name):
    """Billion laughs says it was refused for declaring entities, naming the file, however the format was chosen."""
    message = str(refused(write(tmp_path, name, LAUGHS), format=format_name))
    assert "refused unsafe XML" in message and "entit" in message and name in message
    assert not Story.objects.exists()


def test_story_stored_under_the_old_digest_is_skipped_and_restamped(tmp_path):
    """A story imported before the digest stopped covering the catalogue is skipped, not re-imported, on upgrade."""
    path = write(tmp_path, "a.txt", "Рада ухвалила бюджет\nЛід.\nПро це повідомляє Укрінформ.\n")
    Source.objects.create(name="Укрінформ")
    run(path)
    Story.objects.update(headline="Редактор переписав")
    (record,) = text.parse(next(expand([str(path)])), ParseOptions("text"))
    writer = StoryWriter()
    writer.load()
    Story.objects.update(import_digest=legacy_digest(record, writer.catalogue))

    assert "skipped 1" in run(path)
    assert Story.objects.get().headline == "Редактор переписав"
    assert Story.objects.get().import_digest == digest_of(record)
