"""Whether encrypted values decrypt on access, per context (the lowest layer of security/).

Django copies field values between instances in refresh_from_db; under raw_reads() encrypted
attributes hand back their sealed form instead of decrypting, so a reload stays sealed (and
works for a record whose data key was destroyed). Lives below models and fields so both can
use it without importing each other.
"""

import contextlib
import contextvars
from collections.abc import Iterator

_raw_reads = contextvars.ContextVar("loive_raw_reads", default=False)


@contextlib.contextmanager
def raw_reads() -> Iterator[None]:
    """Let Django copy sealed values between instances (refresh_from_db) without decrypting."""
    token = _raw_reads.set(True)
    try:
        yield
    finally:
        _raw_reads.reset(token)


def reading_raw() -> bool:
    """True inside raw_reads(): encrypted attributes stay sealed."""
    return _raw_reads.get()
