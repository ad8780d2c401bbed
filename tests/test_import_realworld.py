"""Inputs as they come from real servers and real exporters: slow servers, other WXR namespaces,
undeclared legacy encodings, Superdesk's ninjs, and feeds with nothing to import."""

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from articles.models import Story

TRICKLE_SECONDS = 0.5
TRICKLE_BYTES = 40  # 20 s in all: the server gives up by itself, so a broken deadline fails rather than hangs

UK_TITLES = ["У Житомирі відкрили оновлений міст через Тетерів", "Громада отримала нові тролейбуси для міста"]
UK_TEXT = (
    "Міська рада повідомила, що ремонт тривав пів року. Мешканці щодня ходять через міст до ринку, "
    "школи й лікарні, тож чекали на відкриття з нетерпінням."
)
RU_TITLES = ["В Бердянске объявили штормовое предупреждение", "Жителей просят не выходить к морю"]
RU_TEXT = (
    "Синоптики ожидают сильный ветер и высокие волны. Городские службы дежурят круглосуточно, "
    "а спасатели просят отложить прогулки по набережной до вечера пятницы."
)


def rss(titles, text, declaration="", channel="Новини громади"):
    items = "".join(
        f"<item><title>{title}</title><guid>item-{number}</guid><description>{text}</description></item>"
        for number, title in enumerate(titles, 1)
    )
    return (
        f'{declaration}<rss version="2.0"><channel><title>{channel}</title>'
        f"<link>https://hromada.example.ua/</link>{items}</channel></rss>"
    )


def run(*paths, **options):
    out = io.StringIO()
    call_command("import_stories", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# --- a local server -----------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    routes = {}  # path → (content type, body)

    def do_GET(self):  # noqa: N802 - the name http.server calls
        try:
            if self.path == "/trickle-body.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.trickle(b" " * TRICKLE_BYTES)
            elif self.path == "/trickle-headers.json":
                self.wfile.write(b"HTTP/1.0 200 OK\r\n")
                self.trickle(b"X-Padding: " + b"x" * TRICKLE_BYTES)
            else:
                content_type, body = self.routes[self.path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the importer gave up, as it should

    def trickle(self, data):
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(TRICKLE_SECONDS)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    for variable in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(variable, "*")
    Handler.routes = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler.routes
    httpd.shutdown()
    httpd.server_close()


# --- 1. the download deadline -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/trickle-body.json", "/trickle-headers.json"])
def test_a_trickling_server_is_given_up_on_at_the_fetch_timeout(server, settings, path):
    """IMPORT_FETCH_TIMEOUT bounds the whole download, so a server sending a byte every half second fails it."""
    base, _ = server
    settings.IMPORT_FETCH_TIMEOUT = 1
    with pytest.raises(CommandError) as error:
        run(f"{base}{path}")
    assert str(error.value) == (
        f"{base}{path}: could not fetch: no complete response within IMPORT_FETCH_TIMEOUT (1 s)"
    )
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_a_prompt_server_is_still_read_in_full(server, settings):
    """A download that finishes within the timeout is imported whole."""
    base, routes = server
    settings.IMPORT_FETCH_TIMEOUT = 5
    routes["/feed.rss"] = ("application/rss+xml", rss(UK_TITLES, UK_TEXT * 200).encode())
    assert "created 2" in run(f"{base}/feed.rss")
    assert sorted(Story.objects.values_list("headline", flat=True)) == sorted(UK_TITLES)


# --- 2. WordPress export namespaces -------------------------------------------------------------------------


def wxr(namespace):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:excerpt="{namespace}excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{namespace}">\n'
        "<channel><title>Theme Unit Test</title><link>https://wpthemetestdata.example.org</link>"
        "<wp:base_site_url>https://wpthemetestdata.example.org</wp:base_site_url><language>uk</language>\n"
        "<item><title>Рада ухвалила бюджет громади</title><dc:creator>admin</dc:creator>"
        "<content:encoded><![CDATA[Депутати підтримали проєкт бюджету.]]></content:encoded>"
        "<excerpt:encoded><![CDATA[Коротко про бюджет.]]></excerpt:encoded>"
        "<wp:post_id>1241</wp:post_id><wp:post_date>2024-03-28 10:30:00</wp:post_date>"
        "<wp:post_date_gmt>2024-03-28 08:30:00</wp:post_date_gmt><wp:status>publish</wp:status>"
        "<wp:post_type>post</wp:post_type></item>\n</channel></rss>\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "namespace",
    [
        "https://wordpress.org/export/1.2/",
        "http://wordpress.org/export/1.2/",
        "https://wordpress.org/export/1.1/",
        "http://wordpress.org/export/1.0/",
    ],
)
def test_wordpress_exports_are_read_whatever_their_namespace_version_and_scheme(tmp_path, namespace):
    """An export declaring wp as http(s)://wordpress.org/export/1.0, 1.1 or 1.2 is imported with its excerpt."""
    path = write(tmp_path, "export.xml", wxr(namespace))
    assert "created 1" in run(path)
    story = Story.objects.get()
    assert (story.headline, story.lead) == ("Рада ухвалила бюджет громади", "Коротко про бюджет.")


@pytest.mark.django_db
def test_an_unknown_wordpress_export_version_is_refused(tmp_path):
    """A namespace of a WXR version no importer knows is refused as not a WordPress export, writing nothing."""
    path = write(tmp_path, "export.xml", wxr("https://wordpress.org/export/7.0/"))
    with pytest.raises(CommandError, match=r"export\.xml: not a WordPress export \(no wp: elements\)"):
        run(path, format="wxr")
    assert not Story.objects.exists()


# --- 3. undeclared legacy encodings -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("titles", "text", "encoding"),
    [
        (UK_TITLES, UK_TEXT, "windows-1251"),
        (RU_TITLES, RU_TEXT, "windows-1251"),
        (RU_TITLES, RU_TEXT, "koi8-r"),
    ],
)
def test_a_feed_file_without_a_declaration_is_read_in_its_detected_encoding(tmp_path, titles, text, encoding):
    """A feed file in windows-1251 or koi8-r with no XML declaration is detected, stored as Cyrillic and reported."""
    path = write(tmp_path, "feed.rss", rss(titles, text).encode(encoding))
    output = run(path)
    assert "created 2" in output and f"encoding: {encoding} (detected)" in output
    assert sorted(Story.objects.values_list("headline", flat=True)) == sorted(titles)
    assert Story.objects.get(external_id="item-1").lead.startswith(text.split(".")[0])


@pytest.mark.django_db
def test_a_latin1_feed_without_a_declaration_keeps_its_accents(tmp_path):
    """A latin-1 feed with nothing declared is read as windows-1252, its superset, and its accents survive."""
    titles = ["Le café de la gare a rouvert après des travaux", "Fête du quartier : les élèves ont chanté"]
    text = "Les habitants étaient ravis, déçus seulement par la longue attente et le bruit du chantier."
    output = run(write(tmp_path, "feed.rss", rss(titles, text, channel="Actualités").encode("latin-1")), language="en")
    assert "encoding: windows-1252 (detected)" in output
    assert sorted(Story.objects.values_list("headline", flat=True)) == sorted(titles)


@pytest.mark.django_db
def test_a_feed_served_without_a_charset_is_read_in_its_detected_encoding(server):
    """A windows-1251 feed served as application/rss+xml with no charset imports with the right headlines."""
    base, routes = server
    routes["/feed"] = ("application/rss+xml", rss(UK_TITLES, UK_TEXT).encode("windows-1251"))
    output = run(f"{base}/feed")
    assert "encoding: windows-1251 (detected)" in output
    assert sorted(Story.objects.values_list("headline", flat=True)) == sorted(UK_TITLES)


@pytest.mark.django_db
def test_a_declared_or_served_charset_is_honoured_and_reported(server):
    """The XML declaration and the HTTP charset name the encoding used, and the summary says which one it was."""
    base, routes = server
    routes["/declared"] = (
        "text/xml",
        rss(RU_TITLES, RU_TEXT, '<?xml version="1.0" encoding="KOI8-R"?>').encode("koi8-r"),
    )
    routes["/served"] = ("text/xml; charset=koi8-r", rss(RU_TITLES, RU_TEXT).encode("koi8-r"))
    assert "encoding: koi8-r (declared)" in run(f"{base}/declared")
    Story.objects.all().delete()
    assert "encoding: koi8-r (HTTP charset)" in run(f"{base}/served")
    assert sorted(Story.objects.values_list("headline", flat=True)) == sorted(RU_TITLES)


@pytest.mark.django_db
def test_a_plain_utf8_feed_reports_no_encoding(tmp_path):
    """A UTF-8 feed with nothing declared needs no note in the summary."""
    output = run(write(tmp_path, "feed.rss", rss(UK_TITLES, UK_TEXT)))
    assert "created 2" in output and "encoding" not in output


# --- 4. ninjs identifiers -----------------------------------------------------------------------------------

SUPERDESK = {
    "guid": "urn:newsml:superdesk.example.org:2025-05-01T10:00:00.000000:7f1c",
    "version": "2",
    "type": "text",
    "pubstatus": "usable",
    "language": "uk",
    "headline": "Суперdesk передав новину",
    "body_html": "<p>Текст новини з редакції.</p>",
    "versioncreated": "2025-05-01T10:00:00+0000",
    "firstcreated": "2025-05-01T09:00:00+0000",
}


@pytest.mark.django_db
def test_superdesk_ninjs_with_a_guid_imports_once(tmp_path):
    """A Superdesk item naming itself by guid is imported under that guid, and re-importing it changes nothing."""
    path = write(tmp_path, "superdesk.json", json.dumps(SUPERDESK, ensure_ascii=False))
    assert "created 1" in run(path)
    story = Story.objects.get()
    assert (story.external_id, story.origin) == (SUPERDESK["guid"], "ninjs:urn:newsml:superdesk.example.org")
    assert "created 0, updated 0, skipped 1" in run(path)
    assert Story.objects.get().version == story.version


@pytest.mark.django_db
def test_uri_is_preferred_over_guid_and_altids_serve_when_both_are_missing(tmp_path):
    """With uri and guid the uri is the identifier; with neither, the first 1.x or 2.x altids entry is."""
    items = [
        {**SUPERDESK, "uri": "https://agency.example/item/1"},
        {"altids": {"agency": "A-17"}, "headline": "Перша новина агенції", "body_text": "Текст."},
        {"altids": [{"role": "agency", "value": "A-18"}], "headline": "Друга новина агенції", "body_text": "Текст."},
    ]
    run(write(tmp_path, "items.json", json.dumps(items, ensure_ascii=False)))
    assert sorted(Story.objects.values_list("external_id", flat=True)) == [
        "agency:A-17",
        "agency:A-18",
        "https://agency.example/item/1",
    ]


@pytest.mark.django_db
def test_ninjs_without_any_identifier_is_refused(tmp_path):
    """An item with no uri, guid or altids is refused naming the field, writing nothing."""
    path = write(tmp_path, "item.json", json.dumps({"headline": "Без ідентифікатора"}, ensure_ascii=False))
    with pytest.raises(CommandError, match=r"uri: missing; every ninjs item needs one \(or a guid, or altids\)"):
        run(path)
    assert not Story.objects.exists()


# --- 5. feeds with nothing to import ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("continue_on_error", [False, True])
def test_a_feed_without_items_fails(tmp_path, continue_on_error):
    """A well-formed feed with no items fails naming the file, even with --continue-on-error."""
    path = write(tmp_path, "empty.rss", rss([], ""))
    with pytest.raises(CommandError, match=rf"^{path}: the feed has no items$"):
        run(path, continue_on_error=continue_on_error)


@pytest.mark.django_db
def test_a_feed_whose_items_are_all_dropped_fails_with_continue_on_error(tmp_path):
    """When every item is skipped the run fails saying how many and why, instead of "created 0"."""
    empty_items = "<item><guid>a</guid></item><item><guid>b</guid></item>"
    path = write(tmp_path, "blank.rss", f'<rss version="2.0"><channel><title>Т</title>{empty_items}</channel></rss>')
    with pytest.raises(
        CommandError, match=r"blank\.rss: nothing imported: all 2 items failed: .*item 1 \(a\): the item has no title"
    ):
        run(path, continue_on_error=True)
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_a_partly_good_feed_still_imports_with_continue_on_error(tmp_path):
    """One bad item among good ones is skipped and counted; the good ones are stored."""
    items = "<item><guid>a</guid></item>" + "".join(
        f"<item><title>{title}</title><guid>{title}</guid></item>" for title in UK_TITLES
    )
    path = write(tmp_path, "mixed.rss", f'<rss version="2.0"><channel><title>Т</title>{items}</channel></rss>')
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_stories", str(path), continue_on_error=True, stdout=out, stderr=io.StringIO())
    assert error.value.returncode == 2
    assert "created 2, updated 0, skipped 0, failed 1" in out.getvalue()
    assert Story.objects.count() == 2


@pytest.mark.django_db
def test_an_html_page_given_as_a_feed_points_at_its_feed(tmp_path):
    """A saved web page read as RSS is refused as a web page, naming the feed address the page announces."""
    page = (
        '<!DOCTYPE html>\n<html lang="uk"><head><meta charset="utf-8"><title>Новини</title>'
        '<link rel="alternate" type="application/rss+xml" href="https://hromada.example.ua/feed/?a=1&amp;b=2">'
        "</head><body><p>Новини громади<br></body></html>"
    )
    path = write(tmp_path, "news.html", page)
    with pytest.raises(
        CommandError,
        match=r"news\.html: this is an HTML web page, not a feed; the page names its "
        r"feed: https://hromada\.example\.ua/feed/\?a=1&b=2$",
    ):
        run(path, format="rss")
    assert not Story.objects.exists()
