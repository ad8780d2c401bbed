import importlib
import os
import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.models import Story

EXPORTERS = {"json": "articles.transfer.exporters.native", "ninjs": "articles.transfer.exporters.ninjs"}
STATUSES = ["published", "all", "scheduled", *[s for s in Story.Status.values if s != "published"]]
CHUNK = 500


class Command(BaseCommand):
    help = (
        "Export stories as Newsroom JSON (lossless; imports back exactly) or IPTC ninjs 2.x, streamed. "
        "By default only what readers can see (--status published)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=list(EXPORTERS), default="json")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="only stories changed on or after this day")
        parser.add_argument("--tag", metavar="SLUG", action="append", help="only stories with this tag (repeatable)")
        parser.add_argument(
            "--status",
            choices=STATUSES,
            default="published",
            help="published = public now (default); all = every story, drafts included",
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            metavar="URL",
            help="the site's address, e.g. https://news.example.org, so ninjs can carry absolute "
            "links to stories and uploaded images (default: SITE_URL)",
        )

    def handle(self, *args, **options):
        stories = CountingIterator(self.select(options).for_export().in_export_order().iterator(chunk_size=CHUNK))
        exporter = importlib.import_module(EXPORTERS[options["format"]])
        chunks = (
            exporter.serialize(stories, base_url=options["base_url"])
            if options["format"] == "ninjs"
            else (exporter.serialize(stories))
        )
        if options["output"]:
            self.write_file(Path(options["output"]), chunks)
        else:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
        target = options["output"] or "standard output"
        self.stderr.write(f"exported {stories.count} stories as {options['format']} to {target}")

    def select(self, options):
        status = options["status"]
        if status == "published":
            stories = Story.objects.published()
        elif status == "scheduled":
            stories = Story.objects.scheduled()
        elif status == "all":
            stories = Story.objects.all()
        else:
            stories = Story.objects.filter(status=status)
        if options["since"]:
            stories = stories.filter(updated_at__gte=self.day_start(options["since"]))
        for slug in options["tag"] or ():
            stories = stories.filter(tags__slug=slug)
        return stories.distinct() if options["tag"] else stories

    @staticmethod
    def day_start(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD)") from None
        return timezone.make_aware(timezone.datetime(day.year, day.month, day.day))

    @staticmethod
    def write_file(path, chunks):
        """Write next to the target and rename, so a failed export never leaves half a file."""
        handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.writelines(chunks)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class CountingIterator:
    def __init__(self, items):
        self.items, self.count = items, 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item
