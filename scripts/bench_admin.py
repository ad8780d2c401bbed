"""Measure the editors' admin in-process: queries per request and response time.

Builds a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL points at one) with the story of
bench_story_page.py (the real seed when ../shared/seed is present, otherwise our own sample), its sources and
30 stories sharing its tags, logs in a member of the Editor group (migration 0007) and times, after warm-up
requests:

- the story's change form, with the presence notice, the suggestions and the body editor;
- a save of that form with a new headline each time, recording a django-reversion revision;
- the story's history page, once the story has 50 revisions;
- a stale save (the form's version is an old one), answered with the conflict page.

Each save posts the form as the change form offered it, with the version stored at that moment. Any other status
than the expected one stops the run with a non-zero exit.

    .venv/bin/python scripts/bench_admin.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench .venv/bin/python scripts/bench_admin.py
"""

import itertools
import os
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings_test")

import django  # noqa: E402

django.setup()

from bench_content import build_content  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from articles.models import Story  # noqa: E402
from articles.models.revisions import story_revisions  # noqa: E402

WARMUP, ROUNDS = 5, 30
HISTORY_REVISIONS = 50


class UnexpectedStatus(Exception):
    pass


def editor_client():
    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(editor)
    return client


def fields_of(form):
    """The values a browser posts for `form` as rendered: one entry per input, several for a split date and time."""
    data = {}
    for bound in form:
        widget = getattr(bound.field.widget, "widget", bound.field.widget)  # the admin wraps related fields
        rendered = widget.get_context(bound.html_name, bound.value(), {})["widget"]
        for part in rendered.get("subwidgets", [rendered]):
            if part["value"] is not None:  # an unticked checkbox, an empty input
                data[part["name"]] = part["value"]
    return data


def unchanged_form(response):
    """The change form posted back as loaded: its fields, and each inline's management form and stored rows."""
    data = fields_of(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(fields_of(formset.management_form))
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)  # no blank extra rows
        for row in formset.initial_forms:
            data.update(fields_of(row))
    return data


def stored_version(story):
    return Story.objects.values_list("version", flat=True).get(pk=story.pk)


def send(client, url, status, data=None):
    response = client.get(url) if data is None else client.post(url, data)
    if response.status_code != status:
        raise UnexpectedStatus(f"{url}: {response.status_code} instead of {status}{form_errors(response)}")
    return response


def form_errors(response):
    form = (response.context or {}).get("adminform")
    return "".join(f" {field}: {' '.join(errors)}" for field, errors in form.form.errors.items()) if form else ""


def measure(client, url, status, post_data=None):
    """Queries of one request and its median and p95 time; `post_data(round)` makes a POST of each round."""
    rounds = itertools.count()

    def timed(watch=None):
        data = post_data(next(rounds)) if post_data else None
        with nullcontext() if watch is None else watch:
            started = time.perf_counter()
            send(client, url, status, data)
            return (time.perf_counter() - started) * 1000

    for _ in range(WARMUP):
        timed()
    queries = CaptureQueriesContext(connection)
    timed(queries)
    query_count = len(queries)  # read now: later requests reset the connection's query log
    timings = sorted(timed() for _ in range(ROUNDS))
    return query_count, statistics.median(timings), timings[int(len(timings) * 0.95)]


def run(story, client):
    change_url = reverse("admin:articles_story_change", args=[story.pk])
    loaded = unchanged_form(send(client, change_url, 200))
    headline = loaded["headline"]

    def save(number):
        return {**loaded, "headline": f"{headline} ({number})", "loaded_version": stored_version(story)}

    def stale_save(number):
        return {**loaded, "headline": f"{headline} (stale)", "loaded_version": stored_version(story) - 1}

    results = {"change form (GET)": measure(client, change_url, 200)}
    results["save (POST)"] = measure(client, change_url, 302, save)
    more = itertools.count(1000)
    while (revisions := story_revisions(story).count()) < HISTORY_REVISIONS:
        send(client, change_url, 302, save(next(more)))
    history_url = reverse("admin:articles_story_history", args=[story.pk])
    results[f"history, {revisions} revisions"] = measure(client, history_url, 200)
    if not send(client, change_url, 200, stale_save(0)).context.get("conflict"):
        raise UnexpectedStatus(f"{change_url}: a stale save came back without the conflict panel")
    results["conflict (POST)"] = measure(client, change_url, 200, stale_save)
    return results


def main():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        story, story_file = build_content()
        results = run(story, editor_client())
        print(f"database:  {connection.vendor}")
        print(
            f"story:     {story_file.name} ({story.attributions.count()} sources, "
            f"{story.related_links.count()} related links, {story.tags.count()} tags, "
            f"{story_revisions(story).count()} revisions at the end)"
        )
        print(f"{'':26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}   ({ROUNDS} requests after {WARMUP} warm-up)")
        for label, (queries, median, p95) in results.items():
            print(f"{label:26}{queries:8}{median:11.2f}{p95:9.2f}")
    except UnexpectedStatus as error:
        sys.exit(f"unexpected status: {error}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
