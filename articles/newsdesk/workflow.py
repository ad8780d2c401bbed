"""Who may move a story from one state to another, and who may edit it: the rules, in one place.

Reporters write drafts and submit them for review; editors (and superusers) do everything else. The admin form,
the admin actions and the tests all ask these functions, so a rule changed here holds on every path.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Story, audit

Status = Story.Status
PUBLISH_PERMISSION = "articles.publish_story"
REPORTER = "Reporter"
EDITOR = "Editor"

# (from, to) pairs each role may make. Saving without a change of state is a (state, state) pair.
TRANSITIONS = {
    REPORTER: {(Status.DRAFT, Status.DRAFT), (Status.DRAFT, Status.IN_REVIEW)},
    EDITOR: {(old, new) for old in Status for new in Status},
}

# The groups created by migration 0007 (0008 and 0011 added to the editors'): model permissions per group, of the
# app "articles" unless LOGIN_ATTEMPTS names them (django-axes' failed logins, which editors see and unlock).
STORY_PARTS = ["byline", "attribution", "relatedlink", "taggedstory"]
CATALOGUES = ["section", "author", "source", "tag"]
LOGIN_ATTEMPTS = ["view_accessattempt", "delete_accessattempt"]
GROUP_PERMISSIONS = {
    REPORTER: [f"{action}_story" for action in ("add", "change", "view")]
    + [f"{action}_{model}" for model in STORY_PARTS for action in ("add", "change", "delete", "view")]
    + [f"view_{model}" for model in CATALOGUES],
    EDITOR: ["publish_story"]
    + [
        f"{action}_{model}"
        for model in ["story", *STORY_PARTS, *CATALOGUES, "correction"]
        for action in ("add", "change", "delete", "view")
    ]
    + LOGIN_ATTEMPTS,
}


def role(user):
    return EDITOR if user.has_perm(PUBLISH_PERMISSION) else REPORTER


def is_editor(user):
    return role(user) == EDITOR


def can_edit(user, story):
    """Editors edit any story; a reporter only a new story or their own draft (once submitted, it is the editors')."""
    if is_editor(user) or story.pk is None:
        return True
    return story.created_by_id == user.pk and story.status == Status.DRAFT


def can_view(user, story):
    return is_editor(user) or story.created_by_id == user.pk


def can_link(user, story):
    """Whether `user` may pick `story` as a link's target or a translation's original, and read its headline there.

    A reporter may link to and translate the stories readers can see, and their own; a colleague's unpublished
    work stays out of their reach (linkable_stories() is the same rule as a queryset).
    """
    return is_editor(user) or story.created_by_id == user.pk or story.is_public()


def linkable_stories(user, stories=None):
    stories = Story.objects.all() if stories is None else stories
    if is_editor(user):
        return stories
    return stories.filter(Q(created_by=user) | Q(pk__in=Story.objects.published().values("pk")))


def unseen_story_label(pk):
    """What a user who may not see story `pk` is shown instead of its headline."""
    return gettext("%(kind)s #%(id)s (no access)") % {"kind": Story._meta.verbose_name, "id": pk}


def shown_name(user, obj):
    """How `obj` is named to `user`: its own name, except a story they may not see (can_link), named by number."""
    if isinstance(obj, Story) and not can_link(user, obj):
        return unseen_story_label(obj.pk)
    return str(obj)


def can_transition(user, story, new_status):
    """Whether `user` may save `story` (its status as stored) with `new_status`."""
    return can_edit(user, story) and (story.status, new_status) in TRANSITIONS[role(user)]


def allowed_statuses(user, story):
    """The statuses `user` may save `story` with: what the form offers them."""
    return {new for old, new in TRANSITIONS[role(user)] if old == story.status} if can_edit(user, story) else set()


def transition_message(old_status, story, now=None):
    """The audit line for a save that moved `story` out of `old_status`, or "" when nothing worth logging happened."""
    now = now or timezone.now()
    new_status = story.status
    if new_status == Status.IN_REVIEW and old_status != Status.IN_REVIEW:
        return audit.line(audit.SUBMITTED)
    if new_status == Status.WITHDRAWN and old_status != Status.WITHDRAWN:
        return audit.line(audit.WITHDRAWN, reason=story.withdrawn_reason)
    if new_status == Status.PUBLISHED and old_status != Status.PUBLISHED:
        if story.published_at and story.published_at > now:
            return audit.line(audit.SCHEDULED, time=f"{timezone.localtime(story.published_at):%Y-%m-%d %H:%M %Z}")
        return audit.line(audit.PUBLISHED)
    return ""
