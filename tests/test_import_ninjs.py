"""The IPTC ninjs importer: 1.x and 2.x samples end to end, bad input, and parse() on its own."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Story
from articles.transfer.importers import ninjs
from articles.transfer.importers.formats import ParseOptions
from articles.transfer.importers.inputs import Payload
from articles.transfer.importers.records import BadInput, BadItem, Deferred, StoryRecord

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "ninjs"


def run(*paths, **options):
    out = io.StringIO()
    call_command("import_stories", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def import_error(*paths, **options):
    with pytest.raises(CommandError) as error:
        run(*paths, **options)
    return str(error.value)


def write(tmp_path, name, content):
    path = tmp_path / name
    if not isinstance(content, bytes | str):
        content = json.dumps(content, ensure_ascii=False)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def parse(content, name="feed.json"):
    data = content if isinstance(content, bytes) else json.dumps(content, ensure_ascii=False).encode()
    items = ninjs.parse(Payload(name, content=data), ParseOptions(format="ninjs"))
    return [item.build() if isinstance(item, Deferred) else item for item in items]


def story(uri):
    return Story.objects.get(external_id=uri)


def tag_names(item):
    return sorted(tag.name for tag in item.tags.all())


def author_names(item):
    return [byline.author.name for byline in item.bylines.all()]


# End to end through the command


@pytest.mark.django_db
def test_ninjs_1x_object_maps_every_field():
    """A single 1.x object: text, dates, language, subjects, byline and the feature image all land in the story."""
    assert "created 1" in run(SAMPLES / "v1_single.json", format="ninjs")
    item = story("urn:newsml:ukrinform.ua:20240312:3841177")
    assert item.origin == "ninjs:urn:newsml:ukrinform.ua"
    assert item.headline == "У Полтаві відкрили оновлений пологовий будинок"
    assert item.lead.startswith("Реконструкція тривала два роки")
    assert item.body.count("<p>") == 3 and "Укрінформ" in item.body
    assert (item.language, item.status) == ("uk", Story.Status.PUBLISHED)
    assert item.published_at == datetime(2024, 3, 12, 7, 15, tzinfo=UTC), "firstcreated, not versioncreated"
    assert item.embargo_until is None and item.is_public()
    assert tag_names(item) == ["Медицина", "Полтава"], "nameless subjects skipped, 'медицина' merged"
    assert author_names(item) == ["Олена Ткаченко", "Андрій Мельник"], "people with rel 'about' are not authors"
    assert item.hero_image_url == "https://static.ukrinform.example/photos/99120_view.jpg", "viewImage wins"
    assert item.hero_image_alt == "Новий корпус пологового будинку на вулиці Шевченка"
    assert item.hero_image_caption == "Оновлений пологовий будинок у Полтаві, 12 березня 2024 року"
    assert item.hero_image_credit == "Фото: Дмитро Савчук"


@pytest.mark.django_db
def test_ninjs_1x_array_reads_russian_plain_text_and_withheld_items():
    """A 1.x array: plain-text bodies become paragraphs, HTML descriptions plain leads, withheld withdraws."""
    assert "created 2" in run(SAMPLES / "v1_array.json", format="auto")
    kharkiv = story("https://rbc.example.ua/news/2024/05/20/kharkov-metro")
    assert kharkiv.language == "ru"
    assert kharkiv.lead == "Поезда снова ходят каждые пять минут."
    assert kharkiv.body.count("<p>") == 2
    assert author_names(kharkiv) == ["Ирина Соколова", "Павел Левченко"]
    odesa = story("https://rbc.example.ua/news/2024/05/20/odesa-port")
    assert odesa.language == "uk", "no language property: detected from the text"
    assert odesa.status == Story.Status.WITHDRAWN
    assert set(Story.objects.published()) == {kharkiv}


@pytest.mark.django_db
def test_ninjs_2x_array_picks_main_roles_html_bodies_and_authors():
    """2.x: the main headline, the HTML body, people with an author rel, the widest rendition, related items."""
    run(SAMPLES / "v2_array.json", format="ninjs")
    item = story("https://www.suspilne.example/news/2025/02/03/zhytomyr-solar")
    assert item.headline == "Житомирські школи отримали сонячні електростанції"
    assert item.lead == "Панелі забезпечать енергією шість шкіл навіть під час відключень."
    assert "Текстова версія" not in item.body and item.body.count("<p>") == 2
    assert item.published_at == datetime(2025, 2, 3, 12, 20, tzinfo=UTC), "versioncreated when firstcreated is absent"
    assert tag_names(item) == ["Енергетика", "Житомир", "Освіта"]
    assert author_names(item) == ["Наталія Бондар", "Віктор Гнатюк"], "structured authors win over the 'by' line"
    assert item.hero_image_url == "https://cdn.suspilne.example/photo-771-1600.jpg"
    assert item.hero_image_alt == "Ряди сонячних панелей на плоскому даху школи"
    assert item.hero_image_caption == "Сонячні панелі на даху гімназії № 23"
    assert item.hero_image_credit == "Суспільне Житомир"
    [link] = item.related_links.all()
    assert link.title == "Житомир ухвалив бюджет на 2025 рік"
    assert link.url == "https://www.suspilne.example/news/2024/12/11/zhytomyr-budget"
    assert link.date.isoformat() == "2024-12-11"
    bridge = story("https://www.suspilne.example/news/2025/02/04/kyiv-bridge")
    assert (bridge.language, bridge.status) == ("en", Story.Status.WITHDRAWN)
    assert author_names(bridge) == ["Oksana Kravets"]


@pytest.mark.django_db
def test_ninjs_json_lines_skip_blank_lines_and_detect_language():
    """JSON lines: every line a story, 'by' split on 'та', Russian told from the text."""
    assert "created 3" in run(SAMPLES / "v2_lines.jsonl")
    dnipro = story("tag:hromadske.example,2025:news/dnipro-water")
    assert dnipro.origin == "ninjs:tag:hromadske.example"
    assert author_names(dnipro) == ["Ганна Руденко", "Остап Вовк"]
    assert dnipro.lead == "Роботи мають завершити до зими."
    assert story("tag:hromadske.example,2025:news/minsk-exhibition").language == "ru"
    assert tag_names(story("tag:hromadske.example,2025:news/lviv-tram")) == ["Львів", "Транспорт"]


def related_pair(later_headline="Інша новина"):
    base = "https://news.example.ua/"
    return [
        {
            "uri": base + "a",
            "headline": "Перша новина",
            "firstcreated": "2025-03-01T10:00:00+02:00",
            "associations": [
                {
                    "name": "related-1",
                    "type": "text",
                    "uri": base + "b",
                    "headlines": [{"value": "Заголовок, що відрізняється"}],
                }
            ],
        },
        {"uri": base + "b", "headline": later_headline, "firstcreated": "2025-03-01T11:00:00+02:00"},
    ]


@pytest.mark.django_db
def test_related_association_points_at_the_story_with_its_uri(tmp_path):
    """A text association names another item by uri: the link points at that story even though titles differ."""
    run(write(tmp_path, "pair.json", related_pair()))
    [link] = story("https://news.example.ua/a").related_links.all()
    assert link.target == story("https://news.example.ua/b")


@pytest.mark.django_db
def test_embargoed_story_is_public_only_after_the_embargo(tmp_path):
    """`embargoed` keeps a story out of Story.objects.published() until it passes."""
    later = timezone.now() + timedelta(hours=1)
    item = {
        "uri": "urn:newsml:ukrinform.ua:embargo:1",
        "headline": "Бюджет оприлюднять опівдні",
        "firstcreated": (later - timedelta(hours=3)).isoformat(),
        "embargoed": later.isoformat(),
    }
    run(write(tmp_path, "embargo.json", item))
    stored = story("urn:newsml:ukrinform.ua:embargo:1")
    assert stored.embargo_until == later
    assert not Story.objects.published().exists()
    assert list(Story.objects.published(at=later + timedelta(minutes=1))) == [stored]


@pytest.mark.django_db
def test_importing_the_same_items_again_changes_nothing():
    """A second run over the same samples creates and updates nothing."""
    samples = [SAMPLES / name for name in ("v1_single.json", "v1_array.json", "v2_array.json", "v2_lines.jsonl")]
    assert "created 8" in run(*samples)
    assert "created 0, updated 0, skipped 8" in run(*samples)


@pytest.mark.django_db
def test_a_new_version_of_an_item_updates_the_story(tmp_path):
    """A changed versioncreated and headline update the stored story and keep its slug."""
    item = json.loads((SAMPLES / "v1_single.json").read_text(encoding="utf-8"))
    run(write(tmp_path, "v1.json", item))
    slug = Story.objects.get().slug
    item.update(versioncreated="2024-03-12T15:00:00+02:00", headline="У Полтаві відкрили пологовий після реконструкції")
    assert "created 0, updated 1" in run(write(tmp_path, "v1.json", item))
    updated = Story.objects.get()
    assert updated.headline == "У Полтаві відкрили пологовий після реконструкції"
    assert updated.slug == slug


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks_are_read(tmp_path, encoding):
    """UTF-8 with a BOM and UTF-16 with a BOM import like plain UTF-8."""
    text = (SAMPLES / "v1_single.json").read_text(encoding="utf-8")
    run(write(tmp_path, "bom.json", text.encode(encoding)), format="ninjs")
    assert Story.objects.get().headline == "У Полтаві відкрили оновлений пологовий будинок"


GOOD = {"uri": "urn:newsml:example.ua:good", "headline": "Добра новина", "firstcreated": "2025-01-01T10:00:00Z"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        (f'[{json.dumps(GOOD)},\n{{"uri" "b"}}]', "bad.json:2", "malformed JSON at line 2, column 8"),
        (json.dumps([GOOD, GOOD], indent=2)[:-30], "bad.json:", "ends early"),
        (
            json.dumps([GOOD]).encode("utf-8") + '{"headline": "Привіт"}'.encode("cp1251"),
            "bad.json:1",
            "not valid UTF-8",
        ),
        (json.dumps(GOOD) + "\n" + json.dumps(GOOD) + '\n{"uri": "x",\n', "bad.json:3", "ends early"),
        ([GOOD, "рядок"], "bad.json item 2", "expected a ninjs object, got a string"),
        ([GOOD, {"headline": "Без ідентифікатора"}], "bad.json item 2", "uri: missing"),
        ([GOOD, {**GOOD, "uri": "b", "headline": 42}], "bad.json item 2", "headline: expected a string, got a number"),
        ([GOOD, {**GOOD, "uri": "b", "subject": "Політика"}], "bad.json item 2", "subject: expected an array"),
        (
            [GOOD, GOOD, {**GOOD, "uri": "c", "firstcreated": "yesterday"}],
            "bad.json item 3",
            "firstcreated: 'yesterday' is not an ISO 8601 date-time",
        ),
        ([GOOD, {**GOOD, "uri": "b", "headlines": [{"role": "main"}]}], "bad.json item 2", "headline: missing"),
        ([GOOD, {**GOOD, "uri": "b", "associations": "фото"}], "bad.json item 2", "associations: expected an object"),
    ],
)
def test_bad_input_names_file_and_item_and_writes_nothing(tmp_path, content, where, what):
    """Every bad input stops the run with the file, the line or item, and what is wrong; nothing is written."""
    message = import_error(write(tmp_path, "bad.json", content), format="ninjs")
    assert where in message and what in message
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_continue_on_error_keeps_the_good_items(tmp_path):
    """With --continue-on-error a bad item is skipped and counted, the good ones are imported, the exit is 2."""
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_stories",
            str(write(tmp_path, "mixed.json", [GOOD, {"headline": "Без uri"}])),
            continue_on_error=True,
            stdout=out,
            stderr=io.StringIO(),
        )
    assert error.value.returncode == 2
    assert "created 1" in out.getvalue() and "failed 1" in out.getvalue()
    assert Story.objects.count() == 1


@pytest.mark.django_db
def test_unsafe_markup_in_a_body_is_removed():
    """Scripts, handlers, javascript:/data: URLs, iframes, styles and forms never reach the stored body."""
    run(SAMPLES / "unsafe_body.json", format="ninjs")
    body = Story.objects.get().body
    for unsafe in (
        "<script",
        "alert",
        "onclick",
        "javascript:",
        "data:",
        "<iframe",
        "style",
        "<form",
        "<input",
        "<button",
        "evil.example",
    ):
        assert unsafe not in body
    assert '<a href="https://ukrinform.ua/"' in body and "Перший абзац" in body


# parse() on its own


def test_parse_is_deterministic():
    """The same bytes give identical records, down to field order of lists."""
    data = (SAMPLES / "v2_array.json").read_bytes()
    assert parse(data) == parse(data)
    assert all(isinstance(record, StoryRecord) for record in parse(data))


def test_locations_name_items_and_lines():
    """Arrays and single objects count items from 1; JSON lines give the line, blank lines included."""
    assert [r.location for r in parse([GOOD, GOOD])] == ["feed.json item 1", "feed.json item 2"]
    assert [r.location for r in parse(GOOD)] == ["feed.json item 1"]
    lines = f"{json.dumps(GOOD)}\n\n{json.dumps(GOOD)}\n".encode()
    assert [r.location for r in parse(lines, "feed.jsonl")] == ["feed.jsonl:1", "feed.jsonl:3"]


@pytest.mark.parametrize(
    ("uri", "origin"),
    [
        ("urn:newsml:ukrinform.ua:20240312:3841177", "ninjs:urn:newsml:ukrinform.ua"),
        ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "ninjs:urn:uuid"),
        ("https://WWW.Suspilne.example/news/1", "ninjs:https://www.suspilne.example"),
        ("tag:hromadske.example,2025:news/1", "ninjs:tag:hromadske.example"),
        ("story-17", "ninjs"),
    ],
)
def test_origin_is_the_authority_of_the_uri(uri, origin):
    """Items of one provider share an origin; the whole uri is the external id."""
    [record] = parse({**GOOD, "uri": uri})
    assert (record.origin, record.external_id) == (origin, uri)


def test_malformed_documents_raise_bad_input_with_line_and_column():
    """Errors in a whole document, or text after a multi-line object, stop the input."""
    with pytest.raises(BadInput) as error:
        parse(b'[\n  {"uri": "a",\n   "headline": "x"\n  ]\n')
    assert error.value.location == "feed.json:4" and "column 3" in error.value.message
    with pytest.raises(BadInput) as error:
        parse(json.dumps(GOOD, indent=2).encode() + b"\nextra")
    assert error.value.location == "feed.json:6" and "Extra data" in error.value.message


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"", "empty"),
        ("\ufeff  \n".encode(), "empty"),
        (json.dumps(GOOD).encode("utf-16-le"), "NUL character"),
        (b"uri: a\n", "expected a ninjs object"),
    ],
)
def test_unreadable_inputs(data, what):
    with pytest.raises(BadInput) as error:
        parse(data)
    assert what in error.value.message


def test_dates_with_z_offsets_and_without():
    """'Z' is UTC; a time without an offset is read in the site's time zone (Europe/Kyiv)."""
    [utc] = parse({**GOOD, "firstcreated": "2025-01-01T10:00:00Z"})
    assert utc.published_at == datetime(2025, 1, 1, 10, tzinfo=UTC)
    [local] = parse({**GOOD, "firstcreated": "2025-01-01T12:00:00"})
    assert local.published_at == datetime(2025, 1, 1, 10, tzinfo=UTC)


def test_authors_fall_back_to_the_by_line():
    """Without author people, 'by' is split (a leading 'By' dropped); without either, authors are kept."""
    [record] = parse(
        {**GOOD, "by": "By Olha Koval and Petro Shevchuk", "people": [{"name": "Zelensky", "rel": "about"}]}
    )
    assert record.authors == ["Olha Koval", "Petro Shevchuk"]
    [bare] = parse(GOOD)
    assert bare.authors is None and bare.tags is None and bare.links is None


def test_other_item_types_and_statuses_are_refused():
    """Pictures are not stories, and pubstatus must be one the spec defines."""
    [picture] = parse({**GOOD, "type": "picture"})
    assert isinstance(picture, BadItem) and "type: 'picture'" in picture.message
    [status] = parse({**GOOD, "pubstatus": "live"})
    assert isinstance(status, BadItem) and status.message.startswith("pubstatus:")


def test_hero_image_only_from_web_urls():
    """A javascript: rendition is ignored; the association's own http(s) uri is the fallback."""
    picture = {
        "type": "picture",
        "name": "featureimage",
        "uri": "https://img.example.ua/1.jpg",
        "renditions": [{"name": "original", "href": "javascript:alert(1)"}],
    }
    [record] = parse({**GOOD, "associations": [picture]})
    assert record.hero_image_url == "https://img.example.ua/1.jpg"
    [none] = parse({**GOOD, "associations": [{**picture, "uri": "urn:photo:1"}]})
    assert none.hero_image_url == ""


def test_odd_associations_do_not_break_the_item():
    """A 1.x feature image without a type is still the hero; an association whose type is not a string is skipped."""
    feature = {"renditions": {"baseImage": {"href": "https://img.example.ua/base.jpg"}}}
    [record] = parse({**GOOD, "associations": {"featureimage": feature, "other": {"type": ["picture"]}}})
    assert record.hero_image_url == "https://img.example.ua/base.jpg"
    assert record.links == []
