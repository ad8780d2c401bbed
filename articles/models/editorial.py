"""What editors add around a story: public corrections and updates, and shared previews of drafts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Correction(models.Model):
    """A public note on a published story: what was corrected, or what was added since."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction")
        UPDATE = "update", _("update")

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The saved revision (django-reversion) holding the change this note tells readers about.
    revision = models.ForeignKey(
        "reversion.Revision",
        verbose_name=_("revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["published_at", "pk"]
        get_latest_by = "published_at"
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class SharedPreview(models.Model):
    """A signed link that shows a story's current draft without logging in, until it expires or is revoked."""

    story = models.ForeignKey(
        "articles.Story", on_delete=models.CASCADE, related_name="shared_previews", verbose_name=_("story")
    )
    nonce = models.CharField(_("token id"), max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("shared by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shared preview")
        verbose_name_plural = _("shared previews")

    def __str__(self):
        return f"{self.story} ({self.nonce[:8]})"

    def is_active(self, at=None):
        return self.revoked_at is None and (at or timezone.now()) < self.expires_at


class EditingSession(models.Model):
    """Who has a story's change form open: refreshed while the form stays open, so others see a notice."""

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="editing_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="unique_editing_session")]

    def __str__(self):
        return f"{self.user} @ {self.story_id}"
