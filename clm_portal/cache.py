"""A Redis cache that fails open: with Redis down or stuck, the portal carries on without it.

allauth keeps its rate-limit counters in the cache. Django's RedisCache turns a Redis error
into a 500, so with Redis down nobody could sign in. Here an error is logged as a warning and
the call answers as an empty cache would (a miss, nothing stored), so rate limits fail open;
django-axes' lockout is in the database and still holds. After a failure Redis is left alone
for CIRCUIT_OPEN_SECONDS, so a stuck Redis costs one short socket timeout per process in that
time rather than one per call.
"""

import logging
import time
from collections.abc import Callable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CIRCUIT_OPEN_SECONDS = 30.0


class FailOpenRedisCache(RedisCache):
    # Per process and per Redis server list (cache instances are per thread).
    _skip_until: dict[tuple, float] = {}

    @classmethod
    def reset_circuit(cls) -> None:
        """Try Redis again on the next call."""
        cls._skip_until.clear()

    def _call(self, fallback, call: Callable):
        servers = tuple(self._servers)
        if time.monotonic() < self._skip_until.get(servers, 0.0):
            return fallback
        try:
            return call()
        except (RedisError, OSError) as error:
            self._skip_until[servers] = time.monotonic() + CIRCUIT_OPEN_SECONDS
            logger.warning(
                "Cache unavailable (%s: %s); carrying on without it for %d s.",
                type(error).__name__,
                error,
                CIRCUIT_OPEN_SECONDS,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: allauth takes a lock with add() and would otherwise wait a second for it.
        return self._call(
            True, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key, default=None, version=None):
        return self._call(
            default, lambda: super(FailOpenRedisCache, self).get(key, default, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None):
        return self._call(False, lambda: super(FailOpenRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        return self._call({}, lambda: super(FailOpenRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._call(False, lambda: super(FailOpenRedisCache, self).has_key(key, version))

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError, as with any cache.
        return self._call(delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            list(data), lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version)
        )

    def delete_many(self, keys, version=None):
        return self._call(None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._call(False, lambda: super(FailOpenRedisCache, self).clear())
