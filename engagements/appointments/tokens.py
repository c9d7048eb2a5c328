"""Partner API tokens looked up once per short period per server process.

Every API call authenticates; in a rush the token (and its prefecture) would be read again
for each booking. A process-local cache keeps what was found for `API_TOKEN_CACHE_SECONDS`
(10 s by default; 0 turns it off). Revoking or deleting a token clears it from the cache of
the process that does it at once (signals below) and from every other process within the
TTL at most. A process-local cache on purpose: the shared cache is the database, a query
as dear as the look-up it would save.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ApiToken

_lock = threading.Lock()
_cache: dict[str, tuple[float, ApiToken]] = {}
_MAX_ENTRIES = 1000


def _ttl() -> float:
    return float(getattr(settings, "API_TOKEN_CACHE_SECONDS", 10))


def lookup(raw: str) -> ApiToken | None:
    """The active token for a raw bearer value (with its prefecture), or None."""
    digest = ApiToken.hash(raw)
    ttl = _ttl()
    now = time.monotonic()
    if ttl > 0:
        with _lock:
            hit = _cache.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
    found = (
        ApiToken.objects.select_related("prefecture")
        .filter(token_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if found is not None and ttl > 0:
        with _lock:
            if len(_cache) >= _MAX_ENTRIES:
                _cache.clear()
            _cache[digest] = (now + ttl, found)
    return found


def forget(token_hash: str | None = None) -> None:
    """Drop one token (or all) from this process's cache."""
    with _lock:
        if token_hash is None:
            _cache.clear()
        else:
            _cache.pop(token_hash, None)


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
def _token_changed(sender, instance: ApiToken, **kwargs) -> None:
    forget(instance.token_hash)
