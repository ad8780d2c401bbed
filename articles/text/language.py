"""Tell Ukrainian, Russian and English text apart.

The alphabets decide first: і ї є ґ are Ukrainian only, ы э ъ ё Russian only.
Text with neither ("Северная Корея отправила…", "Рада ухвалила бюджет") is
weighed by words and endings that only one of the two languages uses.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    UKRAINIAN = "uk", _("Ukrainian")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


UKRAINIAN_LETTERS = set("іїєґІЇЄҐ")
RUSSIAN_LETTERS = set("ыэъёЫЭЪЁ")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
APOSTROPHES = set("'’ʼ")  # Ukrainian writes м'ясо, п'ять; Russian uses ъ there
WORD = re.compile(r"[\u0400-\u04ff'’ʼ]+")

UKRAINIAN_WORDS = {"та", "що", "це", "як", "й", "з", "із", "зі", "або", "але", "щоб", "був", "була", "були", "ще"}
RUSSIAN_WORDS = {
    "и",
    "что",
    "это",
    "как",
    "он",
    "она",
    "они",
    "для",
    "от",
    "со",
    "с",
    "из",
    "его",
    "все",
    "был",
    "была",
    "были",
    "также",
    "еще",
    "или",
    "но",
    "чтобы",
    "при",
    "над",
}
# Russian adjective and noun endings, and the past tense in -л (Ukrainian has -в: підписав, провів).
RUSSIAN_ENDING = re.compile(r"(ая|яя|ую|юю|ое|ее|ие|ия|ию|ье|ья|[аеоуя]л)$")
UKRAINIAN_ENDING = re.compile(r"(ння|ття|[ая]в)$")
# Ukrainian prose has "і" in almost every sentence: this much Cyrillic without it is Russian.
MIN_CYRILLIC_WITHOUT_I = 40


def word_scores(text):
    uk = ru = 0
    for word in WORD.findall(text.lower()):
        if APOSTROPHES & set(word) or word in UKRAINIAN_WORDS:
            uk += 1
        elif word in RUSSIAN_WORDS:
            ru += 1
        elif len(word) > 3:
            uk += bool(UKRAINIAN_ENDING.search(word))
            ru += bool(RUSSIAN_ENDING.search(word))
    return uk, ru


def detect_language(text, default="uk"):
    uk = sum(1 for char in text if char in UKRAINIAN_LETTERS)
    ru = sum(1 for char in text if char in RUSSIAN_LETTERS)
    if uk or ru:
        return "uk" if uk >= ru else "ru"
    cyrillic = len(CYRILLIC.findall(text))
    if not cyrillic:
        return "en" if LATIN.search(text) else default
    uk, ru = word_scores(text)
    if uk != ru:
        return "uk" if uk > ru else "ru"
    if cyrillic >= MIN_CYRILLIC_WITHOUT_I:
        return "ru"
    return default
