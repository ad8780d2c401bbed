from django.core.management.base import BaseCommand, CommandError

from articles.models import Story
from articles.transfer.importers.progress import Progress
from articles.writing.renditions import RENDITION_ERRORS, make_renditions, renditions_current

SHOWN_FAILURES = 20


class Command(BaseCommand):
    help = (
        "Make the resized WebP and JPEG/PNG copies of every uploaded hero image that lacks them. "
        "Safe to run again: images whose renditions exist are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="make every rendition again, replacing the files")

    def handle(self, *args, **options):
        # No surrounding transaction: each story's record is saved as soon as its files are written,
        # so an interrupted run keeps what it made.
        stories = Story.objects.exclude(hero_image="").only("pk", "slug", "hero_image", "hero_image_renditions")
        counts = {"created": 0, "skipped": 0, "failed": 0}
        failures = []
        progress = Progress(self.stderr._out)
        for story in stories.order_by("pk").iterator(chunk_size=200):
            outcome = self.process(story, options["force"], failures)
            counts[outcome] += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"{outcome} {story.hero_image.name}")
            progress.step()
        progress.close()
        for failure in failures[:SHOWN_FAILURES]:
            self.stderr.write(f"failed {failure}")
        summary = ", ".join(f"{what} {count}" for what, count in counts.items())
        if counts["failed"]:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(f"{counts['failed']} hero images could not be processed; their pages show the original")
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def process(story, force, failures):
        if renditions_current(story) and not force:
            return "skipped"
        try:
            make_renditions(story, force=force)
        except RENDITION_ERRORS as error:
            failures.append(f"story {story.pk} ({story.hero_image.name}): {error}")
            return "failed"
        return "created"
