"""Find where a story's text names a registered source.

Ukrainian and Russian decline names ("Білий дім" → "Білого дому",
"Радіо Свобода" → "Радіо Свободи"), so each word of a name or alias becomes a
pattern that keeps the word's stem and accepts any case ending; in the last
syllable "і" may alternate with "о"/"е" (дім → дому, Львів → Львова).
"""

import re
from dataclasses import dataclass

CYRILLIC_LETTERS = "а-яіїєґёыэъА-ЯІЇЄҐЁЫЭЪ"
CYRILLIC_WORD = re.compile(rf"^[{CYRILLIC_LETTERS}'’ʼ-]+$")
ENDING = re.compile(r"(ого|ому|ими|ій|ий|ої|ою|ею|ям|ах|ях|ів|ам|[аяоеєиіїйуюьы])$", re.IGNORECASE)
CLOSED_SYLLABLE_I = re.compile(r"і([^аяоеєиіїюу]+)$", re.IGNORECASE)
CASE_ENDING = rf"[{CYRILLIC_LETTERS}]{{0,4}}"
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”]?\s+(?=[«\"“A-ZА-ЯІЇЄҐЁ0-9])")
MIN_STEM = 3


@dataclass(frozen=True)
class Mention:
    source: object
    start: int
    sentence: str


def word_pattern(word):
    if not CYRILLIC_WORD.match(word) or word.isupper():
        return re.escape(word)
    stem = ENDING.sub("", word)
    if len(stem) < MIN_STEM:
        stem = word
    match = CLOSED_SYLLABLE_I.search(stem) if stem == word else None
    if match:
        return re.escape(stem[: match.start()]) + "[іоея]" + re.escape(match.group(1)) + CASE_ENDING
    return re.escape(stem) + CASE_ENDING


def name_regex(name):
    """The pattern of one name, case-insensitive unless the name is an all-capitals abbreviation."""
    words = name.split()
    if not words:
        return None
    body = r"\s+".join(word_pattern(word) for word in words)
    return body if name.isupper() else f"(?i:{body})"


def name_pattern(name):
    regex = name_regex(name)
    return re.compile(rf"(?<!\w){regex}(?!\w)") if regex else None


def sentences(text):
    """Yield (start, end) offsets of each sentence in a paragraph."""
    start = 0
    for match in SENTENCE_END.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def sentence_at(text, offset):
    for start, end in sentences(text):
        if start <= offset < end or end == len(text):
            return text[start:end].strip()
    return text.strip()


def literal_prefix(name, length=4):
    """The first letters every form of the name starts with, lowercased: a cheap test before the regex."""
    word = name.split()[0]
    regex = word_pattern(word)
    prefix = ""
    for char in word:
        if not regex.startswith(re.escape(prefix + char)):
            break
        prefix += char
    return prefix[:length].lower() or word[:1].lower()


class MentionFinder:
    """Finds registered sources in text: looks for each name's first letters, then confirms with its pattern."""

    def __init__(self, sources):
        self.entries = [
            (literal_prefix(name), name_pattern(name), source)
            for source in sources
            for name in source.names()
            if name.split()
        ]

    def first_match(self, paragraph, lowered, prefix, pattern):
        if len(lowered) != len(paragraph):  # lowercasing changed offsets: search the slow way
            return pattern.search(paragraph)
        position = lowered.find(prefix)
        while position != -1:
            if match := pattern.match(paragraph, position):
                return match
            position = lowered.find(prefix, position + 1)
        return None

    def find(self, paragraphs):
        """One Mention per source found, in order of first mention."""
        first = {}
        offset = 0
        for paragraph in paragraphs:
            lowered = paragraph.lower()
            for prefix, pattern, source in self.entries:
                earlier = first.get(source.pk)
                if earlier is not None and earlier.start < offset:
                    continue  # already cited in an earlier paragraph
                if prefix not in lowered and len(lowered) == len(paragraph):
                    continue
                match = self.first_match(paragraph, lowered, prefix, pattern)
                if match and (earlier is None or offset + match.start() < earlier.start):
                    first[source.pk] = Mention(source, offset + match.start(), sentence_at(paragraph, match.start()))
            offset += len(paragraph) + 1
        return sorted(first.values(), key=lambda mention: mention.start)


def find_mentions(paragraphs, sources):
    return MentionFinder(sources).find(paragraphs)
