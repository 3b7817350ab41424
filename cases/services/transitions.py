"""Moving a case through its stages (chuyển giai đoạn): the one way a case's stage changes."""

from typing import TypedDict, Unpack
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agencies.models import Unit, User
from config.errors import Conflict, InvalidInput, NotFound
from config.keywords import refuse_unknown
from config.sql import CompiledRead, Slot
from security.audit import record_event
from security.models import DataKey, remember_data_key_held

from .. import permissions, requirements
from ..models import Case, StateChange
from ..signals import stage_changed


class Change(TypedDict, total=False):
    """What a transition is given besides its name: the records some transitions require
    (requirements), and the version of the case the caller read."""

    reason: str
    closure_reason: str
    duplicate_of: Case | None
    expected_version: int | None


def transition_case(actor: User, case: Case, name: str, **change: Unpack[Change]) -> Case:
    """Move the case through the state machine (chuyển giai đoạn), or refuse with a clear error.

    The row is locked for the whole change, so of two concurrent changes one waits and then
    sees the new state; a client that read an older version gets 409 instead of overwriting.
    """
    refuse_unknown(change, Change)
    with transaction.atomic():
        return _transition(actor, _locked("id", case.pk), name, change)


def transition_visible_case(
    actor: User, case_id: UUID, name: str, **change: Unpack[Change]
) -> Case:
    """transition_case for a case named by its id, as the API moves one: 404 unless the actor
    may see it (no existence leak), before anything else is said about it.

    Whether they may is read once, under the case's lock, so it is as fresh as the rest of the
    checks; for a supervisor that read is also their right to close and reopen (issue 15: the
    API read the case's visibility before the lock, and the supervisor's permission read it
    again under it).
    """
    refuse_unknown(change, Change)
    with transaction.atomic():
        try:
            case = _locked("uuid", case_id)
        except Case.DoesNotExist as exc:
            raise NotFound(_("No such case.")) from exc
        if not permissions.may_see(actor, case):
            raise NotFound(_("No such case."))
        return _transition(actor, case, name, change, sees=True)


def _transition(
    actor: User, case: Case, name: str, change: Change, sees: bool | None = None
) -> Case:
    """The change itself, on the case row locked by the caller's transaction; `sees`: whether
    the actor may see the case, when the caller has read it under the lock."""
    given = {
        "reason": change.get("reason", ""),
        "closure_reason": change.get("closure_reason", ""),
        "duplicate_of": change.get("duplicate_of"),
    }
    expected_version = change.get("expected_version")
    if expected_version is not None and expected_version != case.version:
        raise Conflict(_("The case was changed by someone else; reload it."), "stale")
    _check(actor, case, name, given, sees)
    source = case.state
    _move(case, name, given)
    StateChange.objects.create(
        case=case,
        data_key_id=case.data_key_id,
        transition=name,
        source=source,
        target=case.state,
        actor=actor,
        unit=actor.unit,
        at=timezone.now(),
        reason=given["reason"],
    )
    stage_changed.send(Case, case=case)  # the process follows once this commits
    record_event(
        "case.transition",
        actor=actor,
        case=case,
        # The reason may describe the person: it is kept encrypted on the stage change,
        # the ledger (in clear, never erased) only says one was given.
        details={
            "transition": name,
            "from": source,
            "to": case.state,
            "reason_given": bool(given["reason"]),
        },
    )
    return case


# The case row locked for a transition, with its lead unit for the caller's answer
# (CaseSummarySerializer), by its id or uuid, and with its data key, which the stage change
# is encrypted under. FOR NO KEY UPDATE, as the UPDATE that follows changes no key: rows that
# only point to the case (a stage change, a referral) can be added meanwhile, and every other
# change of the case, which locks it FOR UPDATE, waits. The data key's row is share-locked in
# the same statement (`also`), as the saves would have locked it in one more (security.models:
# a re-encryption waits for the transition, or the transition for it, and then sees the key
# replaced). Compiled once, as building and compiling the locking read through the ORM cost
# more CPU than the database takes to answer it (issue 15). The instances are made from the
# row as the ORM makes them.
_CASE_COLUMNS = tuple(field.attname for field in Case._meta.concrete_fields)
_UNIT_COLUMNS = tuple(field.attname for field in Unit._meta.concrete_fields)
_KEY_COLUMNS = tuple(field.attname for field in DataKey._meta.concrete_fields)
_LOCKED_CASE = CompiledRead(
    lambda key: (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .filter(**{key: Slot("case", Case._meta.get_field(key))})
        .values(
            *_CASE_COLUMNS,
            *(f"lead_unit__{column}" for column in _UNIT_COLUMNS),
            *(f"data_key__{column}" for column in _KEY_COLUMNS),
        )
    ),
    also=lambda connection: (
        # FOR SHARE, as EncryptedModel.save() holds it: other saves under it never wait.
        f" FOR SHARE OF {connection.ops.quote_name(DataKey._meta.db_table)}"
        if connection.features.has_select_for_update_of
        else ""
    ),
)


def _locked(key: str, value) -> Case:
    """The case whose `key` ("id" or "uuid") is `value`, its row and its data key's locked
    until the commit."""
    rows = _LOCKED_CASE.rows(key, case=value) or (
        # None: no such case, or its data key was replaced while the lock was waited for (the
        # read then rechecks the case, not the join to the key it had read): read again.
        _LOCKED_CASE.rows(key, case=value)
    )
    if not rows:
        raise Case.DoesNotExist
    row = rows[0]
    case = _from_row(Case, row, _CASE_COLUMNS)
    if case.lead_unit_id is not None:
        Case.lead_unit.field.set_cached_value(
            case, _from_row(Unit, row, _UNIT_COLUMNS, "lead_unit__")
        )
    data_key = _from_row(DataKey, row, _KEY_COLUMNS, "data_key__")
    Case.data_key.field.set_cached_value(case, data_key)
    remember_data_key_held(data_key)  # the saves need not lock it again
    return case


def _from_row(model, row: dict, columns: tuple[str, ...], prefix: str = ""):
    return model.from_db(DEFAULT_DB_ALIAS, columns, [row[prefix + column] for column in columns])


def _check(actor: User, case: Case, name: str, given: dict, sees: bool | None) -> None:
    """The transition's row allows it now (409), for this actor (403), with its records (400)."""
    permissions.transition_rule(case, name)
    permissions.require_transition_actor(actor, case, name, sees=sees)
    if missing := requirements.missing_for(case, name, **given):
        raise InvalidInput(
            _("Record first: %(missing)s.") % {"missing": ", ".join(missing)},
            "missing_records",
        )


# What a transition changes on the case row (the methods of Case's state machine set no
# other field): the UPDATE writes these, not the whole row again.
MOVED_FIELDS = (
    "state",
    "state_before_closure",
    "closure_reason",
    "duplicate_of",
    "version",
    "updated_at",
)


def _move(case: Case, name: str, given: dict) -> None:
    try:
        getattr(case, name)(**given)
        case.version += 1
        case.save(update_fields=MOVED_FIELDS)
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise Conflict(_("The case moved on meanwhile; reload it."), "conflict") from exc
