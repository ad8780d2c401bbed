from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from articles.models.parts import RelatedLink
from articles.models.pictures import hero_picture
from articles.models.querysets import AuthorQuerySet, SectionQuerySet, SourceQuerySet, StoryQuerySet, TagQuerySet
from articles.text.html import sanitize_html, split_blocks
from articles.text.language import Language
from articles.text.slugs import ascii_slug, free_slug, numbered


class SlugFromNameMixin:
    """Fills an empty slug from the name, transliterated and numbered if already taken."""

    slug_fallback = "item"

    def save(self, *args, **kwargs):
        if not self.slug:
            max_length = type(self)._meta.get_field("slug").max_length
            base = ascii_slug(self.name, fallback=self.slug_fallback, max_length=max_length)
            self.slug = free_slug(type(self), base, exclude_pk=self.pk)
        super().save(*args, **kwargs)


class Section(SlugFromNameMixin, models.Model):
    slug_fallback = "section"

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(SlugFromNameMixin, models.Model):
    slug_fallback = "author"

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    bio = models.TextField(_("bio"), blank=True)
    email = models.EmailField(_("email"), blank=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Source(SlugFromNameMixin, models.Model):
    slug_fallback = "source"

    class Kind(models.TextChoices):
        AGENCY = "agency", _("news agency")
        BROADCASTER = "broadcaster", _("broadcaster")
        NEWSPAPER = "newspaper", _("newspaper")
        THINK_TANK = "think_tank", _("think tank")
        GOVERNMENT = "government", _("government")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_("Other names and abbreviations the text may use, one per line (e.g. СЗР)."),
    )
    homepage = models.URLField(_("homepage URL"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})

    @property
    def homepage_link(self):
        """The homepage when it is safe to link to (http or https); "" for anything else stored earlier."""
        return self.homepage if urlsplit(self.homepage).scheme.lower() in {"http", "https"} else ""

    def alias_list(self):
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]

    def names(self):
        return [self.name, *self.alias_list()]


class Tag(TagBase):
    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def save(self, *args, **kwargs):
        # taggit fills the slug only for new tags; an editor may also clear it on an existing one.
        if not self.slug and not self._state.adding:
            self.slug = free_slug(Tag, self.slugify(self.name), exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def slugify(self, tag, i=None):
        slug = ascii_slug(tag, fallback="tag", max_length=90)
        return slug if i is None else numbered(slug, i)

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class TaggedStory(ItemBase):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_stories")
    # The unique (content_object, tag) index serves lookups by story; a second index would only slow imports.
    content_object = models.ForeignKey("Story", on_delete=models.CASCADE, related_name="tagged_items", db_index=False)

    class Meta:
        verbose_name = _("tagged story")
        verbose_name_plural = _("tagged stories")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_story_tag")]


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        blank=True,
        help_text=_("Latin letters only; filled from the headline when left empty."),
    )
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("HTML paragraphs; unsafe markup is removed on save."))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.UKRAINIAN)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    authors = models.ManyToManyField(Author, through="Byline", verbose_name=_("byline"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A future time schedules the story."),
    )
    embargo_until = models.DateTimeField(
        _("embargo until"), null=True, blank=True, help_text=_("Nothing about the story is public before this time.")
    )
    withdrawn_reason = models.TextField(
        _("reason for withdrawal"),
        blank=True,
        help_text=_("Shown to readers at the story's address once it is withdrawn; required to withdraw it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="stories",
    )
    tags = TaggableManager(through=TaggedStory, blank=True, verbose_name=_("tags"), ordering=["name"])

    hero_image = models.ImageField(_("hero image"), upload_to="stories/%Y/%m/", blank=True)
    hero_image_url = models.URLField(
        _("hero image URL"),
        max_length=1000,
        blank=True,
        help_text=_("An image elsewhere (from an import); used when no file is uploaded."),
    )
    hero_image_alt = models.CharField(_("alt text"), max_length=300, blank=True)
    hero_image_caption = models.CharField(_("caption"), max_length=500, blank=True)
    hero_image_credit = models.CharField(_("credit"), max_length=200, blank=True)
    hero_image_renditions = models.JSONField(
        _("hero image renditions"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The uploaded image's size and its resized copies, so pages print them without opening files."),
    )

    origin = models.CharField(
        _("origin"), max_length=200, blank=True, help_text=_("Where an imported story came from (feed, file, agency).")
    )
    external_id = models.CharField(_("external ID"), max_length=500, blank=True)
    import_digest = models.CharField(
        _("import digest"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Fingerprint of the imported item, so an unchanged item is skipped on the next import."),
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text=_("The original story this one translates."),
    )
    # Kept current by articles.models.search (after commit, or by the import writer); on PostgreSQL a GIN
    # index over to_tsvector('simple', search_document) is created by migration 0005.
    search_document = models.TextField(
        _("search document"),
        blank=True,
        default="",
        editable=False,
        help_text=_("The headline, lead and body reduced to dictionary forms, for search."),
    )

    # Raised by every save and bulk update; the change form carries the version it was loaded from, so a save
    # over a newer version is caught instead of silently overwriting it (articles/newsdesk/admin/concurrency.py).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        # Granted to the Editor group (migration 0007); articles/newsdesk/workflow.py reads it.
        permissions = [("publish_story", _("Can publish, schedule and withdraw stories"))]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_story_origin_external_id",
            )
        ]
        indexes = [models.Index(fields=["status", "published_at"], name="story_public_idx")]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if not self.slug:
            self.slug = self.unique_slug()
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or update_fields):
            # A plain number, not F("version") + 1: django-reversion serialises the instance right after save().
            # The admin compares it under a row lock (articles/newsdesk/admin/concurrency.py), so no save is lost.
            self.version += 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at)
        return reverse(
            "articles:story",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "day": f"{local.day:02d}", "slug": self.slug},
        )

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        errors = {}
        if self.slug and self.published_at and self._slug_taken(self.slug):
            errors["slug"] = _("Another story published on this day already uses this slug.")
        # Imports are not held to this (they bypass clean()); their pages fall back to the headline.
        has_image = self.hero_image or self.hero_image_url
        if self.status == self.Status.PUBLISHED and has_image and not self.hero_image_alt.strip():
            errors["hero_image_alt"] = _(
                "A published story's hero image needs alt text: describe what the picture shows "
                "for readers who cannot see it."
            )
        if self.status == self.Status.WITHDRAWN and not self.withdrawn_reason.strip():
            errors["withdrawn_reason"] = _("Give readers the reason the story is withdrawn.")
        if errors:
            raise ValidationError(errors)

    @property
    def publication_date(self):
        return timezone.localdate(self.published_at) if self.published_at else None

    def is_public(self, at=None):
        now = at or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    def unique_slug(self):
        base = ascii_slug(self.headline, language=self.language, fallback="story")
        slug, number = base, 1
        while self._slug_taken(slug):
            number += 1
            slug = numbered(base, number)
        return slug

    def _slug_taken(self, slug):
        if not self.published_at:
            return False
        day = self.publication_date
        same_day = Story.objects.filter(slug=slug, published_at__date=day).exclude(pk=self.pk)
        return same_day.exists()

    @property
    def hero_image_src(self):
        """The uploaded hero image, else the imported image address, else ""."""
        return self.hero_image.url if self.hero_image else self.hero_image_url

    @property
    def hero(self):
        """The hero image as pages print it: renditions, size and alt text (headline when none), or None."""
        return hero_picture(self)

    def body_blocks(self, links=None):
        """Pairs of (block HTML, inline "read also" links that follow it), of `links` or all the story's own.

        Reads related links through .all() so a prefetched page costs no extra query.
        A link at paragraph 0 comes before the first block; one past the end comes last.
        """
        blocks = split_blocks(self.body)
        after = {}
        for link in self.related_links.all() if links is None else links:
            if link.kind == RelatedLink.Kind.READ_ALSO:
                after.setdefault(min(link.paragraph or 0, len(blocks)), []).append(link)
        pairs = [("", after[0])] if 0 in after else []
        pairs += [(block, after.get(index, [])) for index, block in enumerate(blocks, 1)]
        return pairs

    def more_links(self, links=None):
        return [
            link
            for link in (self.related_links.all() if links is None else links)
            if link.kind == RelatedLink.Kind.MORE
        ]

    def byline(self):
        return [byline.author for byline in self.bylines.all()]

    def correction_notes(self):
        """The corrections and updates, oldest first; no query when `for_page()` found there are none."""
        if getattr(self, "has_corrections", True) is False:
            return []
        return self.corrections.all()
