"""The Content-Security-Policy in a real browser: no page of the site, public or admin, trips it.

Each page records the `securitypolicyviolation` events Chromium fires, and the console's CSP messages, so a
policy that blocks something the page needs fails here with the directive, the file and (for inline code) the
hash Chromium would accept.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Story
from tests.browser.conftest import TIMEOUT_MS, log_in, wait_until_the_live_server_is_idle

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', event => window.__violations.push(
  `${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture
def open_page(browser, live_server):
    """Opens a path in a fresh context (logged in as `user` when given) and returns the page and its violations."""
    contexts = []

    def open_page(path, user=None):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            log_in(context, user, live_server)
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        page.console_csp = []
        page.on(
            "console",
            lambda message: "Content Security Policy" in message.text and page.console_csp.append(message.text),
        )
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        return page, response

    yield open_page
    for context in contexts:
        context.route("**/presence/", lambda route: route.abort())
        context.close()
    wait_until_the_live_server_is_idle()


def violations(page):
    return page.evaluate("window.__violations") + page.console_csp


def test_public_pages_trip_no_policy(open_page, newsroom, make_story):
    """Home, story (with its JSON-LD), tag, section, source, author, archives, lists, search, 404 and 410: no violation."""
    story = newsroom.lead_story
    withdrawn = make_story(
        "Відкликана новина", status=Story.Status.WITHDRAWN, published_at=timezone.now() - timedelta(days=1)
    )
    date = timezone.localtime(story.published_at)
    paths = [
        "/",
        story.get_absolute_url(),
        "/tags/kndr/",
        story.section.get_absolute_url(),
        story.attributions.first().source.get_absolute_url(),
        story.bylines.first().author.get_absolute_url(),
        f"/{date.year}/",
        f"/{date.year}/{date:%m}/",
        "/stories/",
        "/search/?q=КНДР",
        "/no-such-page/",
        withdrawn.get_absolute_url(),
    ]
    for path in paths:
        page, response = open_page(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert not violations(page), (path, violations(page))
        if path == story.get_absolute_url():
            # JSON-LD is a data block: the browser neither runs it nor checks it against script-src.
            assert page.locator("script[type='application/ld+json']").count() >= 1


def test_the_policy_is_enforced_and_the_watch_sees_it(open_page, newsroom):
    """An inline script or style injected into a public page is blocked and reported: the watch above can fail."""
    page, _ = open_page("/")
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.__ran = true';
        document.body.appendChild(script);
        const style = document.createElement('style');
        style.textContent = 'body { color: red }';
        document.head.appendChild(style);
    }""")
    page.wait_for_function("window.__violations.length >= 2")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in violations(page)), violations(page)
    assert any(v.startswith("style-src") for v in violations(page)), violations(page)


def test_admin_story_form_and_editor_work_under_the_admin_policy(open_page, newsroom, django_user_model):
    """The story form loads its editor (import map by nonce, Tiptap's style by hash) and takes typing, with no violation."""
    chief = django_user_model.objects.create_superuser("chief", "chief@example.org", "x")
    story = newsroom.lead_story
    for path in (
        "/admin/",
        "/admin/articles/story/",
        f"/admin/articles/story/{story.pk}/history/",
        "/admin/articles/tag/",
        "/admin/articles/source/add/",
    ):
        page, response = open_page(path, chief)
        assert response.ok and not violations(page), (path, violations(page))

    page, response = open_page(f"/admin/articles/story/{story.pk}/change/", chief)
    header = response.headers["content-security-policy"]
    assert "'nonce-" in header and "'unsafe-inline'" not in header, header
    editor = page.locator(".field-body [contenteditable='true']")
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Додано в редакторі.")
    page.keyboard.press("Control+B")
    page.keyboard.type(" Жирний.")
    assert "Додано в редакторі." in editor.inner_text()
    assert editor.locator("strong").count() >= 1
    assert not violations(page), violations(page)
