"""Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field").

A key is stored only as a digest scoped to the user who sent it, together with a fingerprint
of the request: a keyed hash (HMAC-SHA256, its key derived from the blind-index root key) of
the canonical JSON body, so that a stolen table neither reveals the keys nor lets anyone test
guesses of what a report said. The same key with the same body replays the first answer;
with another body it is refused (`IdempotencyKeyReused`).
"""

import hashlib
import hmac
import json

from .blind_index import purpose_key

MAX_KEY_LENGTH = 255
_FINGERPRINT = "idempotency-fingerprint"


def key_digest(user_id: int, key: str) -> str:
    """The stored form of a user's Idempotency-Key (never the key itself)."""
    return hashlib.sha256(f"{user_id}:{key}".encode()).hexdigest()


def canonical_json(body) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same body always gives the
    same bytes, however the client ordered or spaced it."""
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def fingerprint(body) -> str:
    """The request fingerprint: a keyed hash of the canonical body."""
    return hmac.new(purpose_key(_FINGERPRINT), canonical_json(body), hashlib.sha256).hexdigest()
