"""Importing from http(s) addresses: served here on 127.0.0.1, with the limits an open network needs."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from articles.models import Story

NINJS = '{"uri": "urn:newsml:agency.example:7", "headline": "Новина за адресою", "body_text": "Текст."}'
ROUTES = {
    "/story.json": (200, "application/json", NINJS.encode()),
    "/big.json": (200, "application/json", b"[" + b" " * 4096 + b"]"),
    "/page.html": (200, "text/html; charset=utf-8", b"<html><body>Not a feed</body></html>"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.path == "/slow.json":
            time.sleep(2)
        status, content_type, body = ROUTES.get(self.path, (404, "text/plain", b"missing"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run(url):
    out = io.StringIO()
    call_command("import_stories", url, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_a_ninjs_file_imports_from_an_address(server):
    """An address serving JSON is fetched, its format detected and its story stored."""
    assert "created 1" in run(f"{server}/story.json")
    assert Story.objects.get().headline == "Новина за адресою"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.json", "HTTP 404"),
        ("/page.html", "unexpected content type 'text/html'"),
        ("/big.json", "larger than the 1024-byte limit"),
        ("/slow.json", "could not fetch"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(server, settings, path, message):
    """A missing page, an HTML page, a download over the size cap and a server too slow each fail clearly."""
    settings.IMPORT_MAX_DOWNLOAD_BYTES = 1024
    settings.IMPORT_FETCH_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises(CommandError, match=message) as error:
        run(f"{server}{path}")
    assert f"{server}{path}" in str(error.value)
    assert time.monotonic() - started < 1.8
    assert not Story.objects.exists()
