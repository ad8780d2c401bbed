import pytest

from articles.text.html import html_to_text, paragraphs_to_html, sanitize_html, split_blocks


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Текст</p><script>alert(1)</script>", "<p>Текст</p>"),
        ('<p onclick="steal()" onmouseover="x()">Текст</p>', "<p>Текст</p>"),
        ('<img src="x.png" onerror="alert(1)" alt="фото">', '<img src="x.png" alt="фото">'),
        ("<p>До</p><iframe src='https://evil.example'></iframe><p>Після</p>", "<p>До</p><p>Після</p>"),
        ("<style>body{display:none}</style><p>Текст</p>", "<p>Текст</p>"),
        ('<p style="color:red">Текст</p>', "<p>Текст</p>"),
        ('<form action="/x"><input name="q"><button>Надіслати</button></form>', "Надіслати"),
        ("<p>Текст<!-- коментар --></p>", "<p>Текст</p>"),
    ],
)
def test_sanitize_html_removes_active_content(dirty, clean):
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4="])
def test_sanitize_html_drops_script_and_data_urls(url):
    assert sanitize_html(f'<a href="{url}">лінк</a>') == '<a rel="noopener noreferrer">лінк</a>'
    assert "data:" not in sanitize_html(f'<img src="{url}">')


def test_sanitize_html_keeps_story_markup():
    markup = (
        '<p lang="ru">Текст <strong>жирний</strong> і <a href="https://suspilne.media/">посилання</a></p>'
        "<blockquote><p>Цитата</p></blockquote><ul><li>Пункт</li></ul>"
    )

    assert sanitize_html(markup) == markup.replace('">посилання', '" rel="noopener noreferrer">посилання')


def test_sanitize_html_of_nothing_is_empty():
    assert sanitize_html(None) == ""


def test_split_blocks_keeps_each_top_level_block():
    markup = "<p>Один <em>два</em></p>\n<blockquote><p>Три</p><p>Чотири</p></blockquote><ul><li>П'ять</li></ul><hr>"

    assert split_blocks(markup) == [
        "<p>Один <em>два</em></p>",
        "<blockquote><p>Три</p><p>Чотири</p></blockquote>",
        "<ul><li>П'ять</li></ul>",
        "<hr>",
    ]


def test_split_blocks_wraps_loose_text_in_a_paragraph():
    assert split_blocks("Вільний текст <b>тут</b><p>Абзац</p>хвіст") == [
        "<p>Вільний текст <b>тут</b></p>",
        "<p>Абзац</p>",
        "<p>хвіст</p>",
    ]


def test_split_blocks_keeps_entities():
    assert split_blocks("<p>Tom &amp; Jerry &#8212; друзі</p>") == ["<p>Tom &amp; Jerry &#8212; друзі</p>"]


def test_split_blocks_of_nothing_is_empty():
    assert split_blocks("") == []


def test_paragraphs_to_html_escapes_text():
    assert (
        paragraphs_to_html(["<b>Один</b>", "  ", "Два & три"]) == "<p>&lt;b&gt;Один&lt;/b&gt;</p>\n<p>Два &amp; три</p>"
    )


def test_html_to_text_strips_tags_and_entities():
    assert html_to_text("<p>Tom &amp; <b>Jerry</b></p>") == "Tom & Jerry"


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_quotes_lose_a_cite_that_is_not_a_web_address(address):
    """A quote's cite with a script or data scheme is dropped, however it is cased or spaced; the quote stays."""
    markup = f'<blockquote cite="{address}"><p>Цитата</p></blockquote><p><q cite="{address}">слова</q></p>'
    assert sanitize_html(markup) == "<blockquote><p>Цитата</p></blockquote><p><q>слова</q></p>"


def test_quotes_keep_a_web_or_relative_cite():
    """cite pointing at a web page, or at a page of this site, is kept."""
    markup = '<blockquote cite="https://www.pravda.com.ua/news/1/"><p>Ц</p></blockquote><q cite="/2024/03/28/x/">с</q>'
    assert sanitize_html(markup) == markup


@pytest.mark.django_db
def test_a_story_page_prints_no_script_address_in_a_quote(client, make_story):
    """Saved through the model, as the admin and every import do, the page carries no javascript: cite."""
    story = make_story(body='<blockquote cite="javascript:alert(document.cookie)"><p>Заява</p></blockquote>')
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<blockquote><p>Заява</p></blockquote>" in html and "javascript:" not in html
