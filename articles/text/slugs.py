"""ASCII slugs from Cyrillic text.

Ukrainian follows the official transliteration of the Cabinet of Ministers of
Ukraine (resolution No. 55 of 27.01.2010); Russian follows the international
passport scheme. Both tables come from the translitua package.
"""

import hashlib

from django.utils.text import slugify
from translitua import RussianInternationalPassport, UkrainianKMU, translit

SCHEMES = {"uk": UkrainianKMU, "ru": RussianInternationalPassport}
MAX_SLUG_LENGTH = 200


def transliterate(text, language="uk"):
    return translit(text, SCHEMES.get(language, UkrainianKMU))


def ascii_slug(text, language="uk", max_length=MAX_SLUG_LENGTH, fallback="item"):
    """Return a lowercase ASCII slug; never empty, cut at a word boundary."""
    slug = slugify(transliterate(text or "", language))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    if slug:
        return slug
    digest = hashlib.blake2s((text or "").encode("utf-8")).hexdigest()[:8]
    return f"{fallback}-{digest}"


def numbered(slug, number, max_length=MAX_SLUG_LENGTH):
    suffix = f"-{number}"
    return slug[: max_length - len(suffix)] + suffix


def free_slug(model, base, exclude_pk=None):
    """`base`, or `base-2`, `base-3`… whichever no other row of `model` uses (one query)."""
    max_length = model._meta.get_field("slug").max_length
    taken = set(
        model._default_manager.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = numbered(base, number, max_length)
    return slug
