"""The interface in Ukrainian, English and Russian: choosing it, caching it, dates, the admin and the catalogues."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from articles.models import Attribution, RelatedLink, Section, Source, Story
from articles.newsdesk.admin.labels import FORM_LABELS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
MARCH_28 = datetime(2024, 3, 28, 10, tzinfo=ZoneInfo("Europe/Kyiv"))
# What each interface language calls a few things on every page and on a story page.
INTERFACE = {
    "uk": [
        "Головна",
        "Усі новини",
        "Пошук по сайту",
        "Шукати",
        "Архів новин",
        "Читайте також:",
        "Джерела",
        "Теми",
        "Ще на цю тему",
    ],
    "en": [
        "Home",
        "All news",
        "Search the site",
        ">Search</button>",
        "News archive",
        "Read also:",
        "Sources",
        "Tags",
        "More on this topic",
    ],
    "ru": [
        "Главная",
        "Все новости",
        "Поиск по сайту",
        "Искать",
        "Архив новостей",
        "Читайте также:",
        "Источники",
        "Темы",
        "Ещё по теме",
    ],
}
DATES = {"uk": "28 березня 2024", "ru": "28 марта 2024", "en": "28 March 2024"}


@pytest.fixture
def story(make_story):
    section = Section.objects.create(name="Світ", slug="svit")
    sibling = make_story(
        "Сеул посилює кордон",
        published_at=datetime(2024, 3, 20, tzinfo=ZoneInfo("Europe/Kyiv")),
        tags=["КНДР"],
        section=section,
    )
    main = make_story(
        "Північна Корея запустила ракету",
        published_at=MARCH_28,
        tags=["КНДР"],
        section=section,
        body="<p>Перший абзац.</p><p>Другий абзац.</p>",
    )
    Attribution.objects.create(story=main, source=Source.objects.create(name="Йонхап"), sentence="Йонхап пише.")
    RelatedLink.objects.create(
        story=main, kind=RelatedLink.Kind.READ_ALSO, paragraph=1, title=sibling.headline, target=sibling
    )
    return main


def page(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, url
    return response.content.decode()


def html_lang(html):
    return re.search(r'<html lang="([^"]+)">', html).group(1)


# Choosing the language


def test_interface_is_ukrainian_when_nothing_is_asked_for(client, story):
    """Without Accept-Language or a cookie, every label is Ukrainian and <html lang> is uk."""
    html = page(client, story.get_absolute_url())
    assert html_lang(html) == "uk"
    for text in INTERFACE["uk"]:
        assert text in html, text


@pytest.mark.parametrize("language", ["uk", "en", "ru"])
def test_accept_language_chooses_the_interface(client, story, language):
    """A browser asking for uk, en or ru gets the whole interface, and <html lang>, in that language."""
    response = client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=f"{language},de;q=0.5")
    html = response.content.decode()
    assert html_lang(html) == language and response["Content-Language"] == language
    for text in INTERFACE[language]:
        assert text in html, (language, text)


def test_section_name_keeps_its_own_language_in_another_interface(client, story):
    """In the English interface a Ukrainian story's section name is not marked English."""
    html = page(client, story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert '<p class="kicker"><a href="/sections/svit/">Світ</a></p>' in html
    assert '<article class="story" lang="uk">' in html


def test_unsupported_language_falls_back_to_ukrainian(client, story):
    """A reader asking only for a language the site lacks gets Ukrainian."""
    assert html_lang(page(client, "/", HTTP_ACCEPT_LANGUAGE="de-DE,fr;q=0.8")) == "uk"


def test_header_links_every_other_interface_language(client, story):
    """The header links the two other languages by their own names, with lang and hreflang, and marks the current."""
    url = story.get_absolute_url()
    html = page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    switch = re.search(r'<nav class="language-switch".*?</nav>', html, re.S).group()
    assert 'aria-label="Interface language"' in switch
    assert f'<a href="/language/uk/?next={url}" lang="uk" hreflang="uk" rel="nofollow">Українська</a>' in switch
    assert f'<a href="/language/ru/?next={url}" lang="ru" hreflang="ru" rel="nofollow">Русский</a>' in switch
    assert '<span aria-current="true" lang="en">English</span>' in switch
    assert "<form" not in switch


def test_switcher_keeps_the_query_string_of_the_page(client, story):
    """The switcher's next= carries the page's own query string, encoded."""
    html = page(client, "/stories/?tag=kndr&page=1")
    assert 'href="/language/en/?next=/stories/%3Ftag%3Dkndr%26page%3D1"' in html


def test_switching_sets_the_language_cookie_and_goes_back(client, story):
    """/language/en/ remembers English for a year in Django's language cookie and redirects to next."""
    url = story.get_absolute_url()
    response = client.get(f"/language/en/?next={url}")
    assert response.status_code == 302 and response["Location"] == url
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) == 365 * 24 * 60 * 60 and cookie["samesite"] == "Lax"
    assert "no-cache" in response["Cache-Control"]
    html = page(client, url)
    assert html_lang(html) == "en" and "More on this topic" in html


def test_language_cookie_wins_over_accept_language(client, story):
    """A reader who chose Russian gets Russian even when the browser asks for English."""
    client.get("/language/ru/?next=/")
    assert html_lang(page(client, "/", HTTP_ACCEPT_LANGUAGE="en")) == "ru"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_switching_never_redirects_off_the_site(client, target):
    """A next= outside this site, or none, sends the reader to the home page instead."""
    response = client.get("/language/ru/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_switching_to_an_unknown_language_is_404(client, db):
    """Only the site's three languages can be chosen."""
    assert client.get("/language/de/?next=/").status_code == 404


# The page cache and the language


def test_page_cache_never_serves_one_language_to_another(client, story, django_assert_num_queries):
    """A page cached for a Ukrainian reader is not served to an English one, and each language is cached apart."""
    url = story.get_absolute_url()
    assert html_lang(page(client, url)) == "uk"
    assert html_lang(page(client, url, HTTP_ACCEPT_LANGUAGE="en")) == "en"
    with django_assert_num_queries(0):
        assert html_lang(page(client, url)) == "uk"
        assert html_lang(page(client, url, HTTP_ACCEPT_LANGUAGE="en")) == "en"
    client.get("/language/ru/?next=/")
    assert html_lang(page(client, url, HTTP_ACCEPT_LANGUAGE="en")) == "ru"


def test_public_pages_vary_on_the_language_choice(client, story):
    """Browsers and proxies are told a page depends on Accept-Language and on cookies, so they never mix languages."""
    for attempt in range(2):  # rendered, then from the page cache
        response = client.get("/")
        vary = {value.strip() for value in response["Vary"].split(",")}
        assert {"Accept-Language", "Cookie"} <= vary, attempt
        assert "public" in response["Cache-Control"]


def test_switcher_leaves_pages_cacheable(client, story):
    """The header switcher needs no session or CSRF token: pages set no cookie and stay publicly cacheable."""
    response = client.get(story.get_absolute_url())
    assert not response.cookies and "public" in response["Cache-Control"] and "private" not in response["Cache-Control"]


# Dates and pages in each language


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
def test_dates_are_written_in_the_interface_language(client, story, language):
    """The story page and the day archive write 28 March 2024 in the reader's language."""
    date = DATES[language]
    html = page(client, story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert f'<time datetime="2024-03-28T10:00:00+02:00">{date}</time>' in html
    assert f"<h1>{date}</h1>" in page(client, "/2024/03/28/", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(("language", "month"), [("uk", "Березень 2024"), ("ru", "Март 2024"), ("en", "March 2024")])
def test_month_archive_is_named_in_the_interface_language(client, story, language, month):
    """The month archive's heading names the month in the reader's language."""
    assert f"<h1>{month}</h1>" in page(client, "/2024/03/", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("uk", ["Архів за 2024 рік", "2024 рік"]),
        ("ru", ["Архив за 2024 год", "2024 год"]),
        ("en", ["Archive for 2024", "<h1>2024</h1>"]),
    ],
)
def test_year_archive_in_each_language(client, story, language, texts):
    """The year archive's title and heading read naturally in each language."""
    html = page(client, "/2024/", HTTP_ACCEPT_LANGUAGE=language)
    for text in texts:
        assert text in html, text


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "uk",
            ["Теми", "Усі розділи", "Будь-яка мова", "Від дати", "РРРР-ММ-ДД", "Показати", "Знайдено матеріалів: 2"],
        ),
        ("en", ["Tags", "All sections", "Any language", "From date", "YYYY-MM-DD", "Show", "Stories found: 2"]),
        ("ru", ["Темы", "Все разделы", "Любой язык", "С даты", "ГГГГ-ММ-ДД", "Показать", "Найдено материалов: 2"]),
    ],
)
def test_filter_form_in_each_language(client, story, language, texts):
    """The /stories/ filter form labels, placeholders and counts follow the interface language."""
    html = page(client, "/stories/", HTTP_ACCEPT_LANGUAGE=language)
    for text in texts:
        assert text in html, text


def test_story_language_names_follow_the_interface(client, story):
    """The language filter names the story languages in the reader's language."""
    assert '<option value="ru">Russian</option>' in page(client, "/stories/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<option value="uk">Украинский</option>' in page(client, "/stories/", HTTP_ACCEPT_LANGUAGE="ru")


@pytest.mark.parametrize(
    ("language", "text"), [("uk", "Сторінку не знайдено"), ("en", "Page not found"), ("ru", "Страница не найдена")]
)
def test_missing_page_speaks_the_reader_language(client, language, text):
    """The 404 page is in the reader's language."""
    response = client.get("/nemaie/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404 and text in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"), [("uk", "Щось пішло не так"), ("en", "Something went wrong"), ("ru", "Что-то пошло не так")]
)
def test_server_error_page_speaks_the_active_language(language, text):
    """The stand-alone 500 page renders in the active language, with a matching <html lang>."""
    with translation.override(language):
        html = render_to_string("500.html")
    assert text in html and html_lang(html) == language


def test_feeds_stay_in_the_site_language(client, story):
    """A feed's description and language are the site's, whoever fetches it."""
    xml = page(client, "/feeds/rss/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<description>Останні новини Newsroom</description>" in xml and "<language>uk</language>" in xml
    assert "<description>Останні матеріали: КНДР</description>" in page(client, "/feeds/tags/kndr/rss/")


# The admin


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("uk", ["Матеріали", "Опублікувати вибрані матеріали", "Зняти вибрані матеріали з публікації"]),
        ("ru", ["Материалы", "Опубликовать выбранные материалы", "Снять выбранные материалы с публикации"]),
    ],
)
def test_admin_story_list_in_the_editor_language(admin_client, story, language, texts):
    """The story list of the admin names the model and its actions in Ukrainian, or Russian when asked."""
    html = page(admin_client, "/admin/articles/story/", HTTP_ACCEPT_LANGUAGE=language)
    for text in texts:
        assert text in html, text


def test_admin_story_form_labels_and_help_in_ukrainian(admin_client, story):
    """The story form's labels and help texts are Ukrainian."""
    html = page(admin_client, f"/admin/articles/story/{story.pk}/change/")
    for text in [
        "Заголовок",
        "Час публікації",
        "Переклад матеріалу",
        "Оригінальний матеріал, перекладом якого є цей.",
        "Головне зображення",
        "Альтернативний текст",
    ]:
        assert text in html, text


def test_admin_publish_message_in_ukrainian_plurals(admin_client, make_story):
    """Publishing two, then five drafts is reported with the Ukrainian plural forms."""
    for count, expected in [(2, "2 матеріали опубліковано."), (5, "5 матеріалів опубліковано.")]:
        drafts = [
            make_story(f"Чернетка {count} {n}", status=Story.Status.DRAFT, published_at=None) for n in range(count)
        ]
        response = admin_client.post(
            "/admin/articles/story/",
            {"action": "publish", "_selected_action": [d.pk for d in drafts], "index": "0"},
            follow=True,
        )
        assert [str(message) for message in response.context["messages"]] == [expected]


# The catalogues


def catalog(language):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        return read_po(po_file)


@pytest.mark.parametrize("language", ["uk", "ru", "en"])
def test_catalogue_is_complete(language):
    """Every message of the catalogue is translated, none is fuzzy, and placeholders match their msgid."""
    messages = catalog(language)
    assert not messages.fuzzy, "the header is marked fuzzy"
    untranslated = [
        message.id
        for message in messages
        if message.id
        and (not message.string or not all(message.string) if message.pluralizable else not message.string)
    ]
    fuzzy = [message.id for message in messages if message.id and message.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert [problem for message, problems in messages.check() for problem in problems] == []
    assert messages.num_plurals == (2 if language == "en" else 4)


TRANSLATE_TAG = re.compile(r"""\{%\s*translate\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?""")
UNDERSCORE = re.compile(r"""_\((["'])(.*?)\1\)""")


def template_messages():
    """(context, msgid) of every {% translate %} and _("…") in the templates."""
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in TRANSLATE_TAG.finditer(text):
            yield path.name, (match.group(4), match.group(2))
        for match in UNDERSCORE.finditer(text):
            yield path.name, (None, match.group(2))


def test_every_template_string_is_in_the_ukrainian_and_russian_catalogues():
    """No {% translate %} string of a template is missing from the uk or ru catalogue (run makemessages)."""
    for language in ("uk", "ru"):
        messages = catalog(language)
        missing = {
            (name, msgid)
            for name, (context, msgid) in template_messages()
            if not (messages.get(msgid, context=context) and messages.get(msgid, context=context).string)
        }
        assert missing == set(), language


TRANSLATED_BLOCKS = re.compile(
    r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}|\{%\s*translate\s.*?%\}|\{%\s*comment\s*%\}.*?"
    r"\{%\s*endcomment\s*%\}|\{#.*?#\}|_\(\".*?\"\)",
    re.S,
)


def test_templates_print_no_untranslated_ukrainian():
    """Outside translation tags, no template holds Cyrillic text: every interface string goes through a catalogue."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = TRANSLATED_BLOCKS.sub("", path.read_text(encoding="utf-8"))
        if re.search("[\u0400-\u04ff]", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def admin_form_labels(admin_user):
    """The English labels of every field on the articles admin forms and their inlines."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    labels = set()
    with translation.override("en"):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label != "articles" or not model_admin.has_add_permission(request):
                continue
            forms = [model_admin.get_form(request)]
            forms += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
            labels |= {str(field.label) for form in forms for field in form.base_fields.values() if field.label}
    return labels


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_change_messages_name_fields_in_the_editor_language(admin_user, language):
    """History and audit lines ("Changed Headline and Body.") translate every admin form label."""
    labels = admin_form_labels(admin_user)
    assert {"Headline", "Body", "Tags", "Citing sentence"} <= labels
    assert labels <= set(FORM_LABELS), sorted(labels - set(FORM_LABELS))
    messages = read_po((ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb"))
    untranslated = [label for label in labels if not (messages.get(label) and messages.get(label).string)]
    assert not untranslated, untranslated


def test_a_change_message_reads_in_ukrainian(admin_user, story):
    """An admin log line recorded in English is shown with Ukrainian field names."""
    entry = LogEntry.objects.log_actions(
        admin_user.pk,
        [story],
        CHANGE,
        change_message=[{"changed": {"fields": ["Headline", "Body"]}}],
        single_object=True,
    )
    with translation.override("uk"):
        assert entry.get_change_message() == "Змінені Заголовок та Текст."
