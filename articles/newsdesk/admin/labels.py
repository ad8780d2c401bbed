"""The admin's field labels as its change messages store them, so the history and the audit log read translated.

Django records "Changed Headline and Body." with the English form labels (capitalised verbose names) and
translates each label only when the message is shown. The catalogues hold the verbose names in lower case, so
the capitalised labels are listed here for makemessages; tests/test_i18n.py checks every admin form is covered.
"""

from django.utils.translation import gettext_noop

FORM_LABELS = [
    gettext_noop("After paragraph"),
    gettext_noop("Aliases"),
    gettext_noop("Alt text"),
    gettext_noop("Author"),
    gettext_noop("Bio"),
    gettext_noop("Body"),
    gettext_noop("Caption"),
    gettext_noop("Citing sentence"),
    gettext_noop("Credit"),
    gettext_noop("Date"),
    gettext_noop("Description"),
    gettext_noop("Email"),
    gettext_noop("Embargo until"),
    gettext_noop("Headline"),
    gettext_noop("Hero image"),
    gettext_noop("Hero image URL"),
    gettext_noop("Homepage URL"),
    gettext_noop("Kind"),
    gettext_noop("Language"),
    gettext_noop("Lead"),
    gettext_noop("Name"),
    gettext_noop("Position"),
    gettext_noop("Publication time"),
    gettext_noop("Published at"),
    gettext_noop("Reason for withdrawal"),
    gettext_noop("Section"),
    gettext_noop("Slug"),
    gettext_noop("Source"),
    gettext_noop("Status"),
    gettext_noop("Story"),
    gettext_noop("Tags"),
    gettext_noop("Text"),
    gettext_noop("Title"),
    gettext_noop("Translation of"),
    gettext_noop("URL"),
]
