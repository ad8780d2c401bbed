"""When each surrogate key last changed, and invalidating keys once per transaction.

A key's stamp is the time of its last invalidation. A stored page is current while every key it was stored with
has a stamp older than the moment its rendering began (articles.site.caching): a write that commits while a page
is being rendered stamps its keys after that moment, so the page is never kept with rows older than its stamp.

Keys are stamped at once, for this connection's next page, and again when the transaction commits, for pages
other processes rendered from the old rows in between; the front-end cache is told once, on commit. A write
that rolls back has its commit-time work discarded with it.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

from articles.cache import purge

STAMP_PREFIX = "public:stamp:"
logger = logging.getLogger(__name__)


def stamp_key(key):
    return STAMP_PREFIX + key


def stamps(keys):
    """{key: time of its last invalidation} for the keys that were ever invalidated; {} when the cache is down."""
    try:
        stored = cache.get_many([stamp_key(key) for key in keys])
    except Exception:
        logger.exception("Could not read the public page cache's stamps")
        return None
    return {name[len(STAMP_PREFIX) :]: value for name, value in stored.items()}


def stamp(keys):
    now = time.time()
    try:
        cache.set_many({stamp_key(key): now for key in keys}, timeout=None)
    except Exception:
        # The rows are saved: a cache outage must not fail an editor's save or an import. Pages expire on time.
        logger.exception("Could not invalidate %d keys of the public page cache", len(keys))


class PendingInvalidation:
    """The keys a transaction touched, stamped and purged once when it commits."""

    def __init__(self):
        self.keys = set()
        self.ran = False

    def __call__(self):
        self.ran = True
        stamp(self.keys)
        purge.send(self.keys)


def pending_for(connection):
    for entry in connection.run_on_commit:
        if isinstance(entry[1], PendingInvalidation) and not entry[1].ran:
            return entry[1]
    return None


def invalidate(keys, using=None):
    """Forget every cached public page that shows one of `keys`: now, and again when the transaction commits."""
    keys = set(keys)
    if not keys:
        return
    stamp(keys)
    connection = transaction.get_connection(using)
    pending = pending_for(connection) if connection.in_atomic_block else None
    if pending is None:
        pending = PendingInvalidation()
        pending.keys |= keys
        transaction.on_commit(pending, using=using)
    else:
        pending.keys |= keys
