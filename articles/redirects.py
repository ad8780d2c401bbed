"""Addresses that moved: a published story whose slug or date changed, a tag renamed or merged into another.

The old address answers 301 to the new one, so links and search engines follow.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoryRedirect(models.Model):
    """A path a published story was once read at, e.g. /2024/03/28/old-slug/."""

    old_path = models.CharField(_("old path"), max_length=300, unique=True)
    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("story redirect")
        verbose_name_plural = _("story redirects")

    def __str__(self):
        return f"{self.old_path} → {self.story_id}"


class TagRedirect(models.Model):
    """The slug of a tag that was renamed, or merged into `tag`."""

    old_slug = models.SlugField(_("old slug"), max_length=100, unique=True, allow_unicode=False)
    tag = models.ForeignKey("articles.Tag", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tag redirect")
        verbose_name_plural = _("tag redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.tag_id}"
