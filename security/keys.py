"""Key-encryption keys (KEK) and the blind-index root key.

Envelope encryption: each victim has a random data key; only its wrapped form is stored, wrapped
by a KEK that never touches the database. Rotating the KEK re-wraps data keys without touching
any encrypted value. Providers are pluggable (settings.LOIVE_KEY_PROVIDER) so a KMS or HSM can
replace the environment without changing callers.

The blind-index root key is separate and never rotates with the KEK: rotating it would change
every index value and break duplicate detection until everything is re-indexed.
"""

import base64
import binascii
import contextlib
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import Signal, receiver
from django.utils.module_loading import import_string

from .crypto import KEY_BYTES, DecryptionError, InvalidTag, KeyUnavailable, new_key, open_sealed
from .crypto import seal as _seal


class KeyProvider(Protocol):
    def current_kek_id(self) -> str: ...

    def wrap(self, dek: bytes) -> tuple[str, bytes]: ...

    def unwrap(self, kek_id: str, blob: bytes) -> bytes: ...


def kek_id_for(key: bytes) -> str:
    """A short, stable, non-secret name for a key (domain-separated hash, 64 bits)."""
    return hashlib.sha256(b"loive:kek-id\x00" + key).hexdigest()[:16]


def decode_key(value: str, name: str) -> bytes:
    """Base64 (standard or URL-safe) of exactly 32 bytes; the error never echoes the value."""
    text = value.strip()
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} must be the base64 of {KEY_BYTES} random bytes.")
    return key


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


class EnvironmentKeyProvider:
    """KEKs from settings/environment: the current master key plus old ones kept for rotation."""

    def __init__(self) -> None:
        current = _configured_master_key()
        self._current_id = kek_id_for(current)
        self._keys = {self._current_id: current}
        for index, text in enumerate(_old_master_key_texts()):
            key = decode_key(text, f"LOIVE_OLD_MASTER_KEYS[{index}]")
            self._keys.setdefault(kek_id_for(key), key)

    def current_kek_id(self) -> str:
        return self._current_id

    def wrap(self, dek: bytes) -> tuple[str, bytes]:
        kek_id = self._current_id
        return kek_id, _seal(self._keys[kek_id], dek, kek_id.encode())

    def unwrap(self, kek_id: str, blob: bytes) -> bytes:
        key = self._keys.get(kek_id)
        if key is None:
            raise KeyUnavailable(f"key-encryption key {kek_id} is not configured")
        try:
            return open_sealed(key, bytes(blob), kek_id.encode())
        except InvalidTag:
            raise DecryptionError(f"data key does not unwrap under {kek_id}") from None


def _configured_master_key() -> bytes:
    if settings.LOIVE_MASTER_KEY:
        return decode_key(settings.LOIVE_MASTER_KEY, "LOIVE_MASTER_KEY")
    if settings.LOIVE_REQUIRE_MASTER_KEY:
        raise ImproperlyConfigured("LOIVE_MASTER_KEY must be set (base64 of 32 random bytes).")
    return decode_key(_development_keys()["master_key"], "the development key file")


def _old_master_key_texts() -> list[str]:
    value = getattr(settings, "LOIVE_OLD_MASTER_KEYS", None)
    if value is None:
        value = os.environ.get("LOIVE_OLD_MASTER_KEYS", "")
    if isinstance(value, str):
        value = value.split(",")
    return [text.strip() for text in value if text.strip()]


def _development_keys() -> dict[str, str]:
    """The development key file, created on first use with mode 0600 (never in production)."""
    path = Path(settings.LOIVE_KEY_FILE)
    if not path.exists():
        _create_key_file(path)
    return json.loads(path.read_text())


def _create_key_file(path: Path) -> None:
    """Write a complete file then link it into place, so concurrent first uses agree on one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "warning": "Development keys. Never use in production; never commit.",
        "master_key": encode_key(new_key()),
        "index_key": encode_key(new_key()),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keyfile-")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, indent=2)
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):  # another process won: use its keys
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


@cache
def get_key_provider() -> KeyProvider:
    """The configured provider, built once per process (settings changes reset it)."""
    return import_string(settings.LOIVE_KEY_PROVIDER)()


@cache
def index_root_key() -> bytes:
    """Root of every blind-index key: LOIVE_INDEX_KEY, or the development key file."""
    value = getattr(settings, "LOIVE_INDEX_KEY", None) or os.environ.get("LOIVE_INDEX_KEY", "")
    if value:
        return decode_key(value, "LOIVE_INDEX_KEY")
    if settings.LOIVE_REQUIRE_MASTER_KEY:
        raise ImproperlyConfigured("LOIVE_INDEX_KEY must be set (base64 of 32 random bytes).")
    return decode_key(_development_keys()["index_key"], "the development key file")


# Sent after reset_key_caches(): layers above (the data-key cache in keyring) forget what they
# derived from the old keys. A signal keeps the imports one-way: keyring imports keys, never
# the reverse.
key_caches_reset = Signal()


def reset_key_caches() -> None:
    """Forget loaded keys and all unwrapped with them (after a settings change, in tests)."""
    get_key_provider.cache_clear()
    index_root_key.cache_clear()
    key_caches_reset.send(sender=KeyProvider)


@receiver(setting_changed)
def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting.startswith("LOIVE_"):
        reset_key_caches()
