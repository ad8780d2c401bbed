"""Who else has a story's change form open: one EditingSession row per (story, user), refreshed by a heartbeat.

A row not refreshed within PRESENCE_SECONDS belongs to a closed tab or a lost connection: it is ignored, and
deleted the next time anyone's presence is recorded, so the table stays as small as the number of open forms.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import ngettext

from articles.models.editorial import EditingSession

PRESENCE_SECONDS = 90
HEARTBEAT_SECONDS = 30


def display_name(user):
    return user.get_full_name() or user.get_username()


def record_presence(story, user, now=None):
    """Mark `user` as having `story` open now, forget everyone gone quiet, and return the others, first come first."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=PRESENCE_SECONDS)
    EditingSession.objects.filter(seen_at__lt=cutoff).delete()
    EditingSession.objects.bulk_create(
        [EditingSession(story=story, user=user, seen_at=now)],
        update_conflicts=True,
        unique_fields=["story", "user"],
        update_fields=["seen_at"],
    )
    return others_editing(story, user, now)


def others_editing(story, user, now=None):
    cutoff = (now or timezone.now()) - timedelta(seconds=PRESENCE_SECONDS)
    sessions = EditingSession.objects.filter(story=story, seen_at__gte=cutoff).exclude(user=user)
    return [session.user for session in sessions.select_related("user").order_by("seen_at", "pk")]


def editors_of(story_ids, now=None):
    """{story id: names of everyone with its form open}, for a page of stories, in one query."""
    cutoff = (now or timezone.now()) - timedelta(seconds=PRESENCE_SECONDS)
    sessions = EditingSession.objects.filter(story_id__in=story_ids, seen_at__gte=cutoff).select_related("user")
    names = {}
    for session in sessions.order_by("seen_at", "pk"):
        names.setdefault(session.story_id, []).append(display_name(session.user))
    return names


def end_presence(story, user):
    EditingSession.objects.filter(story=story, user=user).delete()


def presence_notice(users):
    """ "Олена Петренко is also editing this story", or "" when nobody else is."""
    if not users:
        return ""
    names = ", ".join(display_name(user) for user in users)
    message = ngettext("%(names)s is also editing this story.", "%(names)s are also editing this story.", len(users))
    return message % {"names": names}
