"""The plain-text story format.

Headline
Lead paragraph
Body paragraph, one per line (blank lines are ignored)
Читайте також: Title of a related story      <- inline link after the paragraph above
Ще на цю тему                                 <- starts the related block
- 13.11.2024 Title of a related story
"""

import re
from datetime import date

from articles.models import RelatedLink
from articles.text.html import paragraphs_to_html
from articles.text.language import detect_language
from articles.text.slugs import ascii_slug
from articles.transfer.importers.records import BadInput, LinkRecord, StoryRecord

READ_ALSO = re.compile(r"^(?:Читайте також|Читайте также|Read also)\s*[:—–-]\s*(?P<title>.*)$", re.IGNORECASE)
MORE_ON_TOPIC = re.compile(r"^(?:Ще на цю тему|Еще по теме|Ещё по теме|More on this topic)\s*:?\s*$", re.IGNORECASE)
RELATED_ITEM = re.compile(r"^[-–—•]\s*(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\s+(?P<title>\S.*)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_HEADLINE = 300
MAX_FILE_BYTES = 20 * 1024 * 1024


def decode(data, name):
    if not data.strip():
        raise BadInput(name, "the file is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise BadInput(f"{name}:{line}", "binary data (NUL byte); expected a UTF-8 text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BadInput(f"{name}:{line}", f"not valid UTF-8 (byte 0x{data[error.start]:02x})") from None
    control = CONTROL.search(text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise BadInput(f"{name}:{line}", f"binary data (control character U+{ord(control.group()):04X})")
    return text


def numbered_lines(text):
    for number, line in enumerate(text.splitlines(), 1):
        line = " ".join(line.split())
        if line:
            yield number, line


def parse_related_item(line, location):
    match = RELATED_ITEM.match(line)
    if not match:
        raise BadInput(location, f"malformed related link {line!r}: expected '- DD.MM.YYYY Title'")
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise BadInput(location, f"invalid date in related link {line!r}") from None
    title = match["title"].strip()
    return LinkRecord(kind=RelatedLink.Kind.MORE, title=title, date=day, language=detect_language(title))


def parse_body(lines, name):
    """Body paragraphs and related links from the lines after the lead."""
    paragraphs, links, in_related = [], [], False
    for number, line in lines:
        location = f"{name}:{number}"
        if in_related:
            links.append(parse_related_item(line, location))
        elif MORE_ON_TOPIC.match(line):
            in_related = True
        elif read_also := READ_ALSO.match(line):
            title = read_also["title"].strip()
            if not title:
                raise BadInput(location, "'read also' line has no title")
            links.append(
                LinkRecord(
                    kind=RelatedLink.Kind.READ_ALSO,
                    title=title,
                    paragraph=len(paragraphs),
                    language=detect_language(title),
                )
            )
        else:
            paragraphs.append(line)
    return paragraphs, links


def parse(payload, options):
    if payload.path and payload.path.stat().st_size > MAX_FILE_BYTES:
        raise BadInput(payload.name, f"a story file of {payload.path.stat().st_size} bytes; at most {MAX_FILE_BYTES}")
    yield parse_story(payload.data, payload.name, payload.external_id, options.default_language)


def parse_story(data, name, external_id, default_language="uk"):
    """Turn one text file into a StoryRecord; `name` is used in error locations."""
    lines = list(numbered_lines(decode(data, name)))
    headline_line, headline = lines[0]
    if len(headline) > MAX_HEADLINE:
        raise BadInput(f"{name}:{headline_line}", f"headline is {len(headline)} characters; at most {MAX_HEADLINE}")
    if len(lines) < 2 or MORE_ON_TOPIC.match(lines[1][1]) or READ_ALSO.match(lines[1][1]):
        raise BadInput(f"{name}:{headline_line + 1}", "missing lead: the line after the headline must be the lead")
    lead = lines[1][1]
    paragraphs, links = parse_body(lines[2:], name)
    text = " ".join([headline, lead, *paragraphs])
    return StoryRecord(
        origin="text",
        external_id=external_id or ascii_slug(headline, language=detect_language(headline)),
        headline=headline,
        location=name,
        lead=lead,
        body=paragraphs_to_html(paragraphs),
        language=detect_language(text, default=default_language),
        links=links,
    )
