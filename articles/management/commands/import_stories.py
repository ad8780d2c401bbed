from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.importers import BadInput, StoryWriter
from articles.importers import text as text_format
from articles.importers.inputs import expand
from articles.importers.progress import Progress
from articles.models import Language, Section, Story


class Command(BaseCommand):
    help = "Import stories from plain-text files (see README: Importing stories). Writes all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for standard input")
        parser.add_argument("--status", choices=[Story.Status.PUBLISHED, Story.Status.DRAFT],
                            help="status for imported stories (new stories default to published)")
        parser.add_argument("--published-at", metavar="ISO-8601",
                            help="publication time, e.g. 2024-03-28T12:00+02:00")
        parser.add_argument("--tags", metavar="A,B", help="comma-separated tag names")
        parser.add_argument("--section", metavar="SLUG", help="slug of an existing section")
        parser.add_argument("--language", choices=[*Language.values, "auto"], default="auto",
                            help="story language; auto detects it from the text")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")

    @staticmethod
    def parse_datetime(value):
        if value is None or isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--published-at: {value!r} is not an ISO-8601 date and time") from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)

    @staticmethod
    def parse_tags(value):
        if value is None:
            return None
        names = value.split(",") if isinstance(value, str) else value
        return [name.strip() for name in names if name.strip()]

    def handle(self, *args, **options):
        # call_command() passes keyword options through unparsed, so parse them here.
        options["published_at"] = self.parse_datetime(options["published_at"])
        options["tags"] = self.parse_tags(options["tags"])
        if options["section"] and not Section.objects.filter(slug=options["section"]).exists():
            known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"--section: unknown section {options['section']!r} (known: {known})")
        try:
            records = [self.apply_options(self.parse(payload), options) for payload in expand(options["paths"])]
        except BadInput as error:
            raise CommandError(str(error)) from None
        report = self.write(records, options)
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}"))

    def parse(self, payload):
        return text_format.parse(payload.data, payload.name, payload.external_id, settings.LANGUAGE_CODE[:2])

    @staticmethod
    def apply_options(record, options):
        if options["language"] != "auto":
            record.language = options["language"]
        record.status = options["status"] or record.status
        record.published_at = options["published_at"] or record.published_at
        if options["tags"] is not None:
            record.tags = options["tags"]
        record.section = options["section"] or record.section
        return record

    def write(self, records, options):
        progress = Progress(len(records), self.stderr._out)
        verbose = options["verbosity"] >= 2 or options["dry_run"]

        def on_item(record, action):
            progress.step()
            if verbose:
                self.stdout.write(f"{action:8} {record.location}  {record.headline}")

        with transaction.atomic():
            report = StoryWriter(default_language=settings.LANGUAGE_CODE[:2]).write(records, on_item)
            if options["dry_run"]:
                transaction.set_rollback(True)
        return report
