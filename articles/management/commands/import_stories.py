import hashlib
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Language, Section, Story
from articles.transfer.importers import formats
from articles.transfer.importers.bulk import fewer_collections
from articles.transfer.importers.inputs import expand
from articles.transfer.importers.progress import Progress
from articles.transfer.importers.records import BadInput, BadItem, Deferred, StoryRecord
from articles.transfer.importers.validation import problems_with
from articles.transfer.importers.writer import FAILED, StoryWriter

BATCH = 1000
SHOWN_PROBLEMS = 20
# Exit statuses with --continue-on-error (1, CommandError's default, is a run that stopped at the first problem).
SOME_ITEMS_FAILED = 2
EVERY_ITEM_FAILED = 3


class Command(BaseCommand):
    help = (
        "Import stories from plain text, RSS/Atom, WordPress exports (WXR), IPTC ninjs or Newsroom JSON. "
        "Writes all or nothing unless --continue-on-error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="files, directories, - for standard input, or http(s) URLs"
        )
        parser.add_argument("--format", choices=formats.NAMES, default="auto", help="input format (default: detect)")
        parser.add_argument(
            "--status",
            choices=[Story.Status.PUBLISHED, Story.Status.DRAFT],
            help="status for imported stories (default: what the input says, else published)",
        )
        parser.add_argument("--published-at", metavar="ISO-8601", help="publication time, e.g. 2024-03-28T12:00+02:00")
        parser.add_argument("--tags", metavar="A,B", help="comma-separated tag names")
        parser.add_argument("--section", metavar="SLUG", help="slug of an existing section")
        parser.add_argument(
            "--language",
            choices=[*Language.values, "auto"],
            default="auto",
            help="story language; auto takes it from the input or detects it",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
        parser.add_argument(
            "--continue-on-error",
            action="store_true",
            help="skip bad items (listed at the end) and keep the good ones; "
            "exits 2 if some items failed, 3 if all did",
        )

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
        report = self.run(options)
        for problem in report.failures[:SHOWN_PROBLEMS]:
            self.stderr.write(f"skipped {problem}")
        prefix = "Dry run, nothing written: " if options["dry_run"] else ""
        failed = report.counts[FAILED]
        style = self.style.WARNING if failed else self.style.SUCCESS
        self.stdout.write(style(f"{prefix}{report.summary()}{self.encodings()}"))
        # Only reached with --continue-on-error: a run from cron must not look fine when items were skipped.
        if failed and failed == sum(report.counts.values()):
            raise CommandError(f"nothing imported: all {failed} items failed", returncode=EVERY_ITEM_FAILED)
        if failed:
            raise CommandError(
                f"{failed} items failed and were skipped (listed above); the others were imported",
                returncode=SOME_ITEMS_FAILED,
            )

    def run(self, options):
        payloads = self.inputs = self.payloads(options)
        with fewer_collections(), transaction.atomic():
            writer = StoryWriter(default_language=settings.LANGUAGE_CODE[:2])
            writer.on_problem = lambda problem: self.fail(writer.report, problem, options)
            progress = Progress(self.stderr._out, total_bytes=sum(payload.size for payload in payloads))
            on_item = self.item_callback(options, progress)
            batch = []
            for payload in payloads:
                progress.start(payload)
                for record in self.records(payload, options, writer.report):
                    batch.append(record)
                    if len(batch) >= BATCH:
                        writer.write(batch, on_item)
                        batch = []
            writer.write(batch, on_item)
            report = writer.finish()
            progress.close()
            if options["dry_run"]:
                transaction.set_rollback(True)
        return report

    def encodings(self):
        """How text inputs were decoded, when it was not simply UTF-8: "; encoding: windows-1251 (detected)"."""
        decoded = [p for p in self.inputs if p.encoding and not p.encoding.startswith("utf-8 ")]
        if len(decoded) == 1 and len(self.inputs) == 1:
            return f"; encoding: {decoded[0].encoding}"
        return "".join(f"; {p.name} encoding: {p.encoding}" for p in decoded)

    def payloads(self, options):
        """Every input, read or fetched up front so a missing file or failed download stops the run early."""
        found = []
        for argument in options["paths"]:
            try:
                found += list(expand([argument]))
            except BadInput as error:
                raise CommandError(str(error)) from None
        return found

    def records(self, payload, options, report):
        """Items ready to write; with --continue-on-error, problems go to the report instead."""
        items, problems = 0, []
        try:
            for item in formats.parse(payload, options["format"], settings.LANGUAGE_CODE[:2]):
                items += 1
                if isinstance(item, Deferred):
                    yield self.deferred(item, options)
                    continue
                ready = self.ready(item, options)
                if isinstance(ready, StoryRecord):
                    yield ready
                    continue
                problems.append(ready[0])
                for problem in ready:
                    self.fail(report, problem, options)
        except BadInput as error:
            if len(self.inputs) == 1:
                # Without --continue-on-error any bad input is exit status 1; with it, nothing imported is 3.
                status = EVERY_ITEM_FAILED if options["continue_on_error"] else 1
                raise CommandError(str(error), returncode=status) from None
            self.fail(report, BadItem(error.location, error.message), options)
        # Even with --continue-on-error, a feed or export none of whose items could be imported is a wrong
        # input, not a quiet "created 0"; one bad story file among many is what the option is for.
        if items and len(problems) == items and (items > 1 or len(self.inputs) == 1):
            failed = f"all {items} items failed" if items > 1 else "its only item failed"
            raise CommandError(
                f"{payload.name}: nothing imported: {failed}: {problems[0]}", returncode=EVERY_ITEM_FAILED
            )

    def deferred(self, item, options):
        """The item with the options folded into its fingerprint and applied when it is built."""
        chosen = [options[name] for name in ("language", "status", "published_at", "tags", "section")]
        fingerprint = hashlib.sha256(repr((item.fingerprint, chosen)).encode()).hexdigest()
        return Deferred(item.key, item.location, fingerprint, lambda: self.ready(item.build(), options), item.headline)

    def ready(self, item, options):
        """The record with the options applied, or the list of its problems."""
        if isinstance(item, BadItem | list):
            return item if isinstance(item, list) else [item]
        record = self.apply_options(item, options)
        return problems_with(record) or record

    @staticmethod
    def fail(report, problem, options):
        report.fail(problem)
        if not options["continue_on_error"]:
            raise CommandError(str(problem))

    def item_callback(self, options, progress):
        verbose = options["verbosity"] >= 2 or options["dry_run"]

        def on_item(record, action):
            progress.step()
            if verbose:
                self.stdout.write(f"{action:8} {record.location}  {record.headline}")

        return on_item

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
