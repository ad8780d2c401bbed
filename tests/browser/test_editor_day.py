"""An editor's day in a real browser: a reporter's draft, a shared preview, scheduling, two editors on one story."""

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from articles.models import Attribution, RelatedLink, Source, Story
from articles.newsdesk.workflow import EDITOR, GROUP_PERMISSIONS, REPORTER
from tests.browser.conftest import REPORT_CSP_VIOLATIONS, TIMEOUT_MS, log_in, wait_until_the_live_server_is_idle

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def clock(monkeypatch):
    """The server's timezone.now(), frozen at the start of this minute; `clock.advance(minutes=…)` moves it.

    The live server answers from a thread of this process, so the patched clock is the one its querysets read.
    """
    state = SimpleNamespace(now=timezone.now().replace(second=0, microsecond=0))
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    state.advance = lambda **delta: setattr(state, "now", state.now + timedelta(**delta))
    return state


def member_of(django_user_model, username, role, full_name):
    """A staff user in the Reporter or Editor group (live-server tests flush tables, so groups are made here)."""
    group, _ = Group.objects.get_or_create(name=role)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=GROUP_PERMISSIONS[role])
    )
    first, last = full_name.split()
    user = django_user_model.objects.create_user(
        username, password="x", is_staff=True, first_name=first, last_name=last
    )
    user.groups.add(group)
    return user


@pytest.fixture
def people(django_user_model, live_server):
    return SimpleNamespace(
        reporter=member_of(django_user_model, "reporter", REPORTER, "Марія Коваленко"),
        editor=member_of(django_user_model, "editor", EDITOR, "Олена Петренко"),
        second_editor=member_of(django_user_model, "second", EDITOR, "Іван Бондар"),
    )


@pytest.fixture
def admin_tab(browser, live_server, transactional_db):
    """Opens a fresh browser context logged in as a given user (their session cookie, no login form)."""
    contexts = []

    def open_as(user=None):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="uk-UA", timezone_id="Europe/Kyiv"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            log_in(context, user, live_server)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on(
            "console", lambda message: message.text.startswith("CSP violation") and page.errors.append(message.text)
        )
        return page

    yield open_as
    for context in contexts:
        # The beacon a closing page sends ("I left") must not reach a server whose test is ending.
        context.route("**/presence/", lambda route: route.abort())
        context.close()
    wait_until_the_live_server_is_idle()


def change_url(live_server, story):
    return f"{live_server.url}/admin/articles/story/{story.pk}/change/"


def write_body(page, paragraphs):
    """Type the body into the rich-text editor, a paragraph at a time."""
    page.locator(".field-body [contenteditable='true']").click()
    for index, paragraph in enumerate(paragraphs):
        if index:
            page.keyboard.press("Enter")
        page.keyboard.type(paragraph)


def wait_for_caret(page, condition):
    """The body editor takes the caret from the page's selection a moment after a click: wait for `condition`."""
    page.wait_for_function(f"""() => {{
        const {{selection, doc}} = document.querySelector('.field-body .tiptap').editor.state;
        return {condition};
    }}""")


def add_inline_row(page, prefix):
    """Click the inline's "add another" link and return the new row's field-name prefix."""
    total = page.locator(f"input[name='{prefix}-TOTAL_FORMS']")
    index = int(total.input_value())
    page.locator(f"#{prefix}-group .add-row a").click()
    page.wait_for_selector(f"[name='{prefix}-{index}-position']", state="attached")
    return f"{prefix}-{index}"


def choose_autocomplete(page, select_name, text):
    """Pick `text` in an admin autocomplete (select2) field."""
    page.locator(f"select[name='{select_name}'] + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-container--open .select2-results__option", has_text=text).first.click()


def save(page):
    with page.expect_navigation():
        page.locator("input[name='_continue']").click()


def test_reporter_writes_a_draft_with_links_and_a_source_and_submits_it(admin_tab, live_server, people, make_story):
    """Inline read-also, two related links and a cited source, saved as a draft, then submitted for review."""
    earlier = make_story("Сеул посилив охорону кордону", body="<p>Текст.</p>")
    Source.objects.create(name="Йонхап", kind=Source.Kind.AGENCY)
    page = admin_tab(people.reporter)
    page.goto(f"{live_server.url}/admin/articles/story/add/")
    page.locator("input[name='headline']").press_sequentially("Пхеньян оголосив нові навчання")
    # Filled as you type, with the server's KMU 2010 table (Django's own URLify would give "phenjan-...").
    # Playwright types Cyrillic as text input, without key events: the slug follows the input itself.
    assert page.locator("input[name='slug']").input_value() == "pkhenian-oholosyv-novi-navchannia"
    page.fill("textarea[name='lead']", "Армія КНДР проведе навчання біля кордону.")
    write_body(page, ["Навчання триватимуть тиждень, пише Йонхап.", "Сеул закликав до стриманості."])

    # The cursor in the first paragraph: «Read also» goes after it, as a related link, not into the body.
    page.locator(".field-body [contenteditable='true'] p").first.click()
    wait_for_caret(page, "selection.$from.index(0) === 0")
    page.locator("[data-read-also-open]").click()
    page.locator("[data-read-also-search]").fill("Сеул")
    page.locator("[data-read-also-results] button", has_text=earlier.headline).click()
    page.locator("[data-read-also-add]").click()
    assert page.locator("select[name='related_links-0-kind']").input_value() == RelatedLink.Kind.READ_ALSO
    assert page.locator("input[name='related_links-0-paragraph']").input_value() == "1"
    for title, url in [
        ("Санкції ООН: що змінилося", "https://example.org/un"),
        ("Кордон на замку", "https://example.org/border"),
    ]:
        row = add_inline_row(page, "related_links")
        page.fill(f"input[name='{row}-title']", title)
        page.fill(f"input[name='{row}-url']", url)
    attribution = add_inline_row(page, "attributions")
    choose_autocomplete(page, f"{attribution}-source", "Йонхап")
    page.fill(f"textarea[name='{attribution}-sentence']", "Навчання триватимуть тиждень, пише Йонхап.")
    save(page)

    story = Story.objects.get(headline="Пхеньян оголосив нові навчання")
    assert story.status == Story.Status.DRAFT and story.created_by == people.reporter
    assert "Читайте також" not in story.body and story.body.count("<p>") == 2
    links = list(story.related_links.order_by("position"))
    assert [(link.kind, link.paragraph) for link in links] == [
        (RelatedLink.Kind.READ_ALSO, 1),
        (RelatedLink.Kind.MORE, None),
        (RelatedLink.Kind.MORE, None),
    ]
    assert links[0].target == earlier
    assert list(Attribution.objects.filter(story=story).values_list("source__name", flat=True)) == ["Йонхап"]

    offered = page.locator("select[name='status'] option").evaluate_all("options => options.map(o => o.value)")
    assert set(offered) == {Story.Status.DRAFT, Story.Status.IN_REVIEW}
    page.select_option("select[name='status']", Story.Status.IN_REVIEW)
    save(page)
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW
    assert not page.errors


def test_reporter_cannot_publish_even_by_forcing_the_form(admin_tab, live_server, people):
    """The status list offers no "published"; a forged option is refused by the server and nothing goes out."""
    story = Story.objects.create(headline="Чернетка кореспондентки", body="<p>Текст.</p>", created_by=people.reporter)
    page = admin_tab(people.reporter)
    page.goto(change_url(live_server, story))
    offered = page.locator("select[name='status'] option").evaluate_all("options => options.map(o => o.value)")
    assert Story.Status.PUBLISHED not in offered
    page.locator("select[name='status']").evaluate(
        "select => { select.add(new Option('published', 'published')); select.value = 'published'; }"
    )
    save(page)
    assert page.locator(".errornote").is_visible()
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT and not Story.objects.published().exists()


def test_editor_shares_a_preview_and_schedules_the_story_which_appears_on_time(admin_tab, live_server, people, clock):
    """The share link works in a fresh, logged-out context; the story scheduled two minutes ahead goes out at its minute."""
    story = Story.objects.create(
        headline="Рада ухвалила бюджет на 2027 рік",
        lead="Документ підтримали 250 депутатів.",
        body="<p>Голосування тривало годину.</p>",
        status=Story.Status.IN_REVIEW,
        created_by=people.reporter,
    )
    editor = admin_tab(people.editor)
    editor.goto(change_url(live_server, story))
    with editor.expect_navigation():
        editor.locator("form.share-preview button").click()
    message = editor.locator(".messagelist li", has_text="/preview/").inner_text()
    shared_link = re.search(r"https?://\S+/preview/\S+/", message).group(0)

    outsider = admin_tab()
    outsider.goto(shared_link)
    assert outsider.locator("h1").inner_text() == story.headline
    assert "noindex" in outsider.locator("meta[name='robots']").get_attribute("content")

    going_out = timezone.localtime(clock.now + timedelta(minutes=2))
    editor.select_option("select[name='status']", Story.Status.PUBLISHED)
    editor.fill("input[name='published_at_0']", f"{going_out:%Y-%m-%d}")
    editor.fill("input[name='published_at_1']", f"{going_out:%H:%M:%S}")
    save(editor)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.published_at == going_out

    reader = admin_tab()
    url = live_server.url + story.get_absolute_url()
    clock.advance(minutes=1, seconds=59)
    assert reader.goto(url).status == 404
    reader.goto(live_server.url + "/")
    assert story.headline not in reader.content()

    clock.advance(seconds=1)
    # A fresh context: the first one's HTTP cache keeps pages for real seconds, and this clock is not real.
    reader = admin_tab()
    assert reader.goto(url).status == 200
    assert reader.locator("h1").inner_text() == story.headline
    reader.goto(live_server.url + "/")
    assert story.headline in reader.content()
    assert not editor.errors and not outsider.errors and not reader.errors


def test_two_editors_save_the_same_story_and_nothing_is_lost(admin_tab, live_server, people, make_story):
    """The second save meets a conflict page with both versions; after merging, both changes are stored."""
    story = make_story("Уряд підвищив мінімальну зарплату", lead="З 1 січня.", body="<p>Рішення ухвалили.</p>")
    first, second = admin_tab(people.editor), admin_tab(people.second_editor)
    first.goto(change_url(live_server, story))
    second.goto(change_url(live_server, story))
    assert "Олена Петренко" in second.locator("#story-presence").inner_text()

    first.fill("input[name='headline']", "Уряд підвищив мінімальну зарплату до 8500 гривень")
    # The caret at the end of the last paragraph: a click at the right end of its line.
    last = first.locator(".field-body [contenteditable='true'] p").last
    box = last.bounding_box()
    last.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
    wait_for_caret(first, "selection.from === doc.content.size - 1")
    first.keyboard.press("Enter")
    first.keyboard.type("Profspilky pidtrymaly.")
    save(first)
    second.fill("textarea[name='lead']", "З 1 січня 2027 року, повідомив Мінфін.")
    save(second)

    story.refresh_from_db()
    assert story.headline == "Уряд підвищив мінімальну зарплату до 8500 гривень"
    assert story.lead == "З 1 січня."
    panel = second.locator("#story-conflict")
    assert "8500 гривень" in panel.inner_text()
    assert second.locator("textarea[name='lead']").input_value() == "З 1 січня 2027 року, повідомив Мінфін."

    panel.locator("[data-use-stored='headline']").click()
    assert second.locator("input[name='headline']").input_value() == story.headline
    panel.locator("[data-use-stored='body']").click()
    assert "Profspilky pidtrymaly." in second.locator(".field-body [contenteditable='true']").inner_text()
    save(second)
    story.refresh_from_db()
    assert story.headline == "Уряд підвищив мінімальну зарплату до 8500 гривень"
    assert story.lead == "З 1 січня 2027 року, повідомив Мінфін."
    assert "<p>Рішення ухвалили.</p>" in story.body and "<p>Profspilky pidtrymaly.</p>" in story.body
    assert not first.errors and not second.errors


PASTES = {
    # fixture: (text the pasted body shows, blocks it must be saved with)
    "paste_word.html": (
        "ухвалила бюджет громади",
        [
            "<p>Полтавська міська рада ухвалила бюджет громади на 2025 рік.",
            "<strong>освіта</strong>",
            # Word's bullets and numbers become lists, not "·      ремонт…" paragraphs (the server's cleaner ran).
            "<ul><li><p>ремонт шкіл і садочків;</p></li>",
            "<ol><li><p>Перше читання – у березні.</p></li>",
        ],
    ),
    "paste_gdocs.html": (
        "встановили сонячні панелі",
        [
            "<h2>Житомирські школи переходять на сонце</h2>",
            "<strong>п’яти шкіл</strong>",
            "<ul><li><p>ліцей № 25;</p></li>",
            "<strong><em>Економія</em></strong>",
        ],
    ),
}


@pytest.mark.parametrize("fixture", list(PASTES))
def test_pasting_from_word_or_google_docs_stores_clean_blocks(admin_tab, live_server, people, make_story, fixture):
    """The clipboard of Word or Google Docs pasted into the body editor is saved without its styles and wrappers."""
    shown, blocks = PASTES[fixture]
    story = make_story("Бюджет Полтави", body="<p>Чернетка.</p>")
    page = admin_tab(people.editor)
    page.goto(change_url(live_server, story))
    editor = page.locator(".field-body [contenteditable='true']")
    editor.click()
    page.keyboard.press("Control+A")
    editor.evaluate(
        """(editor, html) => {
            const clipboard = new DataTransfer();
            clipboard.setData('text/html', html);
            clipboard.setData('text/plain', editor.textContent);
            editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: clipboard, bubbles: true, cancelable: true}));
        }""",
        (FIXTURES / fixture).read_text(encoding="utf-8"),
    )
    # The cleaned paste arrives from the server a moment later.
    page.locator(".field-body [contenteditable='true']", has_text=shown).wait_for()
    save(page)

    story.refresh_from_db()
    for block in blocks:
        assert block in story.body, block
    for pasted_markup in (
        "mso",
        "Mso",
        "docs-internal-guid",
        "style=",
        "class=",
        "<o:p",
        "<span",
        "<font",
        "<!--",
        "·",
        "&nbsp;&nbsp;",
        "<p>&nbsp;</p>",
        "<b ",
        "Чернетка",
    ):
        assert pasted_markup not in story.body, pasted_markup
    assert not page.errors
