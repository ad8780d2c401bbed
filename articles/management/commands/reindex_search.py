import time

from django.core.management.base import BaseCommand

from articles.models import Story
from articles.models.search import reindex_stories
from articles.site.caching import public_site_changed

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rebuild the search document of every story: after upgrading the normaliser or its dictionaries, "
        "or after rows were written by SQL. Each batch of 500 commits on its own, so it can be stopped and rerun."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        total = Story.objects.count()
        # Progress on a terminal, or every batch with -v 2; silent in logs otherwise.
        show = verbosity >= 2 or (verbosity >= 1 and self.stderr.isatty())
        started, done = time.monotonic(), 0
        for done in reindex_stories(Story.objects.all(), batch_size=BATCH):
            if show:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stderr.write(f"{done}/{total} stories ({done / max(total, done):.0%}), {rate:.0f}/s")
        elapsed = time.monotonic() - started
        # bulk_update sends no signals; search pages cached from the old documents must go.
        public_site_changed()
        if verbosity:
            noun = "story" if done == 1 else "stories"
            self.stdout.write(self.style.SUCCESS(f"Reindexed {done} {noun} in {elapsed:.1f} s."))
