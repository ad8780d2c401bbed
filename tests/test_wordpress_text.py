"""WordPress post content to HTML: wpautop and shortcodes, tested without the database."""

import time

import pytest

from articles.transfer.importers.wordpress_text import autop, content_to_html, expand_shortcodes

IMAGES = {
    "31": ("https://visti.example.ua/uploads/rynok.jpg", "Ринок у неділю", "Ринок зранку"),
    "32": ("https://visti.example.ua/uploads/IMG_77.jpg", "", ""),
}


def gallery(attrs):
    return [IMAGES[key] for key in attrs.get("ids", "").split(",") if key in IMAGES]


def shortcodes(text):
    return expand_shortcodes(text, gallery)


# --- autop -------------------------------------------------------------------------------------------------


def test_blank_lines_make_paragraphs():
    """Text separated by blank lines becomes one <p> per paragraph."""
    assert autop("Перший абзац.\n\nДругий абзац.") == "<p>Перший абзац.</p>\n<p>Другий абзац.</p>"


def test_single_newline_becomes_line_break():
    """A single newline inside a paragraph becomes <br />, as on the WordPress site."""
    assert autop("Рядок один\nрядок два") == "<p>Рядок один<br />\nрядок два</p>"


def test_windows_line_endings_read_like_unix_ones():
    """CRLF and CR line endings give the same paragraphs and breaks as LF."""
    assert autop("Один\r\n\r\nДва\r\nтри") == autop("Один\n\nДва\nтри")


def test_more_than_one_blank_line_is_still_one_paragraph_break():
    """Runs of blank lines (with stray spaces) separate paragraphs without empty <p>s."""
    assert autop("Один\n\n \n\n\nДва") == "<p>Один</p>\n<p>Два</p>"


@pytest.mark.parametrize(
    "block",
    [
        "<h2>Що змінилося</h2>",
        "<ul>\n<li>перше</li>\n<li>друге</li>\n</ul>",
        "<table><tr><td>1</td></tr></table>",
        '<figure><img src="a.jpg"><figcaption>Підпис</figcaption></figure>',
        "<hr />",
    ],
)
def test_block_elements_are_not_wrapped_in_paragraphs(block):
    """Headings, lists, tables, figures and rules stand on their own, never inside <p>."""
    result = autop(f"До.\n{block}\nПісля.")
    assert block.replace("\n", "") in result.replace("\n", "")
    assert "<p><h2" not in result and "<p><ul" not in result and "<p><figure" not in result
    assert "<p>До.</p>" in result and "<p>Після.</p>" in result


def test_blockquote_paragraphs_go_inside_it():
    """Paragraphs in a blockquote are wrapped inside the quote, not around it."""
    assert autop("<blockquote>Цитата\n\nдругий абзац</blockquote>") == (
        "<blockquote><p>Цитата</p>\n<p>другий абзац</p></blockquote>"
    )


def test_preformatted_text_is_left_alone():
    """Blank lines and newlines inside <pre> stay as they are: no <p>, no <br />."""
    result = autop("Код:\n\n<pre>рядок 1\n\nрядок 2\nрядок 3</pre>\n\nКінець.")
    assert "<pre>рядок 1\n\nрядок 2\nрядок 3</pre>" in result
    assert result.count("<br />") == 0


def test_newline_inside_a_tag_is_not_a_line_break():
    """A newline inside a tag's attributes stays part of the tag and adds no <br />."""
    result = autop('Дивіться <a\nhref="https://example.ua/">тут</a>.')
    assert "<br />" not in result
    assert 'href="https://example.ua/"' in result


def test_newlines_in_scripts_are_not_line_breaks():
    """Newlines inside <script> or <style> are kept as newlines (the writer removes those tags later)."""
    assert "<br />" not in autop("<script>var a = 1;\nvar b = 2;</script>")


def test_empty_content_gives_empty_html():
    """Content that is only whitespace becomes an empty string, not an empty paragraph."""
    assert autop("  \n\n ") == ""
    assert content_to_html("") == ""


# --- shortcodes --------------------------------------------------------------------------------------------


def test_caption_shortcode_becomes_figure_with_caption():
    """[caption]<img …> Text[/caption] becomes <figure><img …><figcaption>Text</figcaption></figure>."""
    html = content_to_html(
        '[caption id="attachment_31" align="alignnone" width="640"]'
        '<img src="https://visti.example.ua/uploads/rynok.jpg" alt="Ринок" width="640" /> Ринок зранку[/caption]'
    )
    assert html == (
        '<figure><img src="https://visti.example.ua/uploads/rynok.jpg" alt="Ринок" width="640" />'
        "<figcaption>Ринок зранку</figcaption></figure>"
    )


def test_caption_keeps_a_linked_image_and_inline_markup():
    """An image wrapped in a link stays linked, and markup in the caption text is kept."""
    html = shortcodes(
        '[caption width="300"]<a href="https://x.ua/big.jpg"><img src="https://x.ua/s.jpg" /></a> '
        "Фото: <em>Петро Бондар</em>[/caption]"
    )
    assert '<figure><a href="https://x.ua/big.jpg"><img src="https://x.ua/s.jpg" /></a>' in html
    assert "<figcaption>Фото: <em>Петро Бондар</em></figcaption></figure>" in html


def test_caption_attribute_of_older_exports_is_used():
    """The older caption="…" attribute form gives the same figure."""
    html = shortcodes('[caption id="attachment_9" caption="Старий підпис"]<img src="https://x.ua/a.jpg" />[/caption]')
    assert "<figcaption>Старий підпис</figcaption>" in html


def test_caption_without_image_keeps_its_text():
    """A caption shortcode with no image inside is dropped but its text is kept."""
    assert shortcodes("[caption]Лише текст[/caption]") == "Лише текст"


def test_gallery_becomes_figures_of_its_images():
    """[gallery ids="…"] becomes one figure per image the export has, with alt text and caption."""
    html = content_to_html('Фото:\n\n[gallery columns="2" ids="31,99,32"]', gallery)
    assert html == (
        "<p>Фото:</p>\n"
        '<figure><img src="https://visti.example.ua/uploads/rynok.jpg" alt="Ринок у неділю">'
        "<figcaption>Ринок зранку</figcaption></figure>\n"
        '<figure><img src="https://visti.example.ua/uploads/IMG_77.jpg" alt=""></figure>'
    )


def test_gallery_without_known_images_disappears():
    """A gallery whose images are not in the export leaves nothing behind, not the shortcode text."""
    assert content_to_html('До.\n\n[gallery ids="404"]\n\nПісля.', gallery) == "<p>До.</p>\n<p>Після.</p>"


def test_embed_becomes_a_link_paragraph():
    """[embed]URL[/embed] becomes a paragraph linking to the URL."""
    assert content_to_html("[embed]https://www.youtube.com/watch?v=abc123[/embed]") == (
        '<p><a href="https://www.youtube.com/watch?v=abc123">https://www.youtube.com/watch?v=abc123</a></p>'
    )


def test_embed_of_a_non_web_address_is_plain_text():
    """An embed of a javascript: address becomes escaped text, never a link."""
    html = content_to_html("[embed]javascript:alert(1)[/embed]")
    assert "<a" not in html and "javascript:alert(1)" in html


def test_audio_and_video_link_to_their_files():
    """[audio]/[video] become a link to their file."""
    assert '<a href="https://x.ua/podcast.mp3">' in content_to_html('[audio mp3="https://x.ua/podcast.mp3"][/audio]')
    assert '<a href="https://x.ua/v.mp4">' in content_to_html('[video width="640" mp4="https://x.ua/v.mp4"]')


def test_url_alone_on_a_line_becomes_a_link():
    """A URL alone on its line (WordPress's auto-embed) becomes a link; one inside a sentence stays text."""
    html = content_to_html("Відео:\n\nhttps://youtu.be/xyz\n\nДжерело: https://example.ua у тексті.")
    assert '<p><a href="https://youtu.be/xyz">https://youtu.be/xyz</a></p>' in html
    assert "<p>Джерело: https://example.ua у тексті.</p>" in html


def test_unknown_shortcodes_are_removed_but_their_text_is_kept():
    """Plugin shortcodes vanish, enclosed text (also nested) stays, self-closing ones leave nothing."""
    text = (
        '[su_note note_color="#fff"]Увага: [su_highlight]зміни[/su_highlight] у розкладі.[/su_note] '
        '[contact-form-7 id="12" title="Зворотний зв\'язок"] [newsletter /] [adrotate banner="4"] [toc]'
    )
    assert shortcodes(text).strip() == "Увага: зміни у розкладі."


def test_escaped_shortcodes_stay_literal():
    """[[gallery]] and [[b]x[/b]] are WordPress's way to print a shortcode, so they stay as [gallery], [b]x[/b]."""
    assert shortcodes("Вставте [[gallery]] у текст") == "Вставте [gallery] у текст"
    assert shortcodes("Приклад: [[b]жирний[/b]].") == "Приклад: [b]жирний[/b]."


def test_editorial_brackets_are_not_shortcodes():
    """Square brackets in news copy ([sic], [UPDATE: …], [1], Cyrillic notes) are kept as written."""
    text = "Він сказав «мільярд» [sic] [UPDATE: police confirmed] [1] [Оновлено о 12:30] [...]"
    assert shortcodes(text) == text


def test_deep_nesting_stops_instead_of_crashing():
    """Shortcodes nested deeper than any real post are left as text rather than exhausting the stack."""
    depth = 500
    text = "".join(f"[n{i}]" for i in range(depth)) + "ядро" + "".join(f"[/n{i}]" for i in reversed(range(depth)))
    assert "ядро" in content_to_html(text)


def test_unclosed_brackets_are_scanned_in_linear_time():
    """Thousands of unclosed "[name" openings do not make the scan quadratic."""
    text = "[abc " * 40_000 + "[b]кінець[/b]" + "[x]" * 40_000
    started = time.monotonic()
    result = shortcodes(text)
    assert time.monotonic() - started < 2
    assert "кінець" in result
