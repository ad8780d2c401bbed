"""Writing tools on the story form: the body editor, pasted Word and Google Docs text, inline "Read also" links."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from articles.models import RelatedLink, Story
from articles.newsdesk.editor import BODY_EXTENSIONS, StoryBodyWidget, body_allowlist
from articles.newsdesk.readalso import extract_read_also
from articles.text.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize_html
from tests.people import logged_in, staff_member
from tests.test_admin import ADD_URL, ENGLISH, assert_saved, change_url, story_post

FIXTURES = Path(__file__).parent / "fixtures"
ASSET_URL = re.compile(r"""(?:src|href)="([^"]+)"|"(/[^"]+\.(?:js|css))\"""")


def hidden_fields(client, url):
    """The hidden fields the story form carries (e.g. the version it was loaded from), as the page sends them."""
    form = client.get(url).context["adminform"].form
    return {
        form.add_prefix(name): form[name].value()
        for name, field in form.fields.items()
        if field.widget.is_hidden and form[name].value() is not None
    }


def add_story(client, body, inlines=None, **fields):
    data = story_post(inlines, body=body, **fields)
    data.update(hidden_fields(client, ADD_URL))
    with translation.override("en"):
        response = client.post(ADD_URL, data, **ENGLISH)
    assert_saved(response)
    return Story.objects.get(headline=data["headline"])


def change_story(client, story, body, links):
    """Post the change form of a draft `story` with `body` and its existing related links as rows."""
    rows = [
        {
            "id": link.pk,
            "story": story.pk,
            "kind": link.kind,
            "paragraph": link.paragraph or "",
            "title": link.title,
            "url": link.url,
            "position": link.position,
        }
        for link in links
    ]
    data = story_post({"related_links": (rows, len(rows))}, headline=story.headline, slug=story.slug, body=body)
    data.update(hidden_fields(client, change_url(story)))
    response = client.post(change_url(story), data)
    assert_saved(response)
    story.refresh_from_db()
    return story


def read_also_links(story):
    return [
        (link.paragraph, link.title, link.url)
        for link in story.related_links.filter(kind=RelatedLink.Kind.READ_ALSO).order_by("position")
    ]


# The editor


def test_the_story_body_is_edited_with_the_prose_editor_limited_to_what_pages_print(admin_client):
    response = admin_client.get(ADD_URL)

    widget = response.context["adminform"].form.fields["body"].widget
    assert isinstance(widget, StoryBodyWidget)
    assert set(BODY_EXTENSIONS) == {
        "Bold",
        "Italic",
        "Link",
        "Heading",
        "BulletList",
        "OrderedList",
        "ListItem",
        "Blockquote",
        "HardBreak",
        "History",
    }
    assert b"data-django-prose-editor-configurable=" in response.content
    assert Story._meta.get_field("body").get_internal_type() == "TextField"


def test_everything_the_editor_makes_survives_the_sanitiser():
    allowlist = body_allowlist()

    assert allowlist["tags"] <= ALLOWED_TAGS
    assert {"h2", "h3"} <= allowlist["tags"] and not {"h1", "h4", "img", "table", "span"} & allowlist["tags"]
    kept_attributes = {(tag, attribute) for tag, attributes in ALLOWED_ATTRIBUTES.items() for attribute in attributes}
    made_attributes = {(tag, name) for tag, names in allowlist["attributes"].items() for name in names}
    # rel is set by the sanitiser itself; how a numbered list is numbered (1., a., i.) is the site's choice.
    assert made_attributes - kept_attributes == {("a", "rel"), ("ol", "type"), ("ol", "data-type")}
    assert sanitize_html('<ol start="3" type="a"><li>Три</li></ol>') == '<ol start="3"><li>Три</li></ol>'


def media_urls(response):
    media = str(response.context["media"])
    return [next(group for group in match.groups() if group) for match in ASSET_URL.finditer(media)]


@pytest.mark.parametrize("page", ["add", "change"])
def test_the_editor_assets_are_our_static_files_and_exist(admin_client, make_story, page):
    url = ADD_URL if page == "add" else change_url(make_story(status=Story.Status.DRAFT, published_at=None))
    response = admin_client.get(url)

    urls = media_urls(response)
    assert "/static/django_prose_editor/editor.js" in urls
    assert "/static/django_prose_editor/configurable.js" in urls
    assert "/static/admin/articles/read-also.js" in urls
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    assert not re.search(rb"""(?:src|href)=["']?(?:https?:)?//""", response.content)


def test_the_editor_styles_load_nothing_from_elsewhere():
    for name in ["material-icons.css", "editor.css", "overrides.css"]:
        css = Path(finders.find(f"django_prose_editor/{name}")).read_text()
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", css), name
    assert finders.find("django_prose_editor/material-icons.woff2")
    assert finders.find("admin/articles/writing.css")


def test_the_read_also_button_sits_beside_the_editor_without_a_nested_form(admin_client):
    response = admin_client.get(ADD_URL, **ENGLISH)

    widget_html = response.context["adminform"].form["body"].as_widget()
    assert "Insert «Read also» here" in widget_html
    assert 'data-autocomplete-url="/admin/autocomplete/"' in widget_html
    assert "<form" not in widget_html
    assert not re.search(r"<input[^>]* name=", widget_html)


def test_an_emptied_editor_saves_an_empty_body(admin_client):
    story = add_story(admin_client, "<p></p>")

    assert story.body == ""


# Pasting from Word and Google Docs


def test_word_clipboard_html_becomes_clean_paragraphs_and_lists():
    pasted = (FIXTURES / "paste_word.html").read_text()

    assert sanitize_html(pasted) == (
        "<p>Полтавська міська рада ухвалила бюджет громади на 2025 рік. За рішення проголосували 32 депутати "
        "із 42.</p>\n"
        "<h2>Що змінилося</h2>\n"
        "<p>Найбільше коштів отримає <strong>освіта</strong>: 1,2&nbsp;млрд грн, пише "
        '<a href="https://suspilne.media/poltava/" rel="noopener noreferrer">Суспільне Полтава</a>. '
        "Мер назвав бюджет <em>«бюджетом стійкості»</em>.</p>\n"
        "<ul><li>ремонт шкіл і садочків;</li><li>укриття в лікарнях.</li></ul>\n"
        "<ol><li>Перше читання – у березні.</li><li>Друге – у квітні.</li></ol>\n"
        "<p>«Кожна гривня піде туди, де її чекають найбільше»,</p>\n"
        "<p>— сказав мер&nbsp;Олександр Пономаренко.</p>"
    )


def test_google_docs_clipboard_html_loses_its_bold_wrapper_and_keeps_real_emphasis():
    pasted = (FIXTURES / "paste_gdocs.html").read_text()

    assert sanitize_html(pasted) == (
        "<h2>Житомирські школи переходять на сонце</h2>\n"
        "<p>На дахах <strong>п’яти шкіл</strong> встановили сонячні панелі, повідомляє "
        '<a href="https://zt-rada.gov.ua/news/solar" rel="noopener noreferrer">міська рада</a>.</p>\n'
        "<p><em>Потужність</em> станцій – 250 кВт. Їх підключили до мережі:</p>\n"
        "<ul><li>ліцей № 25;</li><li>гімназія № 3.</li></ul>\n"
        "<p><strong><em>Економія</em></strong> – до 40 % рахунків за електроенергію.</p>"
    )


@pytest.mark.parametrize("fixture", ["paste_word.html", "paste_gdocs.html"])
def test_cleaned_paste_is_stable_on_the_next_save(fixture):
    clean = sanitize_html((FIXTURES / fixture).read_text())

    assert sanitize_html(clean) == clean


def test_word_list_numbers_written_as_comments_become_a_numbered_list():
    pasted = (
        "<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'><!--[if !supportLists]-->"
        "<span style='mso-list:Ignore'>1.<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp; </span></span>"
        "<!--[endif]-->Перший</p>"
        "<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><!--[if !supportLists]-->"
        "<span style='mso-list:Ignore'>2.</span><!--[endif]-->Другий</p>"
        "<p class=MsoNormal>Після списку</p>"
    )

    assert sanitize_html(pasted) == "<ol><li>Перший</li><li>Другий</li></ol>\n<p>Після списку</p>"


def test_pasted_markup_is_still_sanitised():
    pasted = (
        '<p class=MsoNormal onclick="steal()"><span style="mso-ansi-language:UK">Текст'
        '<img src="x.png" onerror="alert(1)"></span><o:p></o:p></p>'
        '<script>alert(1)</script><p class=MsoNormal><a href="javascript:alert(1)">лінк</a></p>'
        "<!--[if gte mso 9]><xml><w:View>Normal</w:View></xml><![endif]-->"
    )

    assert sanitize_html(pasted) == '<p>Текст<img src="x.png"></p>\n<p><a rel="noopener noreferrer">лінк</a></p>'


def test_a_pasted_body_is_cleaned_when_the_story_is_saved(admin_client):
    story = add_story(admin_client, (FIXTURES / "paste_gdocs.html").read_text())

    assert story.body.startswith("<h2>Житомирські школи переходять на сонце</h2>\n<p>На дахах <strong>")
    assert "docs-internal-guid" not in story.body and "<b" not in story.body and "<br" not in story.body


def test_markup_that_is_not_pasted_is_stored_as_before():
    markup = "<p>Один\nрядок&nbsp;&nbsp;тут</p>\n\n<p></p><p>Два</p>"

    assert sanitize_html(markup) == markup


# Inline "Read also" paragraphs become related links


def test_a_read_also_paragraph_in_a_new_story_becomes_a_related_link_in_its_place(admin_client, make_story):
    target = make_story("Полтава ухвалила бюджет на 2025 рік")
    body = "<p>Перший абзац.</p><p>Читайте також: «Полтава ухвалила бюджет на 2025 рік»</p><p>Другий абзац.</p>"

    story = add_story(admin_client, body)

    assert story.body == "<p>Перший абзац.</p>\n<p>Другий абзац.</p>"
    link = story.related_links.get()
    assert (link.kind, link.paragraph, link.title, link.target, link.language) == (
        RelatedLink.Kind.READ_ALSO,
        1,
        "Полтава ухвалила бюджет на 2025 рік",
        target,
        "uk",
    )
    assert [(block, [str(link) for link in links]) for block, links in story.body_blocks()] == [
        ("<p>Перший абзац.</p>", ["Полтава ухвалила бюджет на 2025 рік"]),
        ("<p>Другий абзац.</p>", []),
    ]


def test_the_editor_is_told_the_paragraph_was_moved(admin_client):
    data = story_post(body="<p>Абзац.</p><p>Читайте також: Щось інше</p>")
    data.update(hidden_fields(admin_client, ADD_URL))

    with translation.override("en"):
        response = admin_client.post(ADD_URL, data, follow=True, **ENGLISH)

    messages = [str(message) for message in response.context["messages"]]
    assert "1 «Read also» paragraph was moved from the body to the related links." in messages


def test_a_read_also_paragraph_with_a_link_keeps_its_address(admin_client):
    body = (
        "<p>Вступ.</p><p>Ще абзац.</p>"
        '<p><strong>Читайте також:</strong> <a href="https://example.com/news?id=1&amp;x=2">«Інша новина»</a></p>'
    )

    story = add_story(admin_client, body)

    assert read_also_links(story) == [(2, "Інша новина", "https://example.com/news?id=1&x=2")]
    assert story.body == "<p>Вступ.</p>\n<p>Ще абзац.</p>"


@pytest.mark.parametrize(
    ("paragraph", "title", "language"),
    [
        ("Читайте также: «Северная Корея отправила войска»", "Северная Корея отправила войска", "ru"),
        ("Read also: Kyiv opens a new bridge", "Kyiv opens a new bridge", "en"),
        ("ЧИТАЙТЕ ТАКОЖ — Нова школа в Житомирі", "Нова школа в Житомирі", "uk"),
    ],
)
def test_russian_and_english_read_also_paragraphs_are_recognised(admin_client, paragraph, title, language):
    story = add_story(admin_client, f"<p>Абзац.</p><p>{paragraph}</p>")

    link = story.related_links.get()
    assert (link.paragraph, link.title, link.language) == (1, title, language)
    assert story.body == "<p>Абзац.</p>"


def test_a_quoted_headline_keeps_its_quotes(admin_client, make_story):
    quoted = make_story("«Без допомоги КНДР ситуація була б катастрофічною»")

    story = add_story(admin_client, "<p>Читайте також: «Без допомоги КНДР ситуація була б катастрофічною»</p>")

    link = story.related_links.get()
    assert (link.paragraph, link.title, link.target) == (0, quoted.headline, quoted)


def test_a_read_also_link_already_in_the_inline_is_not_repeated(admin_client):
    story = Story.objects.create(headline="Чернетка", status=Story.Status.DRAFT, body="<p>Один.</p><p>Два.</p>")
    existing = RelatedLink.objects.create(
        story=story, kind=RelatedLink.Kind.READ_ALSO, paragraph=1, title="Старе посилання", position=1
    )

    story = change_story(
        admin_client, story, "<p>Один.</p><p>Читайте також: «Старе посилання»</p><p>Два.</p>", [existing]
    )

    assert read_also_links(story) == [(1, "Старе посилання", "")]
    assert story.body == "<p>Один.</p>\n<p>Два.</p>"


def test_inline_links_after_a_removed_paragraph_keep_their_place(admin_client):
    story = Story.objects.create(headline="Чернетка", status=Story.Status.DRAFT, body="<p>Один.</p><p>Два.</p>")
    # Placed with the button while the typed paragraph was still in the body: after "Два." (block 3).
    after_two = RelatedLink.objects.create(
        story=story, kind=RelatedLink.Kind.READ_ALSO, paragraph=3, title="Після другого", position=1
    )
    more = RelatedLink.objects.create(story=story, kind=RelatedLink.Kind.MORE, title="Ще на цю тему", position=2)

    story = change_story(admin_client, story, "<p>Один.</p><p>Read also: New link</p><p>Два.</p>", [after_two, more])

    assert read_also_links(story) == [(2, "Після другого", ""), (1, "New link", "")]
    assert list(story.related_links.values_list("position", "title")) == [
        (1, "Після другого"),
        (2, "Ще на цю тему"),
        (3, "New link"),
    ]


def test_a_body_without_read_also_paragraphs_is_left_as_it_is():
    body = (
        "<p>Читайте також у нас.</p>\n<h2>Читайте також: заголовок розділу</h2>\n"
        "<p>Він сказав: «Читайте також: ні».</p>"
    )

    assert extract_read_also(body) == (body, [])


# Pasting: the editor sends the clipboard's HTML to the server's cleaner first (static/admin/articles/paste.js).

CLEAN_PASTE_URL = reverse("admin:articles_story_clean_paste")


@pytest.mark.django_db
def test_pasted_word_markup_comes_back_as_the_body_would_store_it(admin_client):
    pasted = (FIXTURES / "paste_word.html").read_text()

    response = admin_client.post(CLEAN_PASTE_URL, {"html": pasted})

    assert response.status_code == 200
    assert response.json() == {"html": sanitize_html(pasted)}
    assert "<ul><li>ремонт шкіл і садочків;</li>" in response.json()["html"]


@pytest.mark.django_db
def test_the_paste_cleaner_never_returns_a_script(admin_client):
    response = admin_client.post(CLEAN_PASTE_URL, {"html": '<p onclick="x()">Текст<script>alert(1)</script></p>'})
    assert response.json() == {"html": "<p>Текст</p>"}


@pytest.mark.django_db
def test_the_paste_cleaner_is_for_staff_who_write_stories(client, django_user_model):
    assert client.post(CLEAN_PASTE_URL, {"html": "<p>x</p>"}).status_code == 302  # to the login page
    reporter = logged_in(staff_member(django_user_model, "reporter", "Reporter"))
    assert reporter.post(CLEAN_PASTE_URL, {"html": "<p>x</p>"}).status_code == 200
    bystander = logged_in(staff_member(django_user_model, "bystander"))
    assert bystander.post(CLEAN_PASTE_URL, {"html": "<p>x</p>"}).status_code == 403


@pytest.mark.django_db
def test_the_paste_cleaner_wants_a_post_with_its_csrf_token_and_a_paste_sized_input(admin_user):
    client = logged_in(admin_user, enforce_csrf_checks=True)
    assert client.get(CLEAN_PASTE_URL).status_code == 405
    assert client.post(CLEAN_PASTE_URL, {"html": "<p>x</p>"}).status_code == 403
    too_large = logged_in(admin_user).post(CLEAN_PASTE_URL, {"html": "<p>" + "x" * (2 * 1024 * 1024) + "</p>"})
    assert too_large.status_code == 413
