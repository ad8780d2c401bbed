"""Django's Redis cache, made to fail fast: a Redis that is down or hung reads as an empty cache for a while.

Every call to an unreachable Redis waits up to its socket timeout (REDIS_TIMEOUT), and a page makes several calls.
After one failure, every call for the next OPTIONS["retry_after"] seconds (REDIS_RETRY_AFTER) answers at once:
reads find nothing, writes are dropped, and pages render uncached. Then one call tries Redis again. The window is
shared by the threads of a process.
"""

import logging
from time import monotonic

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class RedisCache(DjangoRedisCache):
    # Per server address: the monotonic() time before which that Redis is not asked.
    failing_until = {}

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("retry_after", 15))
        super().__init__(server, {**params, "OPTIONS": options})
        self.address = tuple(self._servers)

    def attempt(self, fallback, operation, *args):
        if monotonic() < self.failing_until.get(self.address, 0):
            return fallback
        try:
            return operation(*args)
        except RedisError as error:
            self.failing_until[self.address] = monotonic() + self.retry_after
            logger.warning("The Redis cache failed (%s); going without it for %g s", error, self.retry_after)
            return fallback

    def get(self, key, default=None, version=None):
        return self.attempt(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self.attempt({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self.attempt(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Like Django's set_many, the keys that could not be stored.
        return self.attempt(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self.attempt(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self.attempt(None, super().delete_many, keys, version)
