"""The ways a story can be unpublished, for tests that check each public surface hides it.

`when` is the publication time the tests' `publish` fixtures pass on; the rest are Story fields.
"""

from datetime import timedelta

from django.utils import timezone

from articles.models import Story

HIDDEN_STATES = {
    "draft": {"status": Story.Status.DRAFT},
    "in_review": {"status": Story.Status.IN_REVIEW},
    "withdrawn": {"status": Story.Status.WITHDRAWN},
    "scheduled": {"when": timezone.now() + timedelta(days=2)},
    "embargoed": {"embargo_until": timezone.now() + timedelta(days=2)},
}
