"""Any saved or deleted story, or anything a story page prints, invalidates the public page cache.

Bulk writes send no signals: the import writer and the admin actions call `public_site_changed()` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.caching import public_site_changed
from articles.models import (
    Attribution,
    Author,
    Byline,
    Correction,
    RelatedLink,
    Section,
    Source,
    Story,
    Tag,
    TaggedStory,
)

SAVED = [Story, Section, Source, Tag, Author, Byline, Attribution, RelatedLink, Correction]
# Not the relation rows: a delete receiver on them would stop Django from deleting a story's rows in one
# query each; deleting the story itself (or its owner in the admin form, which saves it) is what changes a page.
DELETED = [Story, Section, Source, Tag, Author]
# taggit's add() and remove() write their through rows in bulk and send m2m_changed instead.
THROUGH = [TaggedStory, Byline]


def site_changed(sender, using=None, **kwargs):
    public_site_changed(using)


def connect():
    for model in SAVED:
        post_save.connect(site_changed, sender=model, dispatch_uid=f"public-cache-save-{model.__name__}")
    for model in DELETED:
        post_delete.connect(site_changed, sender=model, dispatch_uid=f"public-cache-delete-{model.__name__}")
    for model in THROUGH:
        m2m_changed.connect(site_changed, sender=model, dispatch_uid=f"public-cache-m2m-{model.__name__}")
