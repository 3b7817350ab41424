"""Unwrapped data keys, cached per process in a small LRU.

Unwrapping costs one AES-GCM operation plus, with a KMS provider, a network call; a page of
cases touches the same few victims many times. Each entry remembers the wrapped form it came
from, so a key re-wrapped or destroyed by another process is never served stale: the caller
always passes the current DataKey row.
"""

import threading
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING

from django.dispatch import receiver

from .crypto import DataErased
from .keys import get_key_provider, key_caches_reset

if TYPE_CHECKING:
    from .models import DataKey

MAX_ENTRIES = 1024
_cache: OrderedDict[uuid.UUID, tuple[bytes, bytes]] = OrderedDict()
_lock = threading.Lock()


def unwrap_data_key(data_key: "DataKey") -> bytes:
    """The plaintext data key; DataErased if destroyed, DecryptionError if it will not unwrap."""
    if data_key.destroyed_at is not None or not data_key.wrapped_key:
        raise DataErased(f"data key {data_key.pk} was destroyed")
    wrapped = bytes(data_key.wrapped_key)
    with _lock:
        entry = _cache.get(data_key.pk)
        if entry is not None and entry[0] == wrapped:
            _cache.move_to_end(data_key.pk)
            return entry[1]
    dek = get_key_provider().unwrap(data_key.kek_id, wrapped)
    remember(data_key.pk, wrapped, dek)
    return dek


def remember(data_key_id: uuid.UUID, wrapped: bytes, dek: bytes) -> None:
    with _lock:
        _cache[data_key_id] = (bytes(wrapped), dek)
        _cache.move_to_end(data_key_id)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)


def forget(data_key_id: uuid.UUID) -> None:
    with _lock:
        _cache.pop(data_key_id, None)


def forget_all() -> None:
    with _lock:
        _cache.clear()


@receiver(key_caches_reset)
def _on_key_caches_reset(**kwargs) -> None:
    """The keys changed (settings change or reset_key_caches): cached data keys may be stale."""
    forget_all()
