from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.caching import ActionsInvalidatePublicPages
from articles.admin.ordering import OrderedInline, OrderedInlinesMixin
from articles.images.renditions import make_renditions_after_commit, record_original_size, renditions_current
from articles.linking import resolve_links_for
from articles.models import Attribution, Byline, RelatedLink, Story, Tag

# The sidebar offers the most used tags; any tag works through ?tag=<slug> (the tag list links there).
TAG_FILTER_LIMIT = 40


class BylineInline(OrderedInline):
    model = Byline
    fields = ["position", "author"]
    autocomplete_fields = ["author"]


class AttributionInline(OrderedInline):
    model = Attribution
    fields = ["position", "source", "sentence"]
    autocomplete_fields = ["source"]


class RelatedLinkInline(OrderedInline):
    model = RelatedLink
    fk_name = "story"
    fields = ["position", "kind", "paragraph", "title", "url", "date", "language", "target"]
    autocomplete_fields = ["target"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class TagFilter(admin.SimpleListFilter):
    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = Tag.objects.annotate(story_count=Count("tagged_stories")).order_by("-story_count", "name")
        return [(tag.slug, tag.name) for tag in tags[:TAG_FILTER_LIMIT]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


def prepare_publication(stories, now):
    """Stamp stories as published, now or at the time already set (a future time keeps one scheduled).

    Returns the stories ready to save and why the others were refused: their slug is taken on
    their day, by a story already out or by another one in this batch.
    """
    ready, refused, days = [], [], set()
    for story in stories:
        story.status = Story.Status.PUBLISHED
        story.published_at = story.published_at or now
        story.updated_at = now
        day_slug = (story.publication_date, story.slug)
        try:
            story.clean()
            if day_slug in days:
                raise ValidationError(_("Another story published on this day already uses this slug."))
        except ValidationError as error:
            refused.append(f"{story.slug}: {' '.join(error.messages)}")
        else:
            days.add(day_slug)
            ready.append(story)
    return ready, refused


@admin.register(Story)
class StoryAdmin(ActionsInvalidatePublicPages, OrderedInlinesMixin, admin.ModelAdmin):
    fieldsets = [
        (_("Content"), {"fields": ["headline", "lead", "body", "tags"]}),
        (
            _("Publication"),
            {"fields": ["status", "published_at", "embargo_until", "section", "language", "slug", "translation_of"]},
        ),
        (
            _("Hero image"),
            {"fields": ["hero_image", "hero_image_url", "hero_image_alt", "hero_image_caption", "hero_image_credit"]},
        ),
        (
            _("Import and history"),
            {"fields": ["origin", "external_id", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]
    # The import key is (origin, external_id): editing it by hand would make the next import duplicate the story.
    readonly_fields = ["origin", "external_id", "created_at", "updated_at"]
    inlines = [BylineInline, AttributionInline, RelatedLinkInline]
    autocomplete_fields = ["section", "translation_of"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    list_display = ["headline", "status", "published_at", "section", "language", "tag_list", "site_link"]
    list_select_related = ["section"]
    list_filter = ["status", "section", "language", TagFilter, "published_at"]
    search_fields = ["headline", "lead", "body", "slug"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("hero_image")
        if "hero_image" in form.changed_data and getattr(upload, "image", None):
            record_original_size(obj, upload.image)
        if obj.hero_image and not renditions_current(obj):
            make_renditions_after_commit(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        resolve_links_for([form.instance])

    def view_on_site(self, obj):
        # Only a live story has a page; a draft, scheduled or withdrawn one would link to a 404.
        return obj.get_absolute_url() if obj.is_public() else None

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description=_("on site"))
    def site_link(self, obj):
        url = self.view_on_site(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("view")) if url else ""

    @admin.action(description=_("Publish the selected stories"), permissions=["change"])
    def publish(self, request, queryset):
        pending = queryset.exclude(status=Story.Status.PUBLISHED, published_at__isnull=False)
        pending = pending.select_related(None).prefetch_related(None).only(
            "slug", "status", "published_at", "hero_image", "hero_image_url", "hero_image_alt"
        )
        published, refused = prepare_publication(pending, timezone.now())
        Story.objects.bulk_update(published, ["status", "published_at", "updated_at"])
        message = ngettext("%(count)d story was published.", "%(count)d stories were published.", len(published))
        level = messages.SUCCESS if published else messages.INFO
        self.message_user(request, message % {"count": len(published)}, level)
        if refused:
            message = ngettext(
                "%(count)d story was not published: %(reasons)s",
                "%(count)d stories were not published: %(reasons)s",
                len(refused),
            )
            self.message_user(
                request, message % {"count": len(refused), "reasons": " ".join(refused)}, messages.WARNING
            )

    @admin.action(description=_("Unpublish the selected stories (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        live = queryset.filter(status=Story.Status.PUBLISHED)
        count = live.update(status=Story.Status.DRAFT, updated_at=timezone.now())
        message = ngettext(
            "%(count)d story was moved back to draft.", "%(count)d stories were moved back to draft.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
