"""The story change form's suggestions: sources its text names but does not cite, and related stories, each added
in one click (articles.newsdesk.suggestions does the finding and the adding)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Story, audit
from articles.models.revisions import record_baseline, record_revision
from articles.newsdesk.suggestions import (
    SuggestionRefused,
    attribute_mentioned_source,
    relate_public_story,
    suggestions_for,
    unattributed_mentions,
)
from articles.newsdesk.workflow import can_edit


class SuggestionsMixin:
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/suggestions/attribute/",
                view(self.attribute_suggestion_view),
                name="articles_story_suggestions_attribute",
            ),
            path(
                "<path:object_id>/suggestions/relate/",
                view(self.relate_suggestion_view),
                name="articles_story_suggestions_relate",
            ),
            *super().get_urls(),
        ]

    @property
    def media(self):
        return super().media + forms.Media(
            js=["admin/articles/suggestions.js"], css={"all": ["admin/articles/suggestions.css"]}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and can_edit(request.user, obj) and self.has_change_permission(request, obj):
            context["story_suggestions"] = suggestions_for(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self.tell_found_sources(request, obj)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self.tell_found_sources(request, obj)
        return response

    def tell_found_sources(self, request, story):
        if not can_edit(request.user, story):
            return
        if mentions := unattributed_mentions(story):
            names = ", ".join(mention.source.name for mention in mentions)
            message = _("Found in the text: %(sources)s. Add them from the suggestions on the story's form.")
            self.message_user(request, message % {"sources": names}, messages.INFO)

    def editable_story(self, request, object_id):
        story = Story.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if story is None:
            raise Http404
        if not (self.has_change_permission(request, story) and can_edit(request.user, story)):
            raise PermissionDenied
        return story

    def accept_suggestion(self, request, object_id, accept, field, describe):
        """POST only: add what `accept(story, value)` makes, log it, and go back to the story's form.

        `describe(added)` gives the log entry (English, like the admin's own) and the message shown to the editor.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        story = self.editable_story(request, object_id)
        try:
            with transaction.atomic():
                record_baseline(story.pk)
                added = accept(story, request.POST.get(field, ""))
                if added is not None:
                    log_message, user_message = describe(added)
                    record_revision(story, request.user, log_message)
                    self.log_change(request, story, log_message)
        except SuggestionRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            if added is None:
                self.message_user(request, _("The story already has it."), messages.INFO)
            else:
                self.message_user(request, user_message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_story_change", args=[story.pk]))

    def attribute_suggestion_view(self, request, object_id):
        return self.accept_suggestion(request, object_id, attribute_mentioned_source, "source", describe_attribution)

    def relate_suggestion_view(self, request, object_id):
        return self.accept_suggestion(request, object_id, relate_public_story, "story", describe_related_link)


def describe_attribution(attribution):
    source = attribution.source.name
    return audit.line(audit.ATTRIBUTED, source=source), _("%(source)s was added to the story's sources.") % {
        "source": source
    }


def describe_related_link(link):
    user_message = _("“%(story)s” was added to the related stories.") % {"story": link.title}
    return audit.line(audit.RELATED, title=link.title), user_message
