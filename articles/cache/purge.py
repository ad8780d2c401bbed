"""Telling a front-end cache (a CDN, Varnish) which surrogate keys to drop.

PUBLIC_CACHE_PURGE names the backend; by default there is none and only Django's own page cache is invalidated.
"""

from django.conf import settings
from django.utils.module_loading import import_string


class NoPurge:
    def purge(self, keys):
        pass


def backend():
    options = dict(getattr(settings, "PUBLIC_CACHE_PURGE", None) or {})
    path = options.pop("BACKEND", None)
    return import_string(path)(**options) if path else NoPurge()


def send(keys):
    if keys:
        backend().purge(sorted(keys))
