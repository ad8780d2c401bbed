"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's Python package ships its driver but no browser; these tests never download one and use the
system Chromium (`apt-get install chromium`, done by .ci/run). Without it, or without the playwright package,
they are skipped with the reason shown, except under CI, where a missing browser is a failure.
"""

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.models import Attribution, Author, Byline, RelatedLink, Section, Source, Story

CHROMIUM = Path("/usr/bin/chromium")
# No first-run, sync, update or safe-browsing traffic: the tests must not reach past the live server.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000
# Chromium reports a Content-Security-Policy violation to the page as an event: make it a console error.
REPORT_CSP_VIOLATIONS = """document.addEventListener('securitypolicyviolation', event => console.error(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile}`));"""
KYIV = ZoneInfo("Europe/Kyiv")
WIDTHS = {"phone": (375, 740), "desktop": (1280, 800)}
DRAFT_HEADLINE = "Чернетка: розслідування про Пхеньян"
DRAFT_ONLY_TAG = "Закрита тема"


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=KYIV)


def missing_browser():
    """Why the browser tests cannot run here, or None."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


@pytest.fixture(scope="package")
def browser():
    reason = missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot run in CI: {reason}")
        pytest.skip(f"Browser tests need Chromium: {reason}")
    from playwright.sync_api import sync_playwright

    # The sync API keeps an asyncio loop running in this thread while the browser is open, so Django would
    # refuse the test's own ORM calls (fixtures, the transactional flush) with SynchronousOnlyOperation.
    # They are plain synchronous calls; the live server answers from its own thread. Package scope limits
    # the override to these tests: it is lifted when the browser closes.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Tab:
    """A page in a fresh browser context, with the console errors and uncaught exceptions it has seen."""

    page: object
    base_url: str
    errors: list = field(default_factory=list)

    def open(self, path):
        return self.page.goto(self.base_url + path)


def wait_until_the_live_server_is_idle(timeout=5):
    """Let requests still being answered finish before the test's tables are flushed under them (SQLite locks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.02)


def log_in(context, user, live_server):
    """Gives a browser context `user`'s session cookie: logged in without the login form (and its throttling)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def tab(request, browser, live_server):
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="uk-UA", timezone_id="Europe/Kyiv"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    tab = Tab(page=page, base_url=live_server.url)

    def on_console(message):
        if message.type == "error":
            tab.errors.append(f"console: {message.text} at {message.location.get('url')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    yield tab
    context.close()


def assert_page_sound(tab, newsroom, allowed_errors=()):
    """What must hold on every page: it fits the viewport, the console is clean and the draft is nowhere."""
    page = tab.page
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: horizontal overflow, scrollWidth {widths[0]} > {widths[1]}: " + (
        wide_elements(page)
    )
    errors = [error for error in tab.errors if not any(allowed in error for allowed in allowed_errors)]
    assert not errors, f"{page.url}: " + "\n".join(errors)
    html = page.content()
    assert newsroom.draft.headline not in html, page.url
    assert newsroom.draft.slug not in html, page.url
    assert DRAFT_ONLY_TAG not in html, page.url


def wide_elements(page):
    """The elements sticking out past the right edge, to say in a failure which one overflows."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 5)
        .map(el => `${el.tagName.toLowerCase()}${el.getAttribute('class') ? '.' + el.getAttribute('class') : ''} `
                 + `(right ${Math.round(el.getBoundingClientRect().right)}px)`)
        .join(', ')""")


@dataclass
class Newsroom:
    lead_story: Story
    drill: Story
    russian: Story
    hryvnia: Story
    festival: Story
    draft: Story


def credit(story, authors=(), sources=()):
    Byline.objects.bulk_create(Byline(story=story, author=a, position=i) for i, a in enumerate(authors))
    Attribution.objects.bulk_create(
        Attribution(story=story, source=s, position=i, sentence=f"Про це повідомляє {s.name}.")
        for i, s in enumerate(sources)
    )
    return story


@pytest.fixture
def newsroom(make_story, live_server):
    """Three sections, sources, bylines, tags, related links, a Russian story and a draft that must never show."""
    world = Section.objects.create(name="Світ", slug="svit", description="Новини з-за кордону.")
    economy = Section.objects.create(name="Економіка", slug="ekonomika")
    culture = Section.objects.create(name="Культура", slug="kultura")
    yonhap = Source.objects.create(name="Йонхап", kind=Source.Kind.AGENCY, homepage="https://www.yna.co.kr/")
    reuters = Source.objects.create(name="Reuters", kind=Source.Kind.AGENCY)
    suspilne = Source.objects.create(name="Суспільне", kind=Source.Kind.BROADCASTER)
    petrenko = Author.objects.create(name="Олена Петренко")
    koval = Author.objects.create(name="Іван Коваль")

    drill = make_story(
        "Пхеньян провів навчання",
        published_at=at(2024, 2, 1),
        section=world,
        tags=["КНДР"],
        lead="Армія КНДР провела навчання біля кордону.",
        body="<p>Навчання тривали три дні.</p><p>Пхеньян не коментує.</p>",
    )
    russian = make_story(
        "Ким Чен Ын выступил в Пхеньяне",
        published_at=at(2024, 2, 15),
        section=world,
        tags=["КНДР"],
        language="ru",
        lead="Речь была посвящена армии.",
        body="<p>Выступление длилось час.</p>",
    )
    lead_story = credit(
        make_story(
            "КНДР відповіла на санкції",
            published_at=at(2024, 3, 1),
            section=world,
            tags=["КНДР", "Санкції"],
            lead="Міністерство закордонних справ КНДР назвало нові санкції ворожим кроком.",
            body="<p>Заяву оприлюднили у Пхеньяні в п'ятницю.</p><p>Про це пише Йонхап.</p>"
            "<p>Нові обмеження стосуються судноплавства.</p>",
        ),
        authors=[petrenko, koval],
        sources=[yonhap, suspilne],
    )
    RelatedLink.objects.create(
        story=lead_story,
        kind=RelatedLink.Kind.MORE,
        position=0,
        title=drill.headline,
        target=drill,
        date=drill.publication_date,
    )
    RelatedLink.objects.create(
        story=lead_story,
        kind=RelatedLink.Kind.READ_ALSO,
        paragraph=1,
        position=1,
        title="Санкції ООН: що змінилося",
        url="https://example.org/un-sanctions",
    )
    hryvnia = credit(
        make_story(
            "Гривня зміцнилася",
            published_at=at(2025, 6, 10),
            section=economy,
            tags=["Економіка"],
            lead="Курс знизився до 41,2 гривні за долар.",
            body="<p>Торги на міжбанку завершилися спокійно.</p>",
            # An imported hero image without a known size: it must still fit a phone screen.
            hero_image_url=f"{live_server.url}/static/img/favicon.svg",
            hero_image_alt="Логотип редакції",
        ),
        authors=[koval],
        sources=[reuters],
    )
    festival = make_story(
        "Найвисококваліфікованіші музиканти відкрили фестиваль у Львові",
        published_at=at(2025, 9, 1),
        section=culture,
        tags=["Культура", "Львів"],
        # Long unbreakable tokens, as pasted addresses are, must wrap rather than widen the page.
        body="<p>Програма: https://example.org/festyval/prohrama-vystupiv-na-vsi-try-dni-z-rozkladom-i-mapoiu"
        "-tsentru-mista-dlia-hostei</p>",
    )
    draft = make_story(
        DRAFT_HEADLINE,
        status=Story.Status.DRAFT,
        published_at=at(2024, 3, 5),
        section=world,
        tags=["КНДР", DRAFT_ONLY_TAG],
        body="<p>Чернетка про Пхеньян і санкції.</p>",
    )
    credit(draft, sources=[yonhap])
    return Newsroom(lead_story, drill, russian, hryvnia, festival, draft)
