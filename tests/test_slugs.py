import pytest

from articles.models import Tag
from articles.text.slugs import ascii_slug, numbered, transliterate

# The examples column of the table in CMU resolution No. 55 of 27 January 2010.
KMU_2010 = [
    ("Алушта", "Alushta"),
    ("Андрій", "Andrii"),
    ("Борщагівка", "Borshchahivka"),
    ("Вінниця", "Vinnytsia"),
    ("Гадяч", "Hadiach"),
    ("Згорани", "Zghorany"),
    ("Ґалаґан", "Galagan"),
    ("Дон", "Don"),
    ("Рівне", "Rivne"),
    ("Єнакієве", "Yenakiieve"),
    ("Наталія", "Nataliia"),
    ("Житомир", "Zhytomyr"),
    ("Закарпаття", "Zakarpattia"),
    ("Медвин", "Medvyn"),
    ("Іршава", "Irshava"),
    ("Їжакевич", "Yizhakevych"),
    ("Кадиївка", "Kadyivka"),
    ("Йосипівка", "Yosypivka"),
    ("Стрий", "Stryi"),
    ("Олексій", "Oleksii"),
    ("Київ", "Kyiv"),
    ("Лебедин", "Lebedyn"),
    ("Миколаїв", "Mykolaiv"),
    ("Ніжин", "Nizhyn"),
    ("Одеса", "Odesa"),
    ("Полтава", "Poltava"),
    ("Решетилівка", "Reshetylivka"),
    ("Суми", "Sumy"),
    ("Тетерів", "Teteriv"),
    ("Ужгород", "Uzhhorod"),
    ("Фастів", "Fastiv"),
    ("Харків", "Kharkiv"),
    ("Біла Церква", "Bila Tserkva"),
    ("Чернівці", "Chernivtsi"),
    ("Шостка", "Shostka"),
    ("Гоща", "Hoshcha"),
    ("Юрій", "Yurii"),
    ("Крюківка", "Kriukivka"),
    ("Яготин", "Yahotyn"),
    ("Костянтин", "Kostiantyn"),
    ("Знам'янка", "Znamianka"),
    ("Феодосія", "Feodosiia"),
]


@pytest.mark.parametrize(("cyrillic", "latin"), KMU_2010)
def test_ukrainian_follows_kmu_2010(cyrillic, latin):
    assert transliterate(cyrillic) == latin
    assert ascii_slug(cyrillic) == latin.lower().replace(" ", "-")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Наришкін", "naryshkin"),
        ("Пхеньяні", "pkheniani"),
        ("Глава Служби зовнішньої розвідки РФ", "hlava-sluzhby-zovnishnoi-rozvidky-rf"),
        ("Прем'єр Норвегії", "premier-norvehii"),
    ],
)
def test_ukrainian_slugs(text, slug):
    assert ascii_slug(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Северная Корея", "severnaya-koreya"),
        ("Щука", "shchuka"),
        ("Жуков", "zhukov"),
        ("Хрущёв", "khrushchev"),
        ("Цой", "tsoy"),
        ("Ярослав", "yaroslav"),
        ("Юрий", "yuriy"),
        ("Белый дом", "belyy-dom"),
    ],
)
def test_russian_follows_the_passport_scheme(text, slug):
    assert ascii_slug(text, language="ru") == slug


@pytest.mark.parametrize("text", ["!!!", "«»", "— … —", "", "   "])
def test_punctuation_only_text_still_gets_an_ascii_slug(text):
    slug = ascii_slug(text, fallback="story")

    assert slug.startswith("story-")
    assert slug.isascii()
    assert len(slug) > len("story-")


def test_long_text_is_cut_at_a_word_boundary():
    slug = ascii_slug("Київ " * 100, max_length=50)

    assert len(slug) <= 50
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"kyiv"}


def test_numbered_slug_keeps_within_the_limit():
    assert numbered("a" * 200, 12) == "a" * 197 + "-12"


@pytest.mark.django_db
def test_tag_slug_is_transliterated():
    assert Tag.objects.create(name="КНДР").slug == "kndr"
    assert Tag.objects.create(name="Північна Корея").slug == "pivnichna-koreia"
