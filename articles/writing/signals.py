"""What every save must do, whichever path it comes by (admin, import, shell, a restored revision).

Any saved or deleted story, or anything a story page prints, invalidates the public page cache. A story or tag
whose public address changes leaves a redirect at the old one (articles/models/redirects.py).

Bulk writes send no signals: the import writer and the admin actions call `public_site_changed()` and
`remember_old_addresses()` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save

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
from articles.models.redirects import apply_story_moves, record_tag_rename, story_moves
from articles.site.caching import public_site_changed

SAVED = [Story, Section, Source, Tag, Author, Byline, Attribution, RelatedLink, Correction]
# Not the relation rows: a delete receiver on them would stop Django from deleting a story's rows in one
# query each; deleting the story itself (or its owner in the admin form, which saves it) is what changes a page.
DELETED = [Story, Section, Source, Tag, Author]
# taggit's add() and remove() write their through rows in bulk and send m2m_changed instead.
THROUGH = [TaggedStory, Byline]
# The fields an address is made of.
ADDRESS_FIELDS = {Story: ("slug", "published_at"), Tag: ("slug",)}
NOT_LOADED = object()


def site_changed(sender, using=None, **kwargs):
    public_site_changed(using)


def address_of(instance):
    # Through __dict__: reading a deferred field would cost a query per instance of a list.
    return tuple(instance.__dict__.get(name, NOT_LOADED) for name in ADDRESS_FIELDS[type(instance)])


def remember_loaded_address(sender, instance, **kwargs):
    instance._loaded_address = address_of(instance)


def may_have_moved(instance, update_fields):
    """Whether a save may change the address, so the stored row is worth reading: only then is it read."""
    fields = ADDRESS_FIELDS[type(instance)]
    if instance.pk is None or (update_fields is not None and not set(fields) & set(update_fields)):
        return False
    # An instance not loaded from the database (a restored revision, Story(pk=…)) may hold anything.
    return instance._state.adding or getattr(instance, "_loaded_address", None) != address_of(instance)


def note_story_move(sender, instance, update_fields=None, **kwargs):
    if may_have_moved(instance, update_fields):
        instance._address_moves = story_moves([instance])


def keep_story_redirects(sender, instance, **kwargs):
    apply_story_moves(instance.__dict__.pop("_address_moves", None))
    remember_loaded_address(sender, instance)


def note_tag_rename(sender, instance, update_fields=None, **kwargs):
    if may_have_moved(instance, update_fields):
        stored = Tag._base_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if stored and stored != instance.slug:
            instance._old_slug = stored


def keep_tag_redirect(sender, instance, **kwargs):
    if old_slug := instance.__dict__.pop("_old_slug", None):
        record_tag_rename(instance, old_slug)
    remember_loaded_address(sender, instance)


def connect():
    for model in SAVED:
        post_save.connect(site_changed, sender=model, dispatch_uid=f"public-cache-save-{model.__name__}")
    for model in DELETED:
        post_delete.connect(site_changed, sender=model, dispatch_uid=f"public-cache-delete-{model.__name__}")
    for model in THROUGH:
        m2m_changed.connect(site_changed, sender=model, dispatch_uid=f"public-cache-m2m-{model.__name__}")
    for model in ADDRESS_FIELDS:
        post_init.connect(remember_loaded_address, sender=model, dispatch_uid=f"address-loaded-{model.__name__}")
    pre_save.connect(note_story_move, sender=Story, dispatch_uid="story-address-before")
    post_save.connect(keep_story_redirects, sender=Story, dispatch_uid="story-address-after")
    pre_save.connect(note_tag_rename, sender=Tag, dispatch_uid="tag-address-before")
    post_save.connect(keep_tag_redirect, sender=Tag, dispatch_uid="tag-address-after")
