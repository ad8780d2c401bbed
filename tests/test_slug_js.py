"""The admin's slug script (static/admin/articles/slugify.js) makes the same slugs as the server (articles.text.slugs)."""

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from articles.models import Story
from articles.text.slugs import MAX_SLUG_LENGTH, ascii_slug
from tests.test_admin import ADD_URL, MARCH_28, assert_saved, story_post
from tests.test_writing_tools import hidden_fields

SCRIPT = Path(settings.BASE_DIR) / "static" / "admin" / "articles" / "slugify.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: slugify.js cannot be run")

UKRAINIAN = [
    "Згорани чекають на міст",
    "ЗГОРАНИ ЧЕКАЮТЬ НА МІСТ",
    "У Згурівці зга́сло світло",
    "Єнакієве: що відомо про обстріл",
    "Мешканці Єнакієвого",
    "Їжакевич і його «Кобзар»",
    "Йосипівка отримала нову школу",
    "Знам'янка, Знам’янка і Знамʼянка",
    "Щербухи: щастя у щоденних дрібницях",
    "Ґудзик, ґанок і ґрунт",
    "Львів, Тернопіль і Рівне: день у містах",
    "Нью-Йорк і Ньютон",
    "Юрій Яковенко та Яна Юрченко",
    "Київ, Їжачок, Їхні їжаки",
    "Подвір'я, під'їзд, м'ята",
    "Костянтинівка: 24 години без світла",
    "Бюджет-2025: 1,2 млрд грн на ремонт доріг",
    "Зеленський зустрівся з NATO та G7 у Брюсселі",
    "«Укренерго»: графіки відключень на 12.03",
    "COVID-19: нові правила в'їзду",
    "Що? Де? Коли? — гра для школярів!!!",
    "Бійці 3-ї бригади з'ясували: «зграя» дронів зникла",
    "Згода, розгляд, безвихідь, вроздріб",
    "Ялта, Яготин, Ярошенко та Феодосія",
    "Українська мова в ЄС: новий етап",
    "Тест_з_підкресленнями __ і -дефісами-",
    "Обʼєднана громада з’єднала села",
    "Дніпро\u00a0— місто на\u00a0воді",
    "Ціни на ½ кг хліба зросли на 5 %",
    "Київ " * 60,
    "Полтавська міськрада ухвалила бюджет громади на 2025 рік та затвердила програму розвитку транспорту, "
    "ремонту доріг, відновлення мостів і будівництва укриттів у школах, садочках і лікарнях міста до кінця року",
]

RUSSIAN = [
    "Подъезд, объявление и съёмка",
    "Варенье и новьё в Подмосковье",
    "Ёлка на площади Щёлково",
    "Щербухи — село в Черниговской области",
    "Ёжик в тумане: съезд учёных",
    "Объём экспорта вырос на 15,5%",
    "Эрмитаж откроет выставку «Эпоха Ренессанса»",
    "Юрий Яковлев и Ульяна Яшина",
    "ЧП в Хабаровске: ЖКХ без воды",
    "Знаменка и Знам'янка — разные города",
    "Згорани — озёра на Волыни",
    "Пьеса «Вьюга» в театре",
    "Ъ и Ь в начале слова",
    "G20 и ОПЕК+ обсудили цены на нефть",
    "Станция «Мир-2» — 100 лет спустя",
]

EDGE = [
    ("!!!", "uk"),
    ("", "uk"),
    ("«…»", "ru"),
    ("English headline, as typed", "en"),
    ("Mixed: Київ and Moscow (Москва)", "en"),
]

CORPUS = [(text, "uk") for text in UKRAINIAN] + [(text, "ru") for text in RUSSIAN] + EDGE


def run_slugify(cases):
    """Slugs from slugify.js under node for [text, language, max_length] cases."""
    program = (
        "const {asciiSlug} = require(process.argv[1]);"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(cases.map(([text, language, length]) =>"
        " asciiSlug(text, language, length))));"
    )
    result = subprocess.run(
        [NODE, "-e", program, str(SCRIPT)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


def expected_slug(text, language, max_length):
    """The server's slug; where it falls back to a digest, the script leaves the field empty for the server."""
    slug = ascii_slug(text, language=language, max_length=max_length, fallback="story")
    return "" if re.fullmatch(r"story-[0-9a-f]{8}", slug) and not text.lower().startswith("story") else slug


def test_the_corpus_covers_forty_headlines_with_the_tricky_letters():
    text = " ".join(text for text, _language in CORPUS)

    assert len(UKRAINIAN) + len(RUSSIAN) >= 40
    for letters in ["Зг", "Єн", "Їж", "Йо", "Знам'я", "Щ", "ґ", "ь", "ъ", "ё", "’", "ʼ"]:
        assert letters in text


@needs_node
@pytest.mark.parametrize("max_length", [MAX_SLUG_LENGTH, 50, 12])
def test_slugify_js_makes_the_servers_slug_for_every_headline(max_length):
    cases = [[text, language, max_length] for text, language in CORPUS]

    slugs = run_slugify(cases)

    mismatches = [
        (text, language, slug, expected_slug(text, language, max_length))
        for (text, language), slug in zip(CORPUS, slugs, strict=True)
        if slug != expected_slug(text, language, max_length)
    ]
    assert mismatches == []


@needs_node
def test_slugify_js_agrees_with_the_server_on_random_text():
    """Random mixes of both alphabets, apostrophes, digits, marks and punctuation, at several cut lengths."""
    letters = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъёЗГЄЇЙЮЯЬЪЁ'’ʼ -_—.,!?«»0123456789abcXYZ\u00a0\u0301é½№ßﬁ\t"
    rng = random.Random(2010)
    cases = [
        [
            "".join(rng.choice(letters) for _ in range(rng.randint(0, 40))),
            rng.choice(["uk", "ru"]),
            rng.choice([200, 9]),
        ]
        for _ in range(500)
    ]

    slugs = run_slugify(cases)

    assert [
        slug
        for slug, (text, language, length) in zip(slugs, cases, strict=True)
        if slug != expected_slug(text, language, length)
    ] == []


@needs_node
def test_slugify_js_follows_kmu_2010_and_the_passport_scheme():
    cases = [
        ["Згорани", "uk", 200],
        ["Єнакієве", "uk", 200],
        ["Їжакевич", "uk", 200],
        ["Йосипівка", "uk", 200],
        ["Знам'янка", "uk", 200],
        ["Щербухи", "uk", 200],
        ["Гомін", "uk", 200],
        ["Гомин", "ru", 200],
        ["Подъезд", "ru", 200],
        ["Варенье", "ru", 200],
        ["Ёлка", "ru", 200],
    ]

    assert run_slugify(cases) == [
        "zghorany",
        "yenakiieve",
        "yizhakevych",
        "yosypivka",
        "znamianka",
        "shcherbukhy",
        "homin",
        "gomin",
        "podezd",
        "varenye",
        "elka",
    ]


@needs_node
def test_text_with_nothing_to_transliterate_leaves_the_slug_to_the_server():
    assert run_slugify([["!!!", "uk", 200], ["«…»", "ru", 200]]) == ["", ""]


@pytest.mark.django_db
def test_the_story_add_form_fills_the_slug_from_the_headline_with_our_urlify(admin_client):
    response = admin_client.get(ADD_URL)

    media = str(response.context["media"])
    assert media.index("/static/admin/js/urlify.js") < media.index("/static/admin/articles/slugify.js")
    assert media.index("/static/admin/js/prepopulate.js") < media.index("/static/admin/articles/slugify.js")
    assert b"&quot;id&quot;: &quot;#id_slug&quot;" in response.content
    assert b"&quot;dependency_ids&quot;: [&quot;#id_headline&quot;]" in response.content


@pytest.mark.django_db
def test_a_saved_storys_slug_no_longer_follows_its_headline(admin_client):
    story = Story.objects.create(headline="Старий заголовок", slug="staryi-zaholovok")

    response = admin_client.get(reverse("admin:articles_story_change", args=[story.pk]))

    assert response.context["adminform"].prepopulated_fields == []
    assert b"&quot;#id_slug&quot;" not in response.content


@pytest.mark.django_db
def test_a_slug_filled_from_the_headline_is_numbered_when_the_day_already_has_it(admin_client, make_story):
    make_story("Наришкін у Пхеньяні", published_at=MARCH_28)
    data = story_post(
        headline="Наришкін у Пхеньяні",
        slug="naryshkin-u-pkheniani",
        status=Story.Status.PUBLISHED,
        published_at_0="2024-03-28",
        published_at_1="12:00",
    )
    data.update(hidden_fields(admin_client, ADD_URL))

    assert_saved(admin_client.post(ADD_URL, data))

    assert Story.objects.filter(slug="naryshkin-u-pkheniani-2").exists()


@pytest.mark.django_db
def test_a_slug_typed_by_the_editor_is_kept(admin_client):
    data = story_post(headline="Наришкін у Пхеньяні", slug="naryshkin-v-phenyane")
    data.update(hidden_fields(admin_client, ADD_URL))

    assert_saved(admin_client.post(ADD_URL, data))

    assert Story.objects.get().slug == "naryshkin-v-phenyane"
