"""Import benchmark: 10,000 ninjs stories into a throwaway database, then again unchanged.

    .venv/bin/python scripts/bench_import.py [COUNT]                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python scripts/bench_import.py

The corpus comes from scripts/make_ninjs_corpus.py (tags, authors and sentences
citing registered sources, so attribution detection has work to do).
"""

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from articles.models import Attribution, Source, Story  # noqa: E402

SOURCES = [
    "Укрінформ\nUkrinform",
    "Суспільне",
    "Reuters",
    "Держстат",
    "НБУ\nНаціональний банк",
    "Financial Times",
    "Радіо Свобода",
]


def timed_import(path):
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        call_command("import_stories", str(path), format="ninjs", stdout=out, stderr=io.StringIO())
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), out.getvalue().strip().splitlines()[-1]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    corpus = Path(tempfile.mkdtemp()) / "corpus.jsonl"
    make_corpus = [sys.executable, str(ROOT / "scripts" / "make_ninjs_corpus.py"), str(count), str(corpus)]
    subprocess.run(make_corpus, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for entry in SOURCES:
            name, *aliases = entry.split("\n")
            Source.objects.create(name=name, aliases="\n".join(aliases))
        print(f"database: {connection.vendor}; corpus: {count} ninjs stories, {corpus.stat().st_size >> 20} MiB")
        for label in ("first import", "unchanged re-import"):
            elapsed, queries, summary = timed_import(corpus)
            print(f"{label:20} {elapsed:6.2f} s  {count / elapsed:8.0f} stories/s  {queries:5d} queries  ({summary})")
        print(f"stored: {Story.objects.count()} stories, {Attribution.objects.count()} attributions")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
