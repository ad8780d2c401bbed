"""Writing tools on the story form: the body editor, inline "Read also" links as data, and slugs as the server makes.

- The body uses django-prose-editor (articles/newsdesk/editor.py), served from our static files.
- A "Читайте також: «…»" paragraph left in a saved body becomes a related link at that place (articles/newsdesk/readalso.py).
- A new story's slug is filled from its headline while typing, by static/admin/articles/slugify.js, which replaces
  Django's URLify (it reads Ukrainian as Russian) with the server's KMU-2010 / passport transliteration.
- What is pasted into the body goes through the server's cleaner first (static/admin/articles/paste.js and
  clean_paste_view): Word's and Google Docs' markup needs it, and the editor alone would keep their list numbers
  and spacing as text.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils.translation import ngettext

from articles.newsdesk.editor import StoryBodyWidget
from articles.newsdesk.readalso import extract_read_also, save_read_also_links
from articles.text.html import sanitize_html
from articles.text.slugs import ascii_slug

# The clipboard of a long Word document with its styles fits easily; more is not a paste.
MAX_PASTE_BYTES = 2 * 1024 * 1024


class SlugFromHeadlineForm:
    """Mixed into a new story's form: the slug the page filled in from the headline stays the server's to make.

    Story.save() then numbers it (-2, -3…) when another story of the day has it, as it always did for an
    empty slug, instead of refusing a slug the editor never typed.
    """

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        headline = self.cleaned_data.get("headline")
        if headline and slug == ascii_slug(headline, language=self.cleaned_data.get("language") or "uk"):
            return ""
        return slug


class WritingToolsMixin:
    prepopulated_fields = {"slug": ["headline"]}

    @property
    def media(self):
        # Listed after admin/js/urlify.js so that Django's media merge keeps that order: ours must win.
        return super().media + forms.Media(js=["admin/js/urlify.js", "admin/articles/slugify.js"])

    def get_urls(self):
        clean_paste = self.admin_site.admin_view(self.clean_paste_view)
        return [path("clean-paste/", clean_paste, name="articles_story_clean_paste"), *super().get_urls()]

    def clean_paste_view(self, request):
        """POST html: the pasted markup as a story body keeps it (JSON), for whoever may write stories."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        pasted = request.POST.get("html", "")
        if len(pasted.encode()) > MAX_PASTE_BYTES:
            return JsonResponse({"error": "too large"}, status=413)
        return JsonResponse({"html": sanitize_html(pasted)})

    def get_prepopulated_fields(self, request, obj=None):
        # A saved story already has an address (maybe public): only a new one's slug follows the headline.
        return super().get_prepopulated_fields(request, obj) if obj is None else {}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return form if obj is not None else type(form.__name__, (SlugFromHeadlineForm, form), {})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = StoryBodyWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.body, form.read_also_found = extract_read_also(sanitize_html(obj.body))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        found = getattr(form, "read_also_found", [])
        save_read_also_links(form.instance, found)
        if found:
            message = ngettext(
                "%(count)d «Read also» paragraph was moved from the body to the related links.",
                "%(count)d «Read also» paragraphs were moved from the body to the related links.",
                len(found),
            )
            self.message_user(request, message % {"count": len(found)}, messages.INFO)
