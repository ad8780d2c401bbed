"""RSS and Atom feeds: parse() on sample feeds, and the import_stories command end to end."""

import datetime as dt
import http.server
import io
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Story
from articles.transfer.importers import feeds
from articles.transfer.importers.formats import ParseOptions
from articles.transfer.importers.inputs import Payload
from articles.transfer.importers.records import BadInput, BadItem, StoryRecord

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
EEST = dt.timezone(dt.timedelta(hours=3))
EET = dt.timezone(dt.timedelta(hours=2))
UNSAFE_MARKUP = ("<script", "onclick", "javascript:", "<iframe", "<style", "<form", "<input", "document.cookie")


def feed_bytes(name):
    return (FEEDS / name).read_bytes()


def encoded(name, encoding, declare=True):
    """A sample feed in another encoding, its XML declaration naming it (or left out, keeping line numbers)."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
    text = (FEEDS / name).read_text(encoding="utf-8").replace(UTF8_DECLARATION, declaration, 1)
    return text.encode(encoding)


def parse(data, name="feed.xml", content_type="", format="rss"):
    payload = Payload(name, content=data, content_type=content_type)
    return list(feeds.parse(payload, ParseOptions(format=format)))


def rss(items, channel="<link>https://hromada.example.ua/</link><language>uk</language>"):
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Громада</title>{channel}{items}</channel></rss>'.encode()


def billion_laughs(tmp_path):
    return feed_bytes("billion-laughs.xml")


def quadratic_blowup(tmp_path):
    entity = "Ж" * 50_000
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [<!ENTITY a "{entity}">]>\n'
        f'<rss version="2.0"><channel><item><title>{"&a;" * 50_000}</title></item></channel></rss>'
    ).encode()


def external_entity(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("ПАРОЛЬ-12345")
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{secret}">]>\n'
        '<rss version="2.0"><channel><item><title>&secret;</title><guid>x</guid></item></channel></rss>'
    ).encode()


def external_dtd(tmp_path):
    dtd = tmp_path / "secret.dtd"
    dtd.write_text('<!ENTITY secret "ПАРОЛЬ-12345">')
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss SYSTEM "file://{dtd}">\n'
        '<rss version="2.0"><channel><item><title>&secret;</title><guid>x</guid></item></channel></rss>'
    ).encode()


HOSTILE = [billion_laughs, quadratic_blowup, external_entity, external_dtd]


# --- encodings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("ukrainian.rss", "windows-1251"),
        ("russian.rss", "koi8-r"),
        ("ukrainian.atom", "utf-16"),
    ],
)
def test_legacy_encodings_read_like_utf8(name, encoding):
    """A feed in windows-1251, koi8-r or UTF-16 with a BOM gives exactly the records of its UTF-8 original."""
    data = encoded(name, encoding)
    assert data.decode(encoding) and data != feed_bytes(name)
    assert parse(data) == parse(feed_bytes(name))
    assert parse(data)[0].headline in {
        "У Житомирі відкрили оновлений міст через Тетерів",
        "В Бердянске объявили штормовое предупреждение",
        "Їжаки в парках: у Дніпрі вперше рахують їжаків",
    }


def test_utf16_feed_starts_with_a_byte_order_mark():
    """The UTF-16 sample really starts with a BOM, so the test above covers BOM detection."""
    assert encoded("ukrainian.atom", "utf-16")[:2] in {b"\xff\xfe", b"\xfe\xff"}


def test_charset_given_only_by_http_header():
    """A windows-1251 feed without an XML declaration is read with the charset of its Content-Type."""
    data = encoded("ukrainian.rss", "windows-1251", declare=False)
    records = parse(data, content_type="application/rss+xml; charset=windows-1251")
    assert records == parse(feed_bytes("ukrainian.rss"))
    payload = Payload("feed.xml", content=data, content_type="application/rss+xml; charset=windows-1251")
    list(feeds.parse(payload, ParseOptions(format="rss")))
    assert payload.encoding == "windows-1251 (HTTP charset)"


def test_wrong_http_charset_falls_back_to_the_declaration():
    """A server's default 'charset=utf-8' does not garble a feed that declares windows-1251."""
    data = encoded("ukrainian.rss", "windows-1251")
    assert parse(data, content_type="text/xml; charset=utf-8") == parse(feed_bytes("ukrainian.rss"))


# --- mapping of items --------------------------------------------------------------------------------------


def test_rss_item_maps_to_a_full_story_record():
    """Title, lead, content, categories, dc:creator, pubDate, language and media:content land in their fields."""
    record = parse(feed_bytes("ukrainian.rss"), name="vp.rss")[0]
    assert record == StoryRecord(
        origin="feed:vistipolissia.example.ua/news",
        external_id="vp-2024-0501-mist",
        headline="У Житомирі відкрили оновлений міст через Тетерів",
        location="vp.rss item 1 (vp-2024-0501-mist)",
        lead="Рух мостом відновили після двох років ремонту.",
        body=(
            "<p>Рух мостом через Тетерів відновили після двох років ремонту, повідомили в міській раді.</p>\n"
            "<p>Підрядник замінив опори та поклав нове покриття; пішохідні доріжки розширили до трьох метрів.</p>\n"
            "<p>Наступного тижня на мосту встановлять освітлення.</p>"
        ),
        language="uk",
        published_at=dt.datetime(2024, 5, 1, 9, 30, tzinfo=EEST),
        tags=["Інфраструктура", "Житомир"],
        authors=["Оксана Мельник"],
        hero_image_url="https://vistipolissia.example.ua/media/mist.jpg",
        hero_image_alt="Оновлений міст через Тетерів увечері",
        hero_image_caption="Міст через Тетерів після ремонту, 30 квітня 2024 року.",
        hero_image_credit="Фото: Тарас Гнатюк",
    )
    assert record.published_at.utcoffset() == dt.timedelta(hours=3)


def test_item_without_date_leaves_publication_time_empty():
    """An item with no pubDate is still imported, with published_at None for the writer to fill."""
    record = parse(feed_bytes("ukrainian.rss"))[1]
    assert record.headline == "Бердичівська громада отримала нові шкільні автобуси"
    assert record.published_at is None
    assert record.body == "<p>Три автобуси возитимуть дітей із віддалених сіл до опорної школи.</p>"


def test_item_without_title_gets_its_first_sentence_as_headline():
    """An untitled item is headlined with the first sentence of its text, not dropped."""
    record = parse(feed_bytes("ukrainian.rss"))[2]
    assert record.headline == "Рятувальники Коростеня за дві години загасили пожежу на складі пиломатеріалів"
    assert record.lead.startswith("Рятувальники Коростеня")
    assert "<p>Причини займання встановлює поліція.</p>" in record.body


def test_long_untitled_item_is_headlined_with_its_first_words():
    """Without a title, a long first sentence is cut to its first twelve words and an ellipsis."""
    words = "Депутати обласної ради на позачерговій сесії вирішили передати громадам ще дванадцять шкіл і два ліцеї"
    record = parse(rss(f"<item><guid>g</guid><description>{words}.</description></item>"))[0]
    assert record.headline == " ".join(words.split()[:12]) + "…"


def test_item_with_nothing_to_show_is_a_bad_item():
    """An item with no title and no text becomes a BadItem naming its number and guid."""
    items = "<item><guid>hromada-7</guid><link>https://hromada.example.ua/7</link></item><item><title>Є</title></item>"
    bad, good = parse(rss(items), name="hromada.rss")
    assert bad == BadItem("hromada.rss item 1 (hromada-7)", "the item has no title and no text")
    assert good.headline == "Є"


def test_plain_text_description_becomes_paragraphs():
    """A plain-text description with a blank line becomes two <p> paragraphs; the first is the lead."""
    record = parse(feed_bytes("ukrainian.rss"))[4]
    assert record.body == (
        "<p>Водоканал попередив про роботи на мережі.</p>\n<p>Воду не подаватимуть у вівторок з 9:00 до 17:00.</p>"
    )
    assert record.lead == "Водоканал попередив про роботи на мережі."
    assert record.external_id == "https://vistipolissia.example.ua/news/voda-malyn/"
    assert record.published_at == dt.datetime(2024, 5, 6, 7, 15, tzinfo=dt.UTC)


def test_content_without_description_gives_first_paragraph_as_lead():
    """When the summary is the content itself, the lead is only its first paragraph, as plain text."""
    record = parse(feed_bytes("ukrainian.rss"))[3]
    assert record.lead == "Виставку відкрили до дня народження поетеси."
    assert record.authors == ["Андрій Савчук"]


def test_media_description_does_not_replace_the_summary():
    """A media:description placed before <description> is the image caption, never the lead."""
    record = parse(feed_bytes("russian.rss"))[1]
    assert record.lead == "Первые суда с пшеницей вышли из порта после недельного перерыва."
    assert record.body == "<p>Первые суда с пшеницей вышли из порта после недельного перерыва.</p>"
    assert record.hero_image_caption == "Грузовой порт на рассвете"
    assert record.hero_image_alt == "Порт возобновил отгрузку зерна"


def test_russian_feed_keeps_its_offset_and_language():
    """ru-RU feeds give Russian stories with their +02:00 publication time, ё intact."""
    record = parse(encoded("russian.rss", "koi8-r"))[0]
    assert (record.language, record.authors, record.tags) == ("ru", ["Сергей Ёлкин"], ["Погода"])
    assert record.published_at == dt.datetime(2024, 3, 12, 21, 40, tzinfo=EET)
    assert record.lead == "Синоптики ожидают порывы ветра до 25 метров в секунду."


def test_atom_entries_map_authors_labels_xhtml_and_enclosure():
    """Atom entries give every author, category labels, XHTML content, the enclosure image and their offsets."""
    first, second = parse(feed_bytes("ukrainian.atom"), format="atom")
    assert first.origin == second.origin == "feed:dniprovska.example.ua"
    assert first.authors == ["Марія Ґудзь", "Євген Лисенко"]
    assert first.tags == ["Екологія", "Дніпро"]
    assert (
        first.body
        == "<p>Волонтери вперше рахують їжаків у міських парках.</p><p>Підсумки обіцяють оприлюднити восени.</p>"
    )
    assert first.lead == "Волонтери вперше рахують їжаків у міських парках."
    assert first.published_at == dt.datetime(2024, 6, 10, 8, 15, tzinfo=EEST)
    assert first.hero_image_url == "https://dniprovska.example.ua/i/yizhak.webp"
    assert second.headline == "Міська рада ухвалила бюджет участі"
    assert second.published_at == dt.datetime(2024, 6, 9, 15, 30, tzinfo=dt.UTC)
    assert second.lead == "Депутати підтримали сім проєктів мешканців."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("<language>uk-UA</language>", "uk"),
        ("<language>ru-RU</language>", "ru"),
        ("<language>en-us</language>", "en"),
        ("<language>ua</language>", "uk"),
        ("<language>pl</language>", "ru"),
        ("", "ru"),
    ],
)
def test_language_comes_from_the_channel_else_from_the_text(language, expected):
    """The channel's language decides; an unknown or missing one leaves it to detection (here Russian text)."""
    item = "<item><guid>1</guid><title>Мэрия объявила конкурс</title><description>Это уже третий конкурс.</description></item>"
    assert parse(rss(item, channel=language))[0].language == expected


def test_identity_falls_back_to_link_then_to_a_stable_hash():
    """Without a guid the link identifies an item; without both, a hash of title and date that never changes."""
    items = (
        "<item><title>Перша</title><link>https://hromada.example.ua/1</link></item>"
        "<item><title>Друга</title><pubDate>Thu, 02 May 2024 10:00:00 +0300</pubDate></item>"
        "<item><title>Третя</title></item>"
    )
    first, second, third = parse(rss(items))
    assert first.external_id == "https://hromada.example.ua/1"
    assert second.external_id.startswith("sha256:") and third.external_id.startswith("sha256:")
    assert second.external_id != third.external_id
    assert [r.external_id for r in parse(rss(items))] == [first.external_id, second.external_id, third.external_id]


@pytest.mark.parametrize(
    ("channel", "name", "origin"),
    [
        ("<link>HTTPS://Hromada.Example.UA/novyny/</link>", "a.rss", "feed:hromada.example.ua/novyny"),
        ("", "/srv/imports/hromada.rss", "feed:hromada.rss"),
        ("", "https://hromada.example.ua/rss.xml", "feed:hromada.example.ua/rss.xml"),
    ],
)
def test_origin_is_the_channel_address_else_the_file(channel, name, origin):
    """The origin is 'feed:' plus the channel's host and path, else the feed's URL or file name."""
    assert (
        parse(rss("<item><guid>1</guid><title>Новина</title></item>", channel=channel), name=name)[0].origin == origin
    )


def test_same_bytes_give_identical_records():
    """Parsing the same feed twice gives equal records, so a re-import has nothing to change."""
    for name in ("ukrainian.rss", "russian.rss", "ukrainian.atom"):
        assert parse(feed_bytes(name)) == parse(feed_bytes(name))


def test_empty_channel_is_refused():
    """A valid feed without items is refused by name rather than read as zero stories."""
    with pytest.raises(BadInput, match=r"^feed\.xml: the feed has no items$"):
        parse(rss(""))


# --- unreadable and hostile inputs -------------------------------------------------------------------------


def test_truncated_feed_names_file_and_line():
    """A feed cut off mid-item is refused with the file name and the line where it breaks."""
    with pytest.raises(BadInput, match=r"^truncated\.rss:12: malformed XML"):
        parse(feed_bytes("truncated.rss"), name="truncated.rss")


def test_xml_that_is_no_feed_is_refused():
    """A sitemap is well-formed XML but not a feed, and the error says what its root element is."""
    with pytest.raises(BadInput, match=r"^sitemap\.xml: not an RSS or Atom feed: the root element is <urlset>"):
        parse(feed_bytes("not-a-feed.xml"), name="sitemap.xml")


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda f: f.__name__)
def test_hostile_xml_is_refused_before_expansion(hostile, tmp_path):
    """Entity bombs, external entities and external DTDs are refused without expanding or reading anything."""
    started = time.monotonic()
    with pytest.raises(BadInput) as refused:
        parse(hostile(tmp_path), name="hostile.xml")
    assert time.monotonic() - started < 2
    assert refused.value.location.startswith("hostile.xml")
    assert "ПАРОЛЬ" not in str(refused.value)


# --- end to end through the command ------------------------------------------------------------------------


def import_feeds(*paths, format="rss", **options):
    out = io.StringIO()
    call_command("import_stories", *map(str, paths), format=format, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def stored():
    return list(Story.objects.order_by("external_id").values())


@pytest.mark.django_db
def test_import_writes_stories_with_tags_bylines_dates_and_images():
    """Importing the Ukrainian feed stores every item with its tags, byline, offset-correct time and hero image."""
    output = import_feeds(FEEDS / "ukrainian.rss")
    assert "created 5, updated 0" in output
    bridge = Story.objects.get(external_id="vp-2024-0501-mist")
    assert bridge.origin == "feed:vistipolissia.example.ua/news"
    assert (bridge.headline, bridge.language, bridge.status) == (
        "У Житомирі відкрили оновлений міст через Тетерів",
        "uk",
        Story.Status.PUBLISHED,
    )
    assert sorted(tag.slug for tag in bridge.tags.all()) == ["infrastruktura", "zhytomyr"]
    assert [byline.author.name for byline in bridge.bylines.all()] == ["Оксана Мельник"]
    assert bridge.published_at == dt.datetime(2024, 5, 1, 9, 30, tzinfo=EEST)
    assert bridge.hero_image_url == "https://vistipolissia.example.ua/media/mist.jpg"
    assert bridge.hero_image_credit == "Фото: Тарас Гнатюк"
    assert Story.objects.get(external_id="vp-2024-0502-avtobusy").published_at is not None


@pytest.mark.django_db
def test_imported_body_has_no_unsafe_markup():
    """Scripts, event handlers, javascript: links, iframes, styles and forms never reach the stored body."""
    import_feeds(FEEDS / "ukrainian.rss")
    body = Story.objects.get(external_id="vp-2024-0504-lysty").body
    assert "Виставку відкрили до дня народження поетеси." in body
    assert "сайті музею" in body
    for marker in UNSAFE_MARKUP:
        assert marker not in body


@pytest.mark.django_db
def test_second_import_changes_nothing():
    """Importing the same feeds again reports created 0, updated 0 and leaves every row as it was."""
    paths = [FEEDS / "ukrainian.rss", FEEDS / "russian.rss", FEEDS / "ukrainian.atom"]
    import_feeds(*paths, format="auto")
    before = stored()
    output = import_feeds(*paths, format="auto")
    assert "created 0, updated 0, skipped 9" in output
    assert stored() == before


@pytest.mark.django_db
def test_changed_item_is_updated(tmp_path):
    """An item whose title changed in the feed updates its story and nothing else."""
    feed = tmp_path / "vp.rss"
    feed.write_bytes(feed_bytes("ukrainian.rss"))
    import_feeds(feed)
    feed.write_text(feed.read_text().replace("шкільні автобуси", "шкільні автобуси й мікроавтобус"))
    output = import_feeds(feed)
    assert "created 0, updated 1, skipped 4" in output
    story = Story.objects.get(external_id="vp-2024-0502-avtobusy")
    assert story.headline == "Бердичівська громада отримала нові шкільні автобуси й мікроавтобус"


@pytest.mark.django_db
def test_auto_format_reads_every_sample_in_its_encoding(tmp_path):
    """With --format auto, cp1251 RSS, koi8-r RSS and UTF-16 Atom files import with correct Cyrillic."""
    for name, encoding in (("ukrainian.rss", "windows-1251"), ("russian.rss", "koi8-r"), ("ukrainian.atom", "utf-16")):
        (tmp_path / name).write_bytes(encoded(name, encoding))
    assert "created 9" in import_feeds(tmp_path, format="auto")
    languages = dict(Story.objects.values_list("headline", "language"))
    assert languages["Порт возобновил отгрузку зерна"] == "ru"
    assert languages["Їжаки в парках: у Дніпрі вперше рахують їжаків"] == "uk"
    assert languages["Оголошено графік відключень води в Малині"] == "uk"


def hostile_file(tmp_path, make):
    path = tmp_path / f"{make.__name__}.xml"
    path.write_bytes(make(tmp_path))
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [*HOSTILE, lambda _: feed_bytes("truncated.rss"), lambda _: feed_bytes("not-a-feed.xml")],
    ids=[*(f.__name__ for f in HOSTILE), "truncated", "not_a_feed"],
)
def test_bad_feed_stops_the_run_quickly_and_writes_nothing(make, tmp_path):
    """A hostile or broken file fails the whole run in under 2 s and 100 MB, and a good feed before it is not kept."""
    bad = hostile_file(tmp_path, make)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(CommandError, match=bad.name):
            import_feeds(FEEDS / "ukrainian.rss", bad, format="auto")
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 2
    assert peak < 100 * 1024 * 1024
    assert not Story.objects.exists()


@pytest.fixture
def feed_server(monkeypatch):
    """An HTTP server on 127.0.0.1 serving `routes[path] = (content_type, body)`; yields (base URL, routes)."""
    routes = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in routes:
                self.send_error(404)
                return
            content_type, body = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    for variable in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(variable, "*")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.django_db
def test_feed_from_url_uses_the_http_charset(feed_server):
    """A feed downloaded over HTTP is read in the charset of its Content-Type and imported."""
    base, routes = feed_server
    routes["/rss"] = (
        "application/rss+xml; charset=windows-1251",
        encoded("ukrainian.rss", "windows-1251", declare=False),
    )
    assert "created 5" in import_feeds(f"{base}/rss", format="auto")
    story = Story.objects.get(external_id="vp-2024-0501-mist")
    assert story.headline == "У Житомирі відкрили оновлений міст через Тетерів"
    assert story.origin == "feed:vistipolissia.example.ua/news"


@pytest.mark.django_db
def test_html_page_url_is_refused(feed_server):
    """A URL that answers with an HTML page is refused with an error naming its content type."""
    base, routes = feed_server
    routes["/news"] = ("text/html; charset=utf-8", "<!doctype html><html><body>Новини</body></html>".encode())
    with pytest.raises(CommandError, match=r"/news: unexpected content type 'text/html'"):
        import_feeds(f"{base}/news", format="auto")
    assert not Story.objects.exists()
