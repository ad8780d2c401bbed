import pytest

from articles.text.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "Глава Служби зовнішньої розвідки РФ Наришкін провів три дні у Пхеньяні",
        "Київ",
        "Погода",
        "Новини дня",
        "Мер Одеси звільнений",
        "Дощі та грози",
        "Курс долара",
        "Ґанок",
        "Євробачення",
        "Рада ухвалила бюджет",
        "Уряд схвалив закон про бюджет",
        "Депутати розглянуть рішення",
    ],
)
def test_ukrainian(text):
    assert detect_language(text) == "uk"


@pytest.mark.parametrize(
    "text",
    [
        "Северная Корея отправила военную делегацию в Россию",
        "Путин подписал закон",
        "Военная делегация прибыла в Пхеньян",
        "Депутаты рассмотрят решение",
        "Съезд партии перенесли",
        "Это не так",
        "Всё",
    ],
)
def test_russian(text):
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", ["North Korea sent a military delegation to Russia", "Reuters", "UN"])
def test_english(text):
    assert detect_language(text) == "en"


def test_ukrainian_letters_outweigh_a_quoted_russian_word():
    assert detect_language("Він сказав «Всё» і пішов") == "uk"


@pytest.mark.parametrize("text", ["", "2024", "—"])
def test_text_without_letters_gets_the_default(text):
    assert detect_language(text) == "uk"
    assert detect_language(text, default="en") == "en"
