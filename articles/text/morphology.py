"""Search keys for Ukrainian, Russian and English words, the same at index and at query time.

PostgreSQL has no Ukrainian dictionary, so words are normalised here, in Python, with
pymorphy3 and its Ukrainian and Russian OpenCorpora-style dictionaries: "у Пхеньяні" and
"Пхеньян" both become the key "пхеньян", "розвідки" becomes "розвідка". A word can have
several lemmas ("Києві" is a form of "Київ" and of "кий"); it gets all of them, and a
query word matches a story when the two share any key, so ambiguity costs a little
precision rather than a missed story.

Names are where dictionaries run out. An unknown word, and any word the dictionary knows
as a name, surname or place, also gets a crude stem: the word without its case ending
("Квітчинського" and "Квітчинський" → "квітчинськ"), so a name matches its other forms
whether or not either is in the dictionary.

Function words (prepositions, conjunctions, particles) and one-letter words get no key:
"у Пхеньяні" and "в Пхеньяні" are the same search.
"""

import re
import unicodedata
from functools import cache

import pymorphy3

WORD = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*")
# A looser, faster pass for long texts; each token is split into WORDs once, when it is first seen.
TOKEN = re.compile(r"[\w'’ʼ`]+")
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
STRESS = "\u0301"
UKRAINIAN_ONLY = frozenset("іїєґ")
RUSSIAN_ONLY = frozenset("ыэъё")
CYRILLIC = re.compile(r"[а-яёіїєґ]")
FUNCTION_WORDS = frozenset({"PREP", "CONJ", "PRCL", "INTJ"})
NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# Case endings of Ukrainian and Russian nouns and adjectives, longest first; not -ов/-ев/-ів/-ін, which
# end surnames (Буданов, Наришкін) more often than plurals.
ENDING = re.compile(
    r"(?:ого|его|ому|ему|ими|ыми|ами|ями|ові|еві|єві|ій|ий|ый|ої|ою|ею|єю|ой|ей|ая|яя|ое|ее|ые|ие|ую|юю"
    r"|ям|ах|ях|ам|ом|ем|им|их|ых|[аяоеєиіїйуюьы])$"
)
MIN_STEM = 3
MAX_WORD = 40
MAX_CACHED_WORDS = 300_000


@cache
def analyzer(lang):
    return pymorphy3.MorphAnalyzer(lang=lang)


def stem(word):
    bare = ENDING.sub("", word)
    return bare if len(bare) >= MIN_STEM else word


def compute_keys(word):
    """The space-separated keys of one lowercased word ("" for a word that is not searched)."""
    if len(word) < 2 or len(word) > MAX_WORD:
        return ""
    if not CYRILLIC.search(word):
        return word.replace("'", "")
    letters = set(word)
    langs = ["uk"] if letters & UKRAINIAN_ONLY else ["ru"] if letters & RUSSIAN_ONLY else ["uk", "ru"]
    known = [analyzer(lang) for lang in langs if analyzer(lang).word_is_known(word)]
    keys, named = set(), not known
    if known:
        parses = [morph.parse(word) for morph in known]
        if any(p[0].tag.POS in FUNCTION_WORDS for p in parses):
            return ""
        for parse in (p for ps in parses for p in ps):
            keys.add(parse.normal_form)
            named = named or bool(parse.tag.grammemes & NAME_GRAMMEMES)
    else:
        # An unknown word: the analysers' best guess for each language, then the stem.
        keys.update(analyzer(lang).parse(word)[0].normal_form for lang in langs)
    if named:
        keys.add(stem(word))
    return " ".join(sorted({key.replace("'", "").replace("ё", "е") for key in keys}))


class KeyCache(dict):
    """token → the keys of its words, computed once: texts repeat the same few thousand words."""

    def __missing__(self, token):
        if len(self) >= MAX_CACHED_WORDS:
            self.clear()
        pieces = (compute_keys(word) for word in WORD.findall(token.translate(APOSTROPHES)))
        keys = self[token] = " ".join(filter(None, pieces))
        return keys


KEYS = KeyCache()


def prepared(text):
    """NFC, lowercase, no stress marks. Whole-text operations only: an import runs this over megabytes."""
    text = unicodedata.normalize("NFC", text).lower()
    return text.replace(STRESS, "") if STRESS in text else text


def word_keys(word):
    return KEYS[prepared(word)]


def normalise(text):
    """The keys of every word of the text, in order, space-separated (one word may give several)."""
    return " ".join(filter(None, map(KEYS.__getitem__, TOKEN.findall(prepared(text)))))


def query_terms(text, max_terms):
    """The distinct searchable words of a query, each as the frozenset of its keys, at most max_terms."""
    terms = []
    for word in WORD.findall(prepared(text)):
        keys = KEYS[word]
        term = frozenset(keys.split())
        if term and term not in terms:
            terms.append(term)
            if len(terms) == max_terms:
                break
    return terms
