"""What a story is made of besides its text: its byline, the sources it cites and its related links, in order."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.querysets import RelatedLinkQuerySet
from articles.text.language import Language


class Byline(models.Model):
    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="bylines", db_index=False)
    author = models.ForeignKey(
        "articles.Author", on_delete=models.CASCADE, related_name="bylines", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("byline")
        constraints = [models.UniqueConstraint(fields=["story", "author"], name="unique_byline_author")]

    def __str__(self):
        return str(self.author)


class Attribution(models.Model):
    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="attributions", db_index=False)
    source = models.ForeignKey(
        "articles.Source", on_delete=models.PROTECT, related_name="attributions", verbose_name=_("source")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sentence = models.TextField(_("citing sentence"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        constraints = [models.UniqueConstraint(fields=["story", "source"], name="unique_attribution_source")]

    def __str__(self):
        return str(self.source)


class RelatedLink(models.Model):
    class Kind(models.TextChoices):
        READ_ALSO = "read_also", _("read also (inline)")
        MORE = "more", _("more on this topic")

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="related_links")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MORE)
    paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"), null=True, blank=True, help_text=_("For inline links: the body paragraph it follows.")
    )
    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    target = models.ForeignKey(
        "articles.Story",
        verbose_name=_("story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_links",
    )

    objects = RelatedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("related link")
        verbose_name_plural = _("related links")

    def __str__(self):
        return self.title

    def public_target(self, at=None):
        return self.target if self.target_id and self.target.is_public(at) else None

    def href(self):
        """Where readers go: the target story if it is public, else an outside URL, never an unpublished story."""
        target = self.public_target()
        if target:
            return target.get_absolute_url()
        if self.target_id and self.url:
            from articles.models.linking import story_key_from_url

            return "" if story_key_from_url(self.url) else self.url
        return self.url
