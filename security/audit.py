"""The audit ledger: append-only, hash-chained, gapless.

Each event's hash covers the canonical JSON of all its fields and the previous event's hash, so
changing, removing or reordering any event breaks every later link. Sequences are assigned
under a lock on a single chain-head row, which also serialises writers: a gapless chain and
concurrency cannot both be had otherwise.
"""

import datetime
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
_SECRET_KEY_NAMES = re.compile(
    r"password|passwd|secret|token|credential|private_key|master_key|wrapped_key|^otp$|^pin$",
    re.IGNORECASE,
)


class AuditChainError(Exception):
    """The ledger cannot be extended safely (its head is missing or inconsistent)."""


def record_event(
    action: str,
    *,
    actor=None,
    case=None,
    obj: models.Model | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event; joins the caller's transaction so it commits or rolls back with it
    (without a savepoint of its own: a failed append fails the caller's transaction)."""
    event = AuditEvent(
        timestamp=datetime.datetime.now(datetime.UTC),
        action=action,
        reason=reason or "",
        details=_clean_details(details or {}),
        case_uuid=_case_uuid(case),
        **_actor_fields(actor),
        **_object_fields(obj),
    )
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        if head is not None:
            event.sequence = head.sequence + 1
            event.prev_hash = head.hash
            event.hash = compute_hash(event)
            event.save(force_insert=True)
            head.sequence, head.hash = event.sequence, event.hash
            head.save(update_fields=["sequence", "hash"])
    if head is None:  # raised out here: the caller's transaction is left usable
        raise AuditChainError("The audit chain head is missing; run verify_audit.")
    return event


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(event_payload(event)).encode("utf-8")).hexdigest()


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """Every field that the hash covers (all but the hash itself and the row id)."""
    return {
        "sequence": event.sequence,
        "timestamp": event.timestamp.astimezone(datetime.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_unit_id": event.actor_unit_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "case_uuid": str(event.case_uuid) if event.case_uuid else None,
        "reason": event.reason,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def canonical_json(data: Any) -> str:
    return json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None and not self.problem


def verify_chain() -> ChainReport:
    """Recompute every link; report the first event that does not fit."""
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        broken = _broken_link(event, expected, prev_hash)
        if broken:
            return ChainReport(checked, *broken)
        expected, prev_hash, checked = expected + 1, event.hash, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    if (head_sequence, head_hash) != (expected - 1, prev_hash):
        return ChainReport(
            checked, expected, f"events after {expected - 1} are missing (head: {head_sequence})"
        )
    return ChainReport(checked)


def audit_head_problem() -> str:
    """What is wrong with the ledger's head (cheap: the head row and the newest event), or ""."""
    head = AuditChainHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    if head is None:
        return "" if last is None else "the audit chain head is missing"
    found = (last.sequence, last.hash) if last else (0, GENESIS_HASH)
    if (head.sequence, head.hash) != found:
        return f"the audit chain head (#{head.sequence}) does not match the newest event"
    return ""


def _broken_link(event: AuditEvent, expected: int, prev_hash: str) -> tuple[int, str] | None:
    """(first broken sequence, what is wrong), or None when the event fits the chain."""
    if event.sequence != expected:
        return expected, f"event {expected} is missing (next found: {event.sequence})"
    if event.prev_hash != prev_hash:
        return expected, "previous-hash link does not match the event before it"
    if compute_hash(event) != event.hash:
        return expected, "content does not match its hash (edited)"
    return None


def _locked_head() -> AuditChainHead | None:
    """The chain head, locked; None when it is missing from a ledger that has events."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:  # a new or flushed ledger; concurrent first writers race on the primary key
        with transaction.atomic():
            head = AuditChainHead.objects.create(pk=1, sequence=0, hash=GENESIS_HASH)
            if AuditEvent.objects.exists():
                raise AuditChainError  # undoes the new head (its savepoint)
            return head
    except AuditChainError:
        return None
    except IntegrityError:
        return AuditChainHead.objects.select_for_update().get(pk=1)


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_unit_id": None}
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_unit_id": getattr(actor, "unit_id", None),
    }


def _object_fields(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {"object_type": "", "object_id": ""}
    identifier = getattr(obj, "uuid", None) or obj.pk
    if identifier is None:
        raise ValueError("Audit an object only after it is saved.")
    return {"object_type": obj._meta.label, "object_id": str(identifier)}


def _case_uuid(case) -> uuid.UUID | None:
    if case is None or isinstance(case, uuid.UUID):
        return case
    return case.uuid


def _clean_details(details: dict) -> dict:
    """Store exactly what is hashed (JSON round trip) and refuse anything secret-looking."""
    _refuse_secrets(details)
    return json.loads(canonical_json(details))


def _refuse_secrets(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if _SECRET_KEY_NAMES.search(str(key)):
                raise ValueError(f"Audit details must not hold secrets (key {key!r}).")
            _refuse_secrets(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_secrets(item)


def _json_default(value: Any) -> str:
    if isinstance(value, uuid.UUID | Decimal | datetime.date | datetime.time):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    raise TypeError(f"{type(value).__name__} is not allowed in audit details")
