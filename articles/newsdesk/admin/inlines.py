"""The rows edited inside a story's form: byline, sources cited, related links and public corrections."""

from django.contrib import admin
from django.db import models

from articles.models import Attribution, Byline, Correction, RelatedLink
from articles.newsdesk.admin.ordering import OrderedInline, OrderedInlineForm
from articles.newsdesk.workflow import can_link, linkable_stories, unseen_story_label


class BylineInline(OrderedInline):
    model = Byline
    fields = ["position", "author"]
    autocomplete_fields = ["author"]


class AttributionInline(OrderedInline):
    model = Attribution
    fields = ["position", "source", "sentence"]
    autocomplete_fields = ["source"]


class RelatedLinkForm(OrderedInlineForm):
    """A row keeps a stored target its user may not see (an editor set it), without showing that story's headline."""

    user = None  # set per request by RelatedLinkInline.get_formset()

    def use_loaded_choices(self):
        super().use_loaded_choices()
        field = self.fields.get("target")
        loaded = getattr(field, "loaded", None)
        if loaded is not None and not can_link(self.user, loaded):
            getattr(field.widget, "widget", field.widget).loaded_label = unseen_story_label(loaded.pk)


class RelatedLinkInline(OrderedInline):
    model = RelatedLink
    form = RelatedLinkForm
    fk_name = "story"
    fields = ["position", "kind", "paragraph", "title", "url", "date", "language", "target"]
    autocomplete_fields = ["target"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_formset(self, request, obj=None, **kwargs):
        form = type(self.form.__name__, (self.form,), {"user": request.user})
        return super().get_formset(request, obj, form=form, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # What is offered is what is accepted: a forged id of a story the user may not see is "not a valid choice".
        if db_field.name == "target":
            kwargs["queryset"] = linkable_stories(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CorrectionInline(admin.TabularInline):
    """Public notes on a published story, shown oldest first on its page."""

    model = Correction
    fields = ["published_at", "kind", "text"]
    extra = 0
