"""The site when its database or its Redis cache fails: cached pages still served, a 503 for the rest, no 500."""

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import redis
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from newsroom import cache as fail_fast
from newsroom.cache import RedisCache

pytestmark = pytest.mark.django_db

HEADLINE = "Ракета впала в морі"
REDIS_SERVER = ("127.0.0.1", 6379)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def story(make_story):
    return make_story(HEADLINE, published_at=datetime(2024, 3, 28, 12, tzinfo=ZoneInfo("Europe/Kyiv")))


def closed_port():
    """A port on 127.0.0.1 nothing listens on: bound by the system, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down(tmp_path):
    """The default database really unreachable: PostgreSQL on a closed port, or SQLite in a directory that is not there.

    The test's own connection stays open behind it, so its transaction is rolled back as usual afterwards.
    """
    working = connections[DEFAULT_DB_ALIAS]
    unreachable = dict(working.settings_dict)
    if working.vendor == "postgresql":
        unreachable.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        unreachable["NAME"] = str(tmp_path / "missing" / "newsroom.sqlite3")
    down = type(working)(unreachable, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = down
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = working
        down.close()


def test_database_outage_serves_cached_pages_and_answers_503_for_the_rest(client, story, tmp_path, caplog):
    """With the database down, a page in the page cache is still served; any other public page answers 503."""
    url = story.get_absolute_url()
    cached = client.get(url)
    assert cached.status_code == 200 and cached.templates
    with database_down(tmp_path), caplog.at_level(logging.ERROR, logger="articles.site.outages"):
        again = client.get(url)
        assert again.status_code == 200 and not again.templates and again.content == cached.content
        assert client.get(f"{url}?utm_source=telegram").content == cached.content
        response = client.get("/2024/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="uk">' in html and "Сервіс тимчасово недоступний" in html
    logged = [record for record in caplog.records if record.name == "articles.site.outages"]
    assert [record.getMessage() for record in logged] == ["The database is unavailable; /2024/ answered 503"]
    assert isinstance(logged[0].exc_info[1], OperationalError)
    assert client.get("/2024/").status_code == 200, "the site recovers once the database is back"


@pytest.mark.parametrize(
    "language, title", [("en", "Service temporarily unavailable"), ("ru", "Сервис временно недоступен")]
)
def test_outage_page_speaks_the_readers_language(client, story, tmp_path, language, title):
    """The 503 page is in the reader's interface language, like every other page."""
    with database_down(tmp_path):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503 and f'<html lang="{language}">' in response.content.decode()
    assert title in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/stories/?tag=kndr",
        "/search/?q=ракета",
        "/tags/kndr/",
        "/feeds/rss/",
        "/sitemap.xml",
        "/2024/03/28/nemaie/",
    ],
)
def test_every_public_page_answers_503_without_the_database(client, story, tmp_path, url):
    """Lists, search, feeds, sitemaps and story pages all answer 503, not 500, when the database is unreachable."""
    with database_down(tmp_path):
        assert client.get(url).status_code == 503


def test_the_admin_keeps_its_own_error(admin_client, tmp_path):
    """The admin is not a reader's page: its database errors are raised and reported as usual."""
    with database_down(tmp_path), pytest.raises(OperationalError):
        admin_client.get("/admin/")


# Redis


class HungServer:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers; `accepted` counts them."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.connections, self.stopped = [], threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                self.connections.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    @property
    def accepted(self):
        return len(self.connections)

    def close(self):
        self.stopped.set()
        self.thread.join()
        for connection in [*self.connections, self.listener]:
            connection.close()


@pytest.fixture
def clock(monkeypatch):
    """The cache's monotonic clock, moved on by `clock.advance(seconds)`."""
    state = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(fail_fast, "monotonic", lambda: state.now)
    state.advance = lambda seconds: setattr(state, "now", state.now + seconds)
    return state


@pytest.fixture
def connection_attempts(monkeypatch):
    """Every TCP connection the Redis client opens, counted."""
    attempts = []
    original = redis.connection.Connection._connect

    def counted(connection):
        attempts.append((connection.host, connection.port))
        return original(connection)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counted)
    return attempts


def use_redis(settings, location, prefix="newsroom-test"):
    """The site's Redis cache settings (newsroom.settings with REDIS_URL) at `location`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_after": 15},
        }
    }
    RedisCache.failing_until.clear()


@pytest.fixture
def hung_redis():
    server = HungServer()
    yield server
    server.close()


def test_a_hung_redis_is_asked_once_per_window(client, story, settings, hung_redis, clock, connection_attempts, caplog):
    """With Redis accepting but never answering, pages render, and Redis is tried once until the window has passed."""
    use_redis(settings, f"redis://127.0.0.1:{hung_redis.port}/0")
    pages = ["/", story.get_absolute_url(), "/2024/", "/stories/", "/feeds/rss/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200 and HEADLINE in response.content.decode(), url
    assert len(connection_attempts) == 1 and hung_redis.accepted == 1
    assert len([record for record in caplog.records if record.name == "newsroom.cache"]) == 1
    clock.advance(14)
    assert client.get("/").status_code == 200 and len(connection_attempts) == 1
    clock.advance(2)
    for url in pages:
        assert client.get(url).status_code == 200
    assert len(connection_attempts) == 2 and hung_redis.accepted == 2


def test_a_redis_that_is_down_is_asked_once_per_window(client, story, settings, clock, connection_attempts):
    """With nothing listening on Redis's port, pages render uncached and the port is tried once per window."""
    port = closed_port()
    use_redis(settings, f"redis://127.0.0.1:{port}/0")
    for _ in range(3):
        for url in ["/", story.get_absolute_url(), "/search/?q=ракета"]:
            assert client.get(url).status_code == 200
    assert connection_attempts == [("127.0.0.1", port)]
    clock.advance(16)
    assert client.get("/").status_code == 200 and len(connection_attempts) == 2


@pytest.fixture
def real_redis(settings):
    """The local Redis, database 7, under a key prefix of this test's own (deleted afterwards)."""
    try:
        socket.create_connection(REDIS_SERVER, timeout=0.5).close()
    except OSError as error:
        pytest.skip(f"Redis does not answer on 127.0.0.1:6379 ({error})")
    prefix = f"newsroom-test-{uuid.uuid4().hex[:12]}"
    use_redis(settings, "redis://127.0.0.1:6379/7", prefix)
    server = redis.Redis(*REDIS_SERVER, db=7)
    yield SimpleNamespace(keys=lambda pattern: list(server.scan_iter(f"{prefix}:*{pattern}")))
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


def test_page_cache_works_on_a_real_redis(client, story, real_redis, django_assert_num_queries):
    """On a Redis that answers, a page is stored once, served with no query, and tracking parameters add no entry."""
    url = story.get_absolute_url()
    assert client.get(url).templates
    with django_assert_num_queries(0):
        for number in range(50):
            response = client.get(f"{url}?utm_source=n{number}")
            assert response.status_code == 200 and not response.templates
    assert len(real_redis.keys("public:page:*")) == 1


def redis_settings(**env):
    """The default cache's BACKEND and OPTIONS as newsroom.settings reads them from this environment."""
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "cache = settings.CACHES['default']; print(json.dumps([cache['BACKEND'], cache.get('OPTIONS', {})]))"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REDIS_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings", SECRET_KEY="k", REDIS_URL="redis://127.0.0.1:6379/7", **env
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_redis_timeouts_are_short_and_configurable():
    """With REDIS_URL the cache fails fast: 0.25 s timeouts and a 15 s window by default, REDIS_TIMEOUT and
    REDIS_RETRY_AFTER to change them."""
    backend, options = redis_settings()
    assert backend == "newsroom.cache.RedisCache"
    assert options == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_after": 15}
    _, options = redis_settings(REDIS_TIMEOUT="0.5", REDIS_RETRY_AFTER="60")
    assert options == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_after": 60}
