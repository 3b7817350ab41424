"""AES-256-GCM primitives and the errors every encrypted read can raise.

Errors never carry plaintext or ciphertext: messages name the model, field and record only,
so they are safe to log and to show in a traceback.
"""

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
# Version byte + the 16-byte id of the data key that encrypted the value.
HEADER_BYTES = 1 + 16


class CryptoError(Exception):
    """Base class: something about keys or ciphertexts is wrong; fail closed."""


class DecryptionError(CryptoError):
    """A value cannot be decrypted (wrong key, wrong row or field, tampering, bad format)."""


class DataErased(DecryptionError):
    """The victim's data key was destroyed (crypto-shredding): the value is gone for good."""


class KeyUnavailable(DecryptionError):
    """The key-encryption key that wrapped a data key is not configured."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Nonce + ciphertext + tag; a random 96-bit nonce is safe for the volumes we handle."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    """Inverse of seal; raises InvalidTag (callers translate it) on any mismatch."""
    if len(blob) < NONCE_BYTES + 16:
        raise InvalidTag
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)


def make_header(data_key_id: uuid.UUID) -> bytes:
    return bytes([FORMAT_VERSION]) + data_key_id.bytes


def parse_header(stored: bytes) -> tuple[uuid.UUID, bytes, bytes]:
    """Split a stored value into (data key id, header, body); DecryptionError if malformed."""
    if len(stored) < HEADER_BYTES + NONCE_BYTES + 16 or stored[0] != FORMAT_VERSION:
        raise DecryptionError("unknown or malformed ciphertext format")
    header = stored[:HEADER_BYTES]
    return uuid.UUID(bytes=header[1:]), header, stored[HEADER_BYTES:]


__all__ = [
    "CryptoError",
    "DataErased",
    "DecryptionError",
    "InvalidTag",
    "KeyUnavailable",
    "make_header",
    "new_key",
    "open_sealed",
    "parse_header",
    "seal",
]
