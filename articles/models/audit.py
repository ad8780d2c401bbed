"""The newsroom's audit lines: stored in English like Django's own log, read in the editor's language.

Django keeps its add/change/delete lines as structured messages and translates them when shown. The newsroom's
own lines (publishing, scheduling, restoring, merging…) are plain text, written here from one table of
templates; `translated()` recognises a stored line by its template and shows it translated, values kept.
"""

import re
from functools import cache

from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

SUBMITTED = gettext_noop("Submitted for review.")
PUBLISHED = gettext_noop("Published.")
SCHEDULED = gettext_noop("Scheduled for %(time)s.")
WITHDRAWN = gettext_noop("Withdrawn. Reason: %(reason)s")
UNPUBLISHED = gettext_noop("Unpublished: back to draft.")
SHARED = gettext_noop("Shared a preview link, valid until %(time)s.")
REVOKED = gettext_noop("Revoked the preview link shared on %(time)s.")
RESTORED = gettext_noop("Restored revision %(number)s of %(date)s.")
RESTORED_REVISION = gettext_noop("Restored the revision of %(date)s by %(user)s.")
MERGED_TAGS = gettext_noop("Merged tags %(names)s into %(target)s.")
ATTRIBUTED = gettext_noop("Attributed to %(source)s (suggested).")
RELATED = gettext_noop("Added related story “%(title)s” (suggested).")
BASELINE = gettext_noop(
    "The story as stored before its first change here (imported, or saved before revisions were kept)."
)
IMPORTED = gettext_noop("Updated by an import.")

TEMPLATES = [
    SUBMITTED,
    PUBLISHED,
    SCHEDULED,
    WITHDRAWN,
    UNPUBLISHED,
    SHARED,
    REVOKED,
    RESTORED,
    RESTORED_REVISION,
    MERGED_TAGS,
    ATTRIBUTED,
    RELATED,
    BASELINE,
    IMPORTED,
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def line(template, **values):
    """The stored (English) line."""
    return template % values if values else template


@cache
def pattern(template):
    parts = PLACEHOLDER.split(template)
    # split() alternates literal text and placeholder names: text, name, text, name, …, text.
    regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
    return re.compile(f"{regex}$", re.DOTALL)


def translated(text):
    """A stored line in the active language, or unchanged when it is not one of ours (Django's own, or older)."""
    for template in TEMPLATES:
        if match := pattern(template).match(text):
            return gettext(template) % match.groupdict() if match.groupdict() else gettext(template)
    return text


class AuditEntry(LogEntry):
    """The admin log as the newsroom's audit log: its own page, and its lines translated."""

    class Meta:
        proxy = True
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def get_change_message(self):
        return translated(super().get_change_message())
