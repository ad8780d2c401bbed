"""The catalogues a story points to: sections, authors, sources and tags."""

from urllib.parse import urlencode

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from articles.admin.caching import ActionsInvalidatePublicPages
from articles.models import Author, Section, Source, Tag

# Our stories use articles.Tag; taggit's own tag model stays empty, so its admin would only confuse editors.
# taggit comes before articles in INSTALLED_APPS, so its admin module has registered by now.
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)


class SlugFromNameAdmin(ActionsInvalidatePublicPages, admin.ModelAdmin):
    """An ASCII slug that may be left empty: the model then makes it from the name, transliterated from Ukrainian.

    Not Django's prepopulated_fields: its URLify script transliterates Ukrainian as if it were Russian.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "slug":
            # The URL patterns take ASCII slugs only (taggit's tag slug would allow Cyrillic).
            kwargs.update(
                required=False,
                allow_unicode=False,
                help_text=_("Latin letters only; filled from the name when left empty."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Section)
class SectionAdmin(SlugFromNameAdmin):
    fields = ["name", "slug", "description", "position"]
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]


@admin.register(Author)
class AuthorAdmin(SlugFromNameAdmin):
    # The usage count groups the rows, which drops Meta.ordering; autocomplete pages need a stable order.
    ordering = ["name"]
    fields = ["name", "slug", "email", "bio"]
    list_display = ["name", "email", "story_count"]
    search_fields = ["name", "slug", "email"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("bylines"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, obj):
        return obj.story_count


@admin.register(Source)
class SourceAdmin(SlugFromNameAdmin):
    ordering = ["name"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["name", "slug", "kind", "homepage", "aliases"]
    list_display = ["name", "kind", "homepage", "attribution_count"]
    list_filter = ["kind"]
    # Aliases are searched too, so the attribution autocomplete finds "СЗР" as well as the full name.
    search_fields = ["name", "aliases", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attribution_count=Count("attributions"))

    @admin.display(description=_("attributions"), ordering="attribution_count")
    def attribution_count(self, obj):
        return obj.attribution_count


@admin.register(Tag)
class TagAdmin(SlugFromNameAdmin):
    ordering = ["name"]
    fields = ["name", "slug"]
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("tagged_stories"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, obj):
        url = reverse("admin:articles_story_changelist") + "?" + urlencode({"tag": obj.slug})
        return format_html('<a href="{}">{}</a>', url, obj.story_count)
