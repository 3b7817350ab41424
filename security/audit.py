"""The audit ledger: append-only, hash-chained, gapless.

Writers append events unsealed (no sequence, no hash) without taking any lock, in their own
transaction: an intake or a transition never waits for another one's audit. One sealer
(`seal_pending`, run every few seconds by Celery beat, by `seal_audit` and before `verify_audit`
and backups) then chains the committed events in commit order: each gets the next sequence,
the previous event's hash and its own hash, which covers the canonical JSON of all its fields
and that previous hash. Changing, removing, inserting or reordering any sealed event breaks a
link. The sealer alone locks the chain head (the last sealed event), so sealers never
interleave, and writers never see that lock.

Commit order: the sealer sees only committed events; an event whose transaction commits after
a sealing run is sealed by the next run, after every event sealed before it. Within one run,
events are chained in the order they were written (their row id).
"""

import datetime
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Min, Subquery

from config.keywords import refuse_unknown

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
SEAL_BATCH = 1000
_SECRET_KEY_NAMES = re.compile(
    r"password|passwd|secret|token|credential|private_key|master_key|wrapped_key|^otp$|^pin$",
    re.IGNORECASE,
)


class AuditChainError(Exception):
    """The ledger cannot be extended safely (its head is missing or inconsistent)."""


class EventAbout(TypedDict, total=False):
    """What an event is about, each optional: who acted, on which case (or its id) and which
    saved record, the reason they gave, and details (JSON, no secret-looking keys)."""

    actor: AbstractBaseUser | AnonymousUser | None
    case: models.Model | uuid.UUID | None
    obj: models.Model | None
    reason: str
    details: dict | None


def new_event(action: str, **about: Unpack[EventAbout]) -> AuditEvent:
    """An event as record_event appends it, not yet written (record_events writes several)."""
    refuse_unknown(about, EventAbout)
    return AuditEvent(
        timestamp=datetime.datetime.now(datetime.UTC),
        action=action,
        reason=about.get("reason") or "",
        details=_clean_details(about.get("details") or {}),
        case_uuid=_case_uuid(about.get("case")),
        **_actor_fields(about.get("actor")),
        **_object_fields(about.get("obj")),
    )


def record_event(action: str, **about: Unpack[EventAbout]) -> AuditEvent:
    """Append one unsealed event (one INSERT, no lock), as new_event makes it; it joins the
    caller's transaction, so it commits or rolls back with it. The sealer chains it once it
    is committed."""
    event = new_event(action, **about)
    event.save(force_insert=True)
    return event


def record_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append several unsealed events (new_event) in one INSERT, as record_event appends one:
    in the caller's transaction, in this order (the sealer chains them by row id)."""
    return AuditEvent.objects.bulk_create(events)


def seal_pending(*, batch_size: int = SEAL_BATCH) -> int:
    """Chain every committed unsealed event; return how many were sealed.

    One transaction per batch, each under the lock of the chain head: a second sealer waits,
    then finds only what the first left. Raises AuditChainError when the head is missing from
    a ledger that has sealed events (run verify_audit).
    """
    sealed = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            if head is None:
                raise AuditChainError("The audit chain head is missing; run verify_audit.")
            batch = list(AuditEvent.objects.filter(hash__isnull=True).order_by("id")[:batch_size])
            for event in batch:
                event.sequence, event.prev_hash = head.sequence + 1, head.hash
                event.hash = compute_hash(event)
                head.sequence, head.hash = event.sequence, event.hash
            if batch:
                AuditEvent.objects.bulk_update(batch, ["sequence", "prev_hash", "hash"])
                head.save(update_fields=["sequence", "hash"])
        sealed += len(batch)
        if len(batch) < batch_size:
            return sealed


def oldest_unsealed() -> datetime.datetime | None:
    """When the oldest event still waiting for the sealer was written (None: none waits)."""
    return AuditEvent.objects.filter(hash__isnull=True).aggregate(oldest=Min("timestamp"))["oldest"]


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
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None and not self.problem


def verify_chain() -> ChainReport:
    """Recompute every link of the sealed events; report the first event that does not fit.

    Events still waiting for the sealer are counted, not verified. The newest sequence is read
    before the head and only events up to the larger of the two are walked: a sealer running
    meanwhile adds events only above both, and causes no false alarm.
    """
    newest_before = AuditEvent.objects.aggregate(newest=Max("sequence"))["newest"] or 0
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    sealed = AuditEvent.objects.filter(sequence__isnull=False)
    if head is not None:  # without a head, walk everything: how far does the chain hold?
        sealed = sealed.filter(sequence__lte=max(newest_before, head_sequence))
    for event in sealed.order_by("sequence").iterator(chunk_size=2000):
        broken = _broken_link(event, expected, prev_hash)
        if broken:
            return ChainReport(checked, *broken)
        expected, prev_hash, checked = expected + 1, event.hash, checked + 1
    if head is not None and expected - 1 > head_sequence:  # the head only moves forward
        return ChainReport(
            checked, head_sequence + 1, f"events after the head (#{head_sequence}) were added"
        )
    if (head_sequence, head_hash) != (expected - 1, prev_hash):
        return ChainReport(
            checked, expected, f"events after {expected - 1} are missing (head: {head_sequence})"
        )
    half = AuditEvent.objects.filter(sequence__isnull=True).exclude(hash__isnull=True, prev_hash="")
    if half.exists():
        return ChainReport(checked, expected, "an event holds a hash but no place in the chain")
    return ChainReport(checked, unsealed=AuditEvent.objects.filter(hash__isnull=True).count())


def audit_head_problem() -> str:
    """What is wrong with the ledger's head (the head row and the newest sealed event, read in
    one statement so that a sealer committing meanwhile cannot make them disagree), or ""."""
    newest = AuditEvent.objects.filter(sequence__isnull=False).order_by("-sequence")
    found = (
        AuditChainHead.objects.filter(pk=1)
        .annotate(
            last_sequence=Subquery(newest.values("sequence")[:1]),
            last_hash=Subquery(newest.values("hash")[:1]),
        )
        .values_list("sequence", "hash", "last_sequence", "last_hash")
        .first()
    )
    if found is None:
        if AuditEvent.objects.filter(sequence__isnull=False).exists():
            return "the audit chain head is missing"
        return ""
    head_sequence, head_hash, last_sequence, last_hash = found
    if (head_sequence, head_hash) != (last_sequence or 0, last_hash or GENESIS_HASH):
        return f"the audit chain head (#{head_sequence}) does not match the newest event"
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
    """The chain head, locked (by the sealer only); None when it is missing from a ledger that
    has sealed events."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:  # a new or flushed ledger; concurrent first sealers race on the primary key
        with transaction.atomic():
            head = AuditChainHead.objects.create(pk=1, sequence=0, hash=GENESIS_HASH)
            if AuditEvent.objects.filter(sequence__isnull=False).exists():
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
