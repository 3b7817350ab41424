"""Files encrypted under a record's data key: the envelope of the encrypted fields (version
byte + data key id, nonce, ciphertext + tag), bound to the record that owns the file.

Documents are too large for a database column and live in a storage backend; sealing them
under the victim's data key means destroying that key (crypto-shredding) erases them as well.
"""

from django.db import models

from .crypto import DecryptionError, InvalidTag, make_header, open_sealed, parse_header, seal
from .keyring import unwrap_data_key


def seal_file(record: models.Model, content: bytes) -> bytes:
    """The stored form of a file owned by `record` (an EncryptedModel with its data key)."""
    header = make_header(record.data_key_id)
    key = unwrap_data_key(record.data_key)
    return header + seal(key, content, _associated_data(record, header))


def open_file(record: models.Model, stored: bytes) -> bytes:
    """The file's content; DecryptionError if it was moved, swapped, tampered or erased."""
    data_key_id, header, body = parse_header(stored)
    if data_key_id != record.data_key_id:
        raise DecryptionError(f"file of {record._meta.label} {record.uuid}: another data key")
    key = unwrap_data_key(record.data_key)
    try:
        return open_sealed(key, body, _associated_data(record, header))
    except InvalidTag:
        raise DecryptionError(
            f"file of {record._meta.label} {record.uuid}: authentication failed"
        ) from None


def _associated_data(record: models.Model, header: bytes) -> bytes:
    parts = ["loive-file-v1", record._meta.label, str(record.uuid)]
    return "\x00".join(parts).encode() + b"\x00" + header
