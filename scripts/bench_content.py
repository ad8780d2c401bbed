"""The content the benchmarks measure: a story like the seed, with its sources, tags and 30 stories sharing tags.

The real seed story when ../shared/seed is present, otherwise our own sample. Import it after django.setup().
"""

import io
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command

from articles.models import Source, Story

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "story-uk-naryshkin-pyongyang.txt"
SAMPLE = ROOT / "tests" / "fixtures" / "stories" / "bridge-uk.txt"
SOURCES = [
    "ЦТАК",
    "Служба зовнішньої розвідки РФ\nСЗР",
    "Радіо Свобода",
    "Financial Times",
    "RUSI",
    "Білий дім",
    "Укрінформ",
    "Укравтодор",
    "Суспільне",
]


def build_content():
    """The imported story and the file it came from."""
    for entry in SOURCES:
        name, *aliases = entry.split("\n")
        Source.objects.create(name=name, aliases="\n".join(aliases))
    story_file = SEED if SEED.exists() else SAMPLE
    call_command(
        "import_stories",
        str(story_file),
        published_at="2024-03-28T12:00+02:00",
        tags="КНДР,Росія,Санкції,Розвідка",
        stdout=io.StringIO(),
    )
    story = Story.objects.get()
    for number in range(30):
        other = Story.objects.create(
            headline=f"Супутня новина {number}",
            lead="Лід.",
            body="<p>Текст.</p>",
            status="published",
            published_at=story.published_at - timedelta(days=number + 1),
        )
        other.tags.add("КНДР" if number % 2 else "Росія")
    return story, story_file
