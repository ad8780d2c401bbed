"""Tell Ukrainian, Russian and English text apart by their alphabets."""

import re

UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")

# Ukrainian prose has "і" in almost every sentence; a Cyrillic line this long
# without any Ukrainian-only letter is Russian even when it has no ы/э/ъ/ё.
MIN_CYRILLIC_FOR_ABSENCE_RULE = 12


def detect_language(text, default="uk"):
    uk = sum(1 for char in text if char in UKRAINIAN_ONLY)
    ru = sum(1 for char in text if char in RUSSIAN_ONLY)
    if uk or ru:
        return "uk" if uk >= ru else "ru"
    cyrillic = len(CYRILLIC.findall(text))
    if cyrillic >= MIN_CYRILLIC_FOR_ABSENCE_RULE:
        return "ru"
    if cyrillic:
        return default
    if LATIN.search(text):
        return "en"
    return default
