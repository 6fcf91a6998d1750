"""Django's Redis cache, with one client object per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and each
one fills a table of about 170 response callbacks: on the report path that cost more CPU
than the Redis round trips themselves. A ``redis.Redis`` only borrows connections from its
pool, so one per pool serves every thread, and the pool itself notices a fork.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._lock:
                client = self._clients.get(index)
                if client is None:
                    client = self._client(connection_pool=self._get_connection_pool(write))
                    self._clients[index] = client
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient
