"""The public page cache: headers, conditional GET, invalidation on every kind of change, and publication on time."""

import io
import json
import os
import re
import socket
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from articles.models import Attribution, Section, Source, Story, Tag
from articles.site.caching import VERSION_KEY, SiteVersionBump, public_page, site_version

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
MARCH_28 = datetime(2024, 3, 28, 12, tzinfo=ZoneInfo("Europe/Kyiv"))
HEADLINE = "Ракета впала в Японському морі"
LIST_PAGES = [
    "/",
    "/2024/",
    "/2024/03/",
    "/2024/03/28/",
    "/tags/kndr/",
    "/sections/svit/",
    "/sources/reuters/",
    "/stories/",
    "/stories/?tag=kndr&section=svit",
    "/search/?q=ракета",
]
OTHER_PUBLIC_PAGES = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/tags/kndr/rss/",
    "/feeds/sections/svit/atom/",
    "/feeds/sources/reuters/rss/",
    "/sitemap.xml",
    "/sitemap-stories.xml",
    "/news-sitemap.xml",
    "/robots.txt",
]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def max_age(response):
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


@pytest.fixture
def story(make_story):
    """A public story in section "Світ", tagged "КНДР" and citing Reuters."""
    section = Section.objects.create(name="Світ", slug="svit")
    source = Source.objects.create(name="Reuters", slug="reuters")
    story = make_story(HEADLINE, published_at=MARCH_28, section=section, tags=["КНДР"])
    Attribution.objects.create(story=story, source=source, sentence="Reuters повідомляє.")
    return story


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() frozen at the current whole second; `clock.advance(seconds=…)` moves it."""
    state = SimpleNamespace(now=timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", lambda: state.now)

    def advance(**delta):
        state.now += timedelta(**delta)

    state.advance = advance
    return state


@pytest.mark.parametrize("url", [*LIST_PAGES, "story"])
def test_public_pages_are_publicly_cacheable_with_an_etag(client, story, settings, url):
    """Every reader page says `public, max-age=PUBLIC_CACHE_SECONDS` and carries an ETag."""
    response = client.get(story.get_absolute_url() if url == "story" else url)
    assert response.status_code == 200
    assert response["Cache-Control"] == f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    assert response["ETag"].startswith('"')


@pytest.mark.parametrize("url", OTHER_PUBLIC_PAGES)
def test_feeds_sitemaps_and_robots_are_publicly_cacheable(client, story, settings, url, django_assert_num_queries):
    """Feeds, sitemaps and robots.txt send the same header and are served from the page cache too."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    with django_assert_num_queries(0):
        assert client.get(url).content == response.content


def test_max_age_setting_is_honoured(client, story, settings):
    """PUBLIC_CACHE_SECONDS sets the max-age; 0 turns the page cache off."""
    settings.PUBLIC_CACHE_SECONDS = 300
    assert client.get("/")["Cache-Control"] == "public, max-age=300"
    settings.PUBLIC_CACHE_SECONDS = 0
    cache.clear()
    response = client.get("/tags/kndr/")
    assert "Cache-Control" not in response and cache.get(VERSION_KEY) is None


def test_conditional_get_is_answered_with_304(client, story):
    """A request repeating the page's ETag in If-None-Match gets an empty 304, from the cache or freshly rendered."""
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    warm = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (warm.status_code, warm.content, warm["ETag"]) == (304, b"", etag)
    assert warm["Cache-Control"].startswith("public")
    cache.clear()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_feeds_answer_by_etag_and_never_hide_a_withdrawal(client, story):
    """A feed answers If-None-Match with 304; after its newest story is withdrawn the same request gets the new feed."""
    first = client.get("/feeds/rss/")
    assert "Last-Modified" not in first, "a date that can move backwards would answer If-Modified-Since wrongly"
    assert client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    story.status = Story.Status.WITHDRAWN
    story.save()
    again = client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and story.headline not in again.content.decode()


def test_pages_render_when_the_cache_is_down(client, story, monkeypatch):
    """With the cache unreachable, pages are served uncached instead of failing."""

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_or_set", broken)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200 and story.headline in response.content.decode()


@pytest.mark.parametrize("name", ["admin:index", "admin:articles_story_changelist", "admin:articles_story_change"])
def test_admin_is_never_cached(admin_client, story, name):
    """Admin pages are private and uncacheable, and no admin page lands in the page cache."""
    url = reverse(name, args=[story.pk] if name.endswith("_change") else [])
    cache.clear()
    response = admin_client.get(url)
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache", "no-store"} <= directives and "public" not in directives
    assert cache.get(VERSION_KEY) is None


def test_cached_page_is_served_without_database_queries(client, story, django_assert_num_queries):
    """The second request for a page is answered from the cache with no query at all, byte for byte the same."""
    url = story.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content and second["ETag"] == first["ETag"]


def test_cache_keys_include_host_and_query(client, story):
    """Pages for another host or another query string are rendered apart (the canonical link prints the host)."""
    url = story.get_absolute_url()
    assert "http://testserver/" in html(client, url)
    assert "http://localhost/" in client.get(url, HTTP_HOST="localhost").content.decode()
    assert client.get("/stories/?tag=kndr").content != client.get("/stories/?tag=nemaie").content


def test_max_age_counts_down_while_a_page_is_cached(client, story, clock, settings, django_assert_num_queries):
    """A page served from the cache tells proxies only the seconds it has left; once expired it is rendered again."""
    assert max_age(client.get("/")) == settings.PUBLIC_CACHE_SECONDS
    clock.advance(seconds=45)
    with django_assert_num_queries(0):
        assert max_age(client.get("/")) == settings.PUBLIC_CACHE_SECONDS - 45
    clock.advance(seconds=settings.PUBLIC_CACHE_SECONDS - 45)
    fresh = client.get("/")
    assert max_age(fresh) == settings.PUBLIC_CACHE_SECONDS


def test_saving_a_story_refreshes_every_page_showing_it(client, story):
    """An edited headline shows at once on the story page, the home page and the tag page."""
    urls = [story.get_absolute_url(), "/", "/tags/kndr/"]
    assert all(HEADLINE in html(client, url) for url in urls)
    story.headline = "Друга ракета впала в Японському морі"
    story.save()
    assert all("Друга ракета" in html(client, url) for url in urls)


def test_deleting_a_story_removes_it_from_cached_pages(client, story):
    """A deleted story leaves the home page and its own page at once."""
    url = story.get_absolute_url()
    assert HEADLINE in html(client, "/") and HEADLINE in html(client, url)
    story.delete()
    assert HEADLINE not in html(client, "/")
    html(client, url, status=404)


@pytest.mark.parametrize(
    "change",
    [
        {"status": Story.Status.WITHDRAWN},
        {"status": Story.Status.DRAFT},
        {"embargo_until": timedelta(hours=1)},
        {"published_at": timedelta(days=1)},
    ],
    ids=["withdrawn", "draft", "embargoed", "rescheduled"],
)
def test_a_story_no_longer_public_never_leaks_through_the_cache(client, story, change):
    """A story cached while public disappears at once when withdrawn (its address then answers 410), unpublished,
    embargoed or rescheduled."""
    url = story.get_absolute_url()
    assert (
        HEADLINE in html(client, url)
        and HEADLINE in html(client, "/")
        and HEADLINE in html(client, "/sources/reuters/")
    )
    for field, value in change.items():
        setattr(story, field, timezone.now() + value if isinstance(value, timedelta) else value)
    story.save()
    withdrawn = change.get("status") == Story.Status.WITHDRAWN
    assert "Перший абзац" not in html(client, url, status=410 if withdrawn else 404)
    # Its only story gone, the tag and the source would give the subject away: their pages answer 404 at once.
    html(client, "/tags/kndr/", status=404)
    assert "Reuters" not in html(client, "/sources/reuters/", status=404)
    assert HEADLINE not in html(client, "/")


@pytest.mark.parametrize(
    ("model", "lookup", "new_name"),
    [
        (Tag, {"slug": "kndr"}, "Північна Корея"),
        (Section, {"slug": "svit"}, "Закордон"),
        (Source, {"slug": "reuters"}, "Рейтер"),
    ],
)
def test_renaming_a_tag_section_or_source_refreshes_pages(client, story, model, lookup, new_name):
    """A renamed tag, section or source shows under its new name on the cached story page."""
    url = story.get_absolute_url()
    assert new_name not in html(client, url)
    owner = model.objects.get(**lookup)
    owner.name = new_name
    owner.save()
    assert new_name in html(client, url)


def test_tagging_and_deleting_tags_refresh_pages(client, story, make_story):
    """Adding a tag to a story (taggit writes in bulk) and deleting a tag both show at once."""
    other = make_story("Сеул посилює кордон", published_at=MARCH_28)
    assert "Сеул" not in html(client, "/tags/kndr/")
    other.tags.add("КНДР")
    assert "Сеул" in html(client, "/tags/kndr/")
    assert "КНДР" in html(client, story.get_absolute_url())
    Tag.objects.filter(slug="kndr").delete()
    assert "КНДР" not in html(client, story.get_absolute_url())
    html(client, "/tags/kndr/", status=404)


def test_admin_publish_and_unpublish_actions_refresh_pages(admin_client, client, story, make_story):
    """The admin's bulk publish and unpublish actions, which bypass save(), show on the cached home page at once."""
    draft = make_story("Чернетка стала новиною", status=Story.Status.DRAFT, published_at=MARCH_28)
    assert "Чернетка" not in html(client, "/")
    changelist = reverse("admin:articles_story_changelist")
    admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk], "index": "0"})
    assert "Чернетка" in html(client, "/")
    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [draft.pk, story.pk], "index": "0"})
    home = html(client, "/")
    assert "Чернетка" not in home and HEADLINE not in home


def test_import_command_refreshes_pages(client, story, tmp_path):
    """Stories written by import_stories (bulk writes, no signals) appear on the cached home page at once."""
    assert "Імпортована новина" not in html(client, "/")
    path = tmp_path / "imported.txt"
    path.write_text("Імпортована новина\nЛід імпортованої новини.\nПерший абзац.\n", encoding="utf-8")
    options = {"published_at": "2024-03-28T13:00+02:00", "stdout": io.StringIO()}
    call_command("import_stories", str(path), **options)
    assert "Імпортована новина" in html(client, "/")
    version = site_version()
    call_command("import_stories", str(path), **options)  # unchanged: every item skipped, the cache stays warm
    assert site_version() == version


def test_a_transaction_bumps_the_version_again_once_on_commit(make_story, django_capture_on_commit_callbacks):
    """However many rows a transaction saves, one bump waits for its commit, and running it replaces the version."""
    with django_capture_on_commit_callbacks() as callbacks:
        story = make_story(HEADLINE, tags=["КНДР"])
        for number in range(3):
            story.headline = f"Версія {number}"
            story.save()
        Tag.objects.create(name="Японія")
    bumps = [callback for callback in callbacks if isinstance(callback, SiteVersionBump)]
    assert len(bumps) == 1
    before = site_version()
    bumps[0]()
    assert site_version() != before


@pytest.mark.parametrize(
    ("published_in", "embargo_in", "public_in"),
    [(90, None, 90), (-3600, 200, 200), (60, 300, 300)],
    ids=["scheduled", "embargoed", "scheduled-and-embargoed"],
)
def test_scheduled_story_appears_on_time_without_a_purge(
    client, story, make_story, clock, settings, published_in, embargo_in, public_in
):
    """No page outlives the next publication: a scheduled or embargoed story is on the warm pages at its moment."""
    moment = clock.now + timedelta(seconds=public_in)
    scheduled = make_story(
        "Заплановане повідомлення",
        published_at=clock.now + timedelta(seconds=published_in),
        tags=["КНДР"],
        embargo_until=clock.now + timedelta(seconds=embargo_in) if embargo_in else None,
    )
    first = client.get("/")
    assert "Заплановане" not in first.content.decode()
    assert max_age(first) == min(settings.PUBLIC_CACHE_SECONDS, public_in)
    clock.now = moment - timedelta(seconds=1)
    before = client.get("/")
    assert "Заплановане" not in before.content.decode() and max_age(before) <= 1
    assert "Заплановане" not in html(client, "/tags/kndr/")
    html(client, scheduled.get_absolute_url(), status=404)
    clock.now = moment
    assert "Заплановане" in html(client, "/") and "Заплановане" in html(client, "/tags/kndr/")
    assert "Заплановане повідомлення" in html(client, scheduled.get_absolute_url())


def test_warm_page_is_served_from_cache_until_the_scheduled_moment(
    client, story, make_story, clock, django_assert_num_queries
):
    """Right up to a scheduled publication the page comes from the cache; at the moment it is rendered again."""
    make_story("Заплановане повідомлення", published_at=clock.now + timedelta(seconds=90))
    client.get("/")
    clock.advance(seconds=89)
    with django_assert_num_queries(0):
        assert "Заплановане" not in client.get("/").content.decode()
    clock.advance(seconds=1)
    assert "Заплановане" in html(client, "/")


def test_a_page_that_reads_the_session_is_not_shared(rf):
    """A response that depends on the visitor (it read the session) is marked private and never cached."""
    calls = []

    def view(request):
        calls.append(request.session.get("visitor"))
        return HttpResponse("Вітаємо")

    cached_view = public_page(view)
    for _ in range(2):
        request = rf.get("/personal/")
        SessionMiddleware(lambda request: None).process_request(request)
        response = cached_view(request)
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert len(calls) == 2


@pytest.fixture
def redis_url():
    """TEST_REDIS_URL (database 15 of the local server by default); the test is skipped when nothing answers there."""
    address = urlsplit(TEST_REDIS_URL)
    try:
        socket.create_connection((address.hostname, address.port or 6379), timeout=0.5).close()
    except OSError as error:
        pytest.skip(f"Redis does not answer on {address.hostname}:{address.port or 6379} ({error})")
    return TEST_REDIS_URL


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache on Redis under a key prefix of this test's own, whose keys are deleted afterwards."""
    import redis

    prefix = f"newsroom-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(redis_url)
    yield SimpleNamespace(prefix=prefix, keys=lambda pattern="*": list(server.scan_iter(f"{prefix}:*{pattern}")))
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


def test_pages_are_cached_in_redis_and_invalidated(client, story, redis_cache, django_assert_num_queries):
    """On Redis a page is stored, served with no query, and replaced after a change."""
    url = story.get_absolute_url()
    assert HEADLINE in html(client, url)
    assert redis_cache.keys("public:page:*")
    with django_assert_num_queries(0):
        assert HEADLINE in client.get(url).content.decode()
    story.headline = "Заголовок змінено"
    story.save()
    assert "Заголовок змінено" in html(client, url)


def test_scheduled_story_appears_on_time_with_redis(client, story, make_story, clock, redis_cache):
    """With Redis too, a story scheduled while the home page is cached appears exactly at its time."""
    make_story("Заплановане повідомлення", published_at=clock.now + timedelta(seconds=30))
    assert max_age(client.get("/")) == 30
    clock.advance(seconds=29)
    assert "Заплановане" not in html(client, "/")
    clock.advance(seconds=1)
    assert "Заплановане" in html(client, "/")


def settings_cache(**env):
    """The cache backend newsroom.settings picks for this environment, and a value written to it and read back."""
    probe = f"probe-{uuid.uuid4().hex}"
    script = (
        "import django, json; django.setup(); from django.core.cache import caches; cache = caches['default']; "
        f"cache.set('{probe}', 42, 10); value = cache.get('{probe}'); cache.delete('{probe}'); "
        "print(json.dumps([type(cache).__name__, value]))"
    )
    environment = {
        key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", SECRET_KEY="k", **env)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_use_local_memory_by_default_and_redis_with_redis_url(redis_url):
    """Without REDIS_URL the cache is local memory; with it, Django's Redis backend, working against the server."""
    assert settings_cache() == ["LocMemCache", 42]
    assert settings_cache(REDIS_URL=redis_url) == ["RedisCache", 42]
