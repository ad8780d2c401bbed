"""The catalogues a story points to: sections, authors, sources and tags."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag as TaggitTag

from articles.models import Author, Section, Source, Tag, TaggedStory, audit
from articles.models.redirects import merge_tags
from articles.newsdesk.admin.caching import ActionsInvalidatePublicPages

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


class MergeTagsForm(forms.Form):
    """The tag the selected ones become: one of them, or any other tag (found by typing its name)."""

    target = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        label=_("Merge into"),
    )

    def __init__(self, *args, selected, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.selected = list(selected)
        self.fields["target"].queryset = Tag.objects.filter(pk__in=[tag.pk for tag in self.selected])
        if self.selected:
            self.fields["target"].initial = max(self.selected, key=lambda tag: getattr(tag, "story_count", 0)).pk
        self.fields["other"] = forms.ModelChoiceField(
            queryset=Tag.objects.all(),
            required=False,
            label=_("or another tag"),
            widget=AutocompleteSelect(TaggedStory._meta.get_field("tag"), admin_site),
        )

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("other") or cleaned.get("target")
        if target is None:
            raise forms.ValidationError(_("Choose the tag to merge into."))
        if all(tag.pk == target.pk for tag in self.selected):
            raise forms.ValidationError(_("Select at least one tag other than the one to merge into."))
        cleaned["merge_into"] = target
        return cleaned


@admin.register(Tag)
class TagAdmin(SlugFromNameAdmin):
    ordering = ["name"]
    fields = ["name", "slug"]
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name", "slug"]
    actions = ["merge_selected"]

    def has_merge_permission(self, request):
        # Merging changes one tag and deletes the others: an editor's right, never a reporter's.
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description=_("Merge selected tags into…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        """First a confirmation page to choose the target; its POST (with "post") merges."""
        data = request.POST if "post" in request.POST else None
        form = MergeTagsForm(data, selected=queryset, admin_site=self.admin_site)
        if not form.is_valid():
            return self.merge_confirmation(request, form)
        target = form.cleaned_data["merge_into"]
        merged = merge_tags(target, form.selected)
        names = ", ".join(tag.name for tag in merged)
        self.log_change(request, target, audit.line(audit.MERGED_TAGS, names=names, target=target.name))
        message = ngettext(
            "%(count)d tag was merged into “%(target)s”; its address now leads there.",
            "%(count)d tags were merged into “%(target)s”; their addresses now lead there.",
            len(merged),
        )
        self.message_user(request, message % {"count": len(merged), "target": target.name}, messages.SUCCESS)
        return None

    def merge_confirmation(self, request, form):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge tags"),
            "opts": self.model._meta,
            "form": form,
            "tags": form.selected,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/tag/merge_tags.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("tagged_stories"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, obj):
        url = reverse("admin:articles_story_changelist") + "?" + urlencode({"tag": obj.slug})
        return format_html('<a href="{}">{}</a>', url, obj.story_count)
