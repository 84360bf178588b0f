"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's own backend builds a new `redis.Redis` object for every cache call, and building one
copies its table of some 170 response callbacks: about a quarter of a millisecond of CPU per
call, the largest cost of serving a cached page. A client is safe to share between threads
(it takes a connection from the pool for each command), and redis-py resets the pool in a
forked worker, so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


# Delete KEYS[1] only while it holds ARGV[1]: Redis runs a script as one step, so no other client
# can take the key between the check and the delete.
_DELETE_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool

    def validate_key(self, key):
        # Django's check warns about keys memcached would refuse (over 250 characters, spaces); Redis
        # takes any key, and a page-cache hit or an API list reads some forty keys per request.
        pass

    def get_many(self, keys, version=None):
        # As Django's, without a second mapping of every key to its made form.
        keys = list(keys)
        values = self._cache.get_client(None).mget([self.make_key(key, version=version) for key in keys])
        loads = self._cache._serializer.loads
        return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}

    def shares_server_with(self, other) -> bool:
        """True when `other` is this backend on the same Redis servers: one round trip can serve both."""
        return isinstance(other, RedisCache) and other._servers == self._servers

    def count_hit_and_get_many(self, counter, *, timeout: int, keys) -> tuple[int, dict]:
        """`count_hit(counter, timeout=timeout)` and `get_many(keys)` in one round trip. `counter` is a key
        made already (by the cache it is counted in, which `shares_server_with` this one)."""
        keys = list(keys)
        pipeline = self._cache.get_client(None, write=True).pipeline(transaction=False)
        pipeline.incr(counter).expire(counter, timeout).mget([self.make_key(key) for key in keys])
        count, _, values = pipeline.execute()
        loads = self._cache._serializer.loads
        return count, {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}

    def count_hit(self, key, *, timeout: int) -> int:
        """Add one to the count under `key` (from 0 when missing) and keep it `timeout` seconds, in one round trip."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        count, _ = client.pipeline(transaction=True).incr(key).expire(key, timeout).execute()
        return count

    def delete_if_held(self, key, value) -> bool:
        """Delete `key` if it still holds `value` (a lease's holder releasing it), in one round trip;
        True when it was deleted. A get() then a delete() would take two, and could delete the key of a
        holder that took it over in between."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        return bool(client.eval(_DELETE_IF_HELD, 1, key, self._cache._serializer.dumps(value)))
