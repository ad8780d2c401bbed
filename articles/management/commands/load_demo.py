import json
from collections import Counter
from io import BytesIO, StringIO
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image

from articles.models import Author, Byline, Section, Source, Story
from articles.transfer.importers.validation import bad_url
from articles.writing.renditions import make_renditions, renditions_current

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
HERO_SIZE = (1200, 675)


def gradient_png(top, bottom, size=HERO_SIZE):
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def read_json(name):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


class Command(BaseCommand):
    help = (
        "Load the demo sections, authors, sources and stories from articles/demo/. "
        "Safe to run again: what is already there is left alone."
    )

    def handle(self, *args, **options):
        catalogue, manifest = read_json("sources.json"), read_json("stories.json")
        importer_out = self.stdout if options["verbosity"] >= 2 else StringIO()
        with transaction.atomic():
            counts = self.ensure_catalogue(catalogue)
            before = self.story_versions()
            stories = [self.import_story(entry, importer_out, options["verbosity"]) for entry in manifest]
            after = self.story_versions()
            counts["new stories"] = len(after.keys() - before.keys())
            counts["updated stories"] = sum(1 for pk, version in before.items() if after.get(pk, version) != version)
            for story, entry in zip(stories, manifest, strict=True):
                counts["new bylines"] += self.ensure_bylines(story, entry["authors"])
                counts["new hero images"] += self.ensure_hero_image(story, entry.get("hero_image"))
        counts["images resized"] = self.ensure_renditions(stories)
        self.report(counts)

    def ensure_catalogue(self, catalogue):
        counts = Counter()
        for position, item in enumerate(catalogue["sections"]):
            defaults = {"name": item["name"], "description": item.get("description", ""), "position": position}
            counts["new sections"] += Section.objects.get_or_create(slug=item["slug"], defaults=defaults)[1]
        for item in catalogue["authors"]:
            defaults = {"name": item["name"], "bio": item.get("bio", "")}
            counts["new authors"] += Author.objects.get_or_create(slug=item["slug"], defaults=defaults)[1]
        for number, item in enumerate(catalogue["sources"], 1):
            if bad_url(item["homepage"]):
                raise CommandError(
                    f"sources.json: source {number} ({item['name']}): homepage {item['homepage'][:80]!r} "
                    "is not a valid http(s) URL"
                )
            defaults = {"aliases": "\n".join(item["aliases"]), "homepage": item["homepage"], "kind": item["kind"]}
            counts["new sources"] += Source.objects.get_or_create(name=item["name"], defaults=defaults)[1]
        return counts

    @staticmethod
    def story_versions():
        return dict(Story.objects.values_list("pk", "updated_at"))

    def import_story(self, entry, out, verbosity):
        path = DEMO_DIR / "stories" / entry["file"]
        call_command(
            "import_stories",
            str(path),
            status=entry["status"],
            published_at=entry["published_at"],
            tags=",".join(entry["tags"]),
            section=entry["section"],
            language="auto",
            stdout=out,
            verbosity=verbosity,
        )
        # By its import key, not its text: editors may have changed the headline or time since (their edits stay).
        story = Story.objects.filter(origin="text", external_id=path.name).first()
        if story is None:
            raise CommandError(f"{path.name}: the importer did not create a story from this file")
        return story

    @staticmethod
    def ensure_bylines(story, author_slugs):
        created = 0
        for position, slug in enumerate(author_slugs):
            author = Author.objects.get(slug=slug)
            created += Byline.objects.get_or_create(story=story, author=author, defaults={"position": position})[1]
        return created

    @staticmethod
    def ensure_hero_image(story, hero):
        if not hero or story.hero_image:
            return 0
        story.hero_image.save(f"{story.slug[:60]}.png", ContentFile(gradient_png(*hero["colors"])), save=False)
        story.hero_image_alt = hero["alt"]
        story.hero_image_caption = hero["caption"]
        story.hero_image_credit = hero["credit"]
        story.save(update_fields=["hero_image", "hero_image_alt", "hero_image_caption", "hero_image_credit"])
        return 1

    @staticmethod
    def ensure_renditions(stories):
        # After the commit, as in the admin; also gives renditions to a demo loaded before they existed.
        missing = [story for story in stories if story.hero_image and not renditions_current(story)]
        for story in missing:
            make_renditions(story)
        return len(missing)

    def report(self, counts):
        changes = {what: count for what, count in counts.items() if count}
        if not changes:
            self.stdout.write("Demo content is already loaded; nothing changed.")
            return
        summary = ", ".join(f"{count} {what}" for what, count in changes.items())
        self.stdout.write(self.style.SUCCESS(f"Demo content loaded: {summary}."))
