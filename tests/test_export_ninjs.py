"""The IPTC ninjs exporter: every item valid ninjs 2.0, streamed, and a round trip through the importer."""

import io
import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Attribution, Author, Byline, RelatedLink, Source, Story, Tag
from articles.transfer.exporters.ninjs import serialize

pytestmark = pytest.mark.django_db

# The ninjs 2.0 schema (https://www.iptc.org/std/ninjs/ninjs-schema_2.0.json), reduced to the rules a
# receiver relies on: "uri" is the only required property, no property outside the schema
# ("additionalProperties": false), and the types, enums and sub-object keys below.
STRINGS = {
    "profile",
    "version",
    "copyrightholder",
    "copyrightnotice",
    "usageterms",
    "ednote",
    "language",
    "title",
    "by",
    "slugline",
    "located",
}
DATES = {"firstcreated", "versioncreated", "contentcreated", "embargoed"}
ENUMS = {
    "type": {"text", "audio", "video", "picture", "graphic", "composite", "component"},
    "representationtype": {"full", "partial"},
    "pubstatus": {"usable", "withheld", "canceled"},
}
TEXT = {"role", "contenttype", "value"}
CONCEPT = {"name", "rel", "uri", "literal"}
ARRAYS = {  # property: (allowed keys, required keys) of each object in the array
    "headlines": (TEXT, {"value"}),
    "descriptions": (TEXT, {"value"}),
    "bodies": (TEXT | {"charcount", "wordcount"}, {"value"}),
    "people": (CONCEPT, set()),
    "organisations": (CONCEPT | {"symbols"}, set()),
    "places": (CONCEPT | {"geojson"}, set()),
    "subjects": (CONCEPT, set()),
    "events": (CONCEPT, set()),
    "objects": (CONCEPT, set()),
    "infosources": ({"name", "role", "uri", "literal"}, set()),
    "genres": ({"name", "uri", "literal"}, set()),
    "altids": ({"role", "value"}, set()),
    "trustindicators": ({"role", "title", "href"}, set()),
    "renditions": (
        {"name", "href", "contenttype", "title", "height", "width", "sizeinbytes", "duration", "format"},
        {"name"},
    ),
}
NUMBERS = {"urgency", "charcount", "wordcount", "height", "width", "sizeinbytes", "duration"}
URIS = {"uri", "href", "schema"}
PROPERTIES = {"uri", "urgency", "standard", "rightsinfo", "associations", *STRINGS, *DATES, *ENUMS, *ARRAYS}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def check_value(key, value, where):
    if key in URIS:
        assert isinstance(value, str) and urlsplit(value).scheme and not re.search(r"\s", value), f"{where}: {value!r}"
    elif key in NUMBERS:
        assert isinstance(value, int | float) and not isinstance(value, bool), where
    else:
        assert isinstance(value, str), where


def check_objects(key, value, where):
    allowed, required = ARRAYS[key]
    assert isinstance(value, list) and value, f"{where}: a non-empty array"
    for index, entry in enumerate(value):
        assert isinstance(entry, dict), where
        assert required <= entry.keys() <= allowed, f"{where}[{index}]: keys {sorted(entry)}"
        for name, item in entry.items():
            if name not in {"symbols", "geojson"}:
                check_value(name, item, f"{where}[{index}].{name}")


def validate(item, where="item", association=False):
    """Assert that one object follows the ninjs 2.0 rules above (associations may omit uri and add name)."""
    assert isinstance(item, dict), where
    assert item.keys() <= PROPERTIES | ({"name"} if association else set()), f"{where}: {sorted(item)}"
    assert association or "uri" in item, f"{where}: uri is required"
    for key, value in item.items():
        at = f"{where}.{key}"
        if key in DATES:
            assert isinstance(value, str) and RFC3339.match(value), at
            assert datetime.fromisoformat(value).tzinfo is not None, at
        elif key in ENUMS:
            assert value in ENUMS[key], at
        elif key in ARRAYS:
            check_objects(key, value, at)
        elif key == "standard":
            assert value.keys() <= {"name", "version", "schema"}, at
            assert all(isinstance(part, str) for part in value.values()), at
        elif key == "associations":
            assert isinstance(value, list), at
            for index, entry in enumerate(value):
                assert isinstance(entry.get("name"), str), f"{at}[{index}]: name"
                validate(entry, f"{at}[{index}]", association=True)
        elif key == "language":
            assert BCP47.match(value), at
        elif key != "rightsinfo":
            check_value(key, value, at)


def test_the_validator_refuses_ninjs_1x():
    """The rules have teeth: a 1.x item (headline, subject, associations as an object) is not 2.0."""
    for wrong in (
        {"uri": "urn:x:1", "headline": "Заголовок"},
        {"headlines": [{"value": "Без uri"}]},
        {"uri": "urn:x:1", "associations": {"featureimage": {"uri": "urn:x:2"}}},
        {"uri": "urn:x:1", "firstcreated": "2024-03-12 10:00"},
        {"uri": "urn:x:1", "pubstatus": "live"},
    ):
        with pytest.raises(AssertionError):
            validate(wrong)


def whole_second(**delta):
    return (timezone.now() - timedelta(**delta)).replace(microsecond=0)


def author(story, *names):
    for position, name in enumerate(names, 1):
        Byline.objects.create(story=story, author=Author.objects.get_or_create(name=name)[0], position=position)


@pytest.fixture
def newsroom():
    """Four stories: local, imported from ninjs, from a text file (a draft), and withdrawn under embargo."""
    rbc = Story.objects.create(
        headline="В Харькове открыли новую станцию метро",
        lead="Станция «Державинская» приняла первых пассажиров.",
        body="<p>Станцию строили шесть лет.</p>",
        language="ru",
        status=Story.Status.PUBLISHED,
        published_at=whole_second(days=30),
        origin="ninjs:https://rbc.example.ua",
        external_id="https://rbc.example.ua/news/2024/metro",
    )
    local = Story.objects.create(
        headline="Житомирські школи отримали сонячні електростанції",
        lead="Панелі живитимуть шість шкіл.",
        body="<p>За даними Укрінформу, потужність кожної станції — 50 кВт.</p>\n<p>Роботи завершили в січні.</p>",
        status=Story.Status.PUBLISHED,
        published_at=whole_second(days=2),
        hero_image_url="https://cdn.example.ua/zhytomyr-solar.jpg",
        hero_image_alt="Сонячні панелі на даху школи",
        hero_image_caption="Гімназія № 23 у Житомирі",
        hero_image_credit="Фото: Наталія Бондар",
    )
    local.tags.add("Енергетика", "Житомир")
    author(local, "Наталія Бондар", "Віктор Гнатюк")
    source = Source.objects.create(name="Укрінформ", homepage="https://www.ukrinform.ua/", kind=Source.Kind.AGENCY)
    Attribution.objects.create(story=local, source=source, position=1, sentence="За даними Укрінформу…")
    RelatedLink.objects.create(
        story=local, position=1, title=rbc.headline, target=rbc, language="ru", date=date(2024, 5, 20)
    )
    RelatedLink.objects.create(story=local, position=2, title="Енергетика громад", url="https://energy.example.ua/1")
    draft = Story.objects.create(
        headline="Чернетка про бюджет", body="<p>Ще пишемо.</p>", origin="text", external_id="бюджет/нова історія.txt"
    )
    withdrawn = Story.objects.create(
        headline="Kyiv reopens the Podilskyi bridge",
        body="<p>Buses first.</p>",
        language="en",
        status=Story.Status.WITHDRAWN,
        published_at=whole_second(days=1),
        embargo_until=whole_second(hours=-5),
    )
    return {"rbc": rbc, "local": local, "draft": draft, "withdrawn": withdrawn}


def export(**options):
    return json.loads("".join(serialize(Story.objects.for_export().order_by("pk"), **options)))


def test_every_exported_item_is_valid_ninjs_2(newsroom):
    """The export is one JSON array whose items all pass the ninjs 2.0 rules."""
    items = export(base_url="https://news.example.org/")
    assert len(items) == 4
    for index, item in enumerate(items):
        validate(item, f"item {index}")
    assert all(item["standard"]["version"] == "2.0" for item in items)


def test_exported_item_carries_the_story(newsroom):
    """Headline, lead, body, tags, byline, dates, status, hero image, sources and related links are all there."""
    local = newsroom["local"]
    item = {entry["uri"]: entry for entry in export()}[f"urn:newsroom:story:{local.pk}"]
    assert item["headlines"] == [{"role": "main", "contenttype": "text/plain", "value": local.headline}]
    assert item["descriptions"][0]["value"] == local.lead
    assert item["bodies"] == [{"role": "main", "contenttype": "text/html", "value": local.body}]
    assert [s["name"] for s in item["subjects"]] == ["Енергетика", "Житомир"]
    assert item["by"] == "Наталія Бондар, Віктор Гнатюк"
    assert [(p["name"], p["rel"]) for p in item["people"]] == [
        ("Наталія Бондар", "author"),
        ("Віктор Гнатюк", "author"),
    ]
    assert item["firstcreated"] == timezone.localtime(local.published_at).isoformat()
    assert (item["language"], item["pubstatus"]) == ("uk", "usable")
    assert item["infosources"] == [{"name": "Укрінформ", "uri": "https://www.ukrinform.ua/", "literal": "ukrinform"}]
    picture, related, outside = item["associations"]
    assert picture["renditions"] == [{"name": "original", "href": "https://cdn.example.ua/zhytomyr-solar.jpg"}]
    assert picture["by"] == "Фото: Наталія Бондар"
    assert related["uri"] == "https://rbc.example.ua/news/2024/metro", "an agency story keeps the agency's uri"
    assert "renditions" not in related, "a page on this site needs base_url to become an absolute URL"
    assert outside["renditions"][0]["href"] == "https://energy.example.ua/1"


def test_identity_status_and_embargo_of_other_stories(newsroom):
    """Imported stories keep an identity from their origin; drafts are withheld, withdrawn stories canceled."""
    items = {item["headlines"][0]["value"]: item for item in export()}
    draft = items["Чернетка про бюджет"]
    assert (
        draft["uri"] == "urn:newsroom:text:%D0%B1%D1%8E%D0%B4%D0%B6%D0%B5%D1%82/%D0%BD%D0%BE%D0%B2%D0%B0"
        "%20%D1%96%D1%81%D1%82%D0%BE%D1%80%D1%96%D1%8F.txt"
    )
    assert draft["pubstatus"] == "withheld"
    withdrawn = items["Kyiv reopens the Podilskyi bridge"]
    assert withdrawn["pubstatus"] == "canceled"
    assert datetime.fromisoformat(withdrawn["embargoed"]) == newsroom["withdrawn"].embargo_until


def test_base_url_makes_site_links_absolute(newsroom):
    """With base_url, a related link to a public story on this site gets its page as a rendition."""
    local = next(item for item in export(base_url="https://news.example.org/") if "associations" in item)
    related = local["associations"][1]
    assert related["renditions"][0]["href"] == "https://news.example.org" + newsroom["rbc"].get_absolute_url()


def test_serialize_streams_one_story_at_a_time(newsroom):
    """The first story is written before the next one is even read."""
    pulled = []

    def stories():
        for story in Story.objects.for_export():
            pulled.append(story)
            yield story

    chunks = serialize(stories())
    assert next(chunks) == "[" and json.loads(next(chunks).lstrip(",\n"))["uri"]
    assert len(pulled) == 1
    assert "".join(chunks).endswith("]\n") and len(pulled) == 4


def test_empty_export_is_an_empty_array():
    assert json.loads("".join(serialize(Story.objects.none()))) == []


def test_export_query_count_does_not_grow_with_stories(newsroom, django_assert_max_num_queries):
    """Tags, bylines, sources and related links come from prefetches: a handful of queries for any number."""
    with django_assert_max_num_queries(5):
        "".join(serialize(Story.objects.for_export()))


def test_round_trip_through_the_ninjs_importer(newsroom, tmp_path):
    """Exported, emptied and imported again: the same headlines, bodies, leads, tags, authors, dates, language."""
    # A story never published goes out with its creation time as firstcreated, and comes back with it.
    never_published = newsroom["draft"].headline

    def snapshot():
        return sorted(
            (
                s.headline,
                s.lead,
                s.body,
                s.language,
                None if s.headline == never_published else s.published_at,
                s.embargo_until,
                s.is_public(),
                tuple(t.name for t in s.tags.all()),
                tuple(b.author.name for b in s.bylines.all()),
                (s.hero_image_url, s.hero_image_alt, s.hero_image_caption, s.hero_image_credit),
                tuple(a.source.name for a in s.attributions.all()),
                tuple(
                    (link.title, link.date, link.target.headline if link.target else "")
                    for link in s.related_links.all()
                ),
            )
            for s in Story.objects.for_export()
        )

    before = snapshot()
    path = tmp_path / "export.json"
    path.write_text("".join(serialize(Story.objects.for_export(), base_url="https://news.example.org/")), "utf-8")
    Story.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    output = io.StringIO()
    call_command("import_stories", str(path), format="ninjs", stdout=output, stderr=io.StringIO())
    assert "created 4" in output.getvalue()
    assert snapshot() == before
    draft = Story.objects.get(headline=never_published)
    assert draft.status == Story.Status.WITHDRAWN, "withheld comes back withdrawn, never public"
    assert draft.published_at == newsroom["draft"].created_at.replace(microsecond=0)


def test_export_command_writes_valid_ninjs_of_public_stories(newsroom):
    """`export_stories --format ninjs` streams the public stories as valid ninjs 2.0."""
    output = io.StringIO()
    call_command("export_stories", format="ninjs", stdout=output, stderr=io.StringIO())
    items = json.loads(output.getvalue())
    assert sorted(item["headlines"][0]["value"] for item in items) == sorted(
        [newsroom["rbc"].headline, newsroom["local"].headline]
    )
    for item in items:
        validate(item)
