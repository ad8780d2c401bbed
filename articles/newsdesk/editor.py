"""The story body editor in the admin: django-prose-editor, limited to the markup the public page prints.

Every asset comes from our static files (django_prose_editor's own and static/admin/articles/); the editor's
schema drops pasted markup it does not know, and Story.save() sanitises whatever arrives anyway.
"""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import allowlist_from_extensions
from django_prose_editor.widgets import AdminProseEditorWidget

BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "History": True,
}
EMPTY_DOCUMENT = "<p></p>"

# The dialog sits inside the admin's own form: no nested <form>, and its fields have no name, so nothing of it
# is posted; the script copies the link into a new related-links row.
READ_ALSO_DIALOG = """
<div class="read-also-tool" data-read-also-tool data-autocomplete-url="{autocomplete_url}" data-inline="related_links">
  <button type="button" class="button" data-read-also-open>{insert}</button>
  <dialog class="read-also-dialog" data-read-also-dialog aria-labelledby="read-also-heading">
    <h2 id="read-also-heading">{heading}</h2>
    <p class="help">{help}</p>
    <label>{search}<input type="search" data-read-also-search autocomplete="off"></label>
    <ul class="read-also-results" data-read-also-results aria-live="polite"></ul>
    <label>{title}<input type="text" data-read-also-title maxlength="500"></label>
    <label>{url}<input type="url" data-read-also-url maxlength="1000" placeholder="https://"></label>
    <p class="read-also-buttons">
      <button type="button" class="button default" data-read-also-add>{add}</button>
      <button type="button" class="button" data-read-also-cancel>{cancel}</button>
    </p>
  </dialog>
</div>
"""


def body_allowlist():
    """The tags and attributes the editor can produce (django-prose-editor's own reading of the config)."""
    return allowlist_from_extensions(BODY_EXTENSIONS)


class StoryBodyWidget(AdminProseEditorWidget):
    """The prose editor, and beside it the button that places an inline "Read also" link as a related link."""

    def __init__(self, attrs=None):
        super().__init__(attrs, config={"extensions": BODY_EXTENSIONS}, preset="configurable")

    @property
    def media(self):
        return super().media + forms.Media(
            js=["admin/articles/read-also.js", "admin/articles/paste.js"],
            css={"all": ["admin/articles/writing.css"]},
        )

    def value_from_datadict(self, data, files, name):
        # ProseMirror always keeps one paragraph: an empty editor must save an empty body.
        value = super().value_from_datadict(data, files, name)
        return "" if value is not None and value.strip() == EMPTY_DOCUMENT else value

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "data-clean-paste-url": reverse("admin:articles_story_clean_paste")}
        editor = super().render(name, value, attrs, renderer)
        return editor + format_html(
            READ_ALSO_DIALOG,
            autocomplete_url=reverse("admin:autocomplete"),
            insert=_("Insert «Read also» here"),
            heading=_("Read also"),
            help=_(
                "The link is shown after the paragraph where the cursor is. Find a story on this site, "
                "or give a title and an address."
            ),
            search=_("Find a story"),
            title=_("Title"),
            url=_("Address (URL)"),
            add=_("Add the link"),
            cancel=_("Cancel"),
        )
