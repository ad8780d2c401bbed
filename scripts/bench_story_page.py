"""Measure the story page in-process: queries per request and render time.

Builds a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL points
at one), imports a story like the seed (the real seed when ../shared/seed is
present, otherwise our own sample) with six sources, tags and 12 related links,
adds stories sharing its tags, then requests the page repeatedly through
Django's test client.

Cold: the site version is bumped before every request (as any edit does), so each one renders the page and
looks up the next scheduled publication. Warm: the page comes from the page cache, local memory unless
BENCH_REDIS_URL names a Redis database (its keys go under a bench prefix and are deleted afterwards).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python scripts/bench_story_page.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
BENCH_PREFIX = "newsroom-bench"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

if BENCH_REDIS_URL:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BENCH_REDIS_URL,
            "KEY_PREFIX": BENCH_PREFIX,
        }
    }

from bench_content import build_content  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from articles.site.caching import bump_site_version  # noqa: E402

WARMUP, ROUNDS = 50, 500


def measure(url, cold):
    """Queries and times of one page; `cold` bumps the site version before each request, so every one renders."""
    client = Client()

    def timed_get():
        if cold:
            bump_site_version()
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        return (time.perf_counter() - started) * 1000

    for _ in range(WARMUP):
        timed_get()
    with CaptureQueriesContext(connection) as queries:
        timed_get()
    query_count = len(queries)  # read now: later requests reset the connection's query log
    timings = [timed_get() for _ in range(ROUNDS)]
    timings.sort()
    return query_count, statistics.median(timings), timings[int(len(timings) * 0.95)]


def main():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        story, story_file = build_content()
        url = story.get_absolute_url()
        cold = measure(url, cold=True)
        warm = measure(url, cold=False)
        print(f"database:      {connection.vendor}")
        print(
            f"story:         {story_file.name} ({story.attributions.count()} sources, "
            f"{story.related_links.count()} related links, {story.tags.count()} tags)"
        )
        print(f"queries/page:  {cold[0]} cold, {warm[0]} warm")
        for label, (_count, median, p95) in [("cold render", cold), ("warm (cached)", warm)]:
            print(f"{label + ':':15}median {median:.2f} ms, p95 {p95:.2f} ms over {ROUNDS} requests")
        print(f"page cache:    {type(caches['default']).__name__}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if BENCH_REDIS_URL:
            server = caches["default"]._cache.get_client(write=True)
            for key in server.scan_iter(f"{BENCH_PREFIX}:*"):
                server.delete(key)


if __name__ == "__main__":
    main()
