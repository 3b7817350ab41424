"""Reads of referrals: who may see which, inboxes and outboxes, consent status."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role, Unit, User
from cases.models import Case, Consent, ConsentStatus
from cases.selectors import case_scope
from cases.visibility import SENSITIVE_SERVICE_KINDS
from config.errors import NotFound
from config.sql import CompiledRead, Lookup
from rulebooks.models import LegalBasis, RuleStep
from security.fields import record_of_row, unless_erased
from security.models import DataKey
from security.policy import need_to_know

from .models import OPEN_STATUSES, Referral, ReferralStatus


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Referrals the user may see (referral_scope), with their latest consent's status."""
    return referrals_in_scope(referral_scope(user))


def referral_scope(user: User) -> Q | None:
    """Who may see which referral: from or to the user's unit, addressed to its kind in its
    province, or of a case the user may see (so a Steering Committee supervisor sees their
    province's). None: no referral at all. The condition holds every value it was built
    from, so that equal conditions select the same referrals (a shape of CompiledRead)."""
    if not user.is_active or user.unit_id is None or user.role == Role.ADMINISTRATOR:
        return None
    unit = user.unit
    scope = (
        Q(from_unit_id=unit.pk)
        | Q(to_unit_id=unit.pk)
        | Q(to_unit__isnull=True, to_kind=unit.kind, to_province_id=unit.province_id)
        | case_scope(user, "case__")
    )
    # Referrals for medical or psychological care are medical records: only the units
    # involved and those whose need-to-know includes them see that they exist.
    known = need_to_know(user.role, unit.kind)
    hidden = [kind for kind, group in SENSITIVE_SERVICE_KINDS.items() if group not in known]
    return scope & (~Q(purpose__in=hidden) | Q(from_unit_id=unit.pk) | Q(to_unit_id=unit.pk))


def referrals_in_scope(scope: Q | None) -> QuerySet[Referral]:
    """The referrals a referral_scope lets see, with their latest consent's status."""
    referrals = Referral.objects.none() if scope is None else Referral.objects.filter(scope)
    return _with_consent_status(referrals)


@dataclass(frozen=True)
class Recipient:
    """Who a referral shares with and why: what a consent must match to cover it."""

    kind: str
    purpose: str
    unit: Unit | None = None

    @classmethod
    def of(cls, referral: Referral) -> "Recipient":
        return cls(referral.to_kind, referral.purpose, referral.to_unit)

    def covered_by(self, consent: Consent) -> bool:
        """Same kind and purpose; a consent naming a unit covers only that unit."""
        unit_matches = consent.unit_id is None or (
            self.unit is not None and consent.unit_id == self.unit.pk
        )
        return (
            consent.recipient_kind == self.kind and consent.purpose == self.purpose
        ) and unit_matches


def _covering(recipient_kind, purpose, unit_id) -> Q:
    return Q(recipient_kind=recipient_kind, purpose=purpose) & (
        Q(unit__isnull=True) | Q(unit_id=unit_id)
    )


def latest_consent(case: Case, recipient: Recipient) -> Consent | None:
    """The victim's latest decision that covers this recipient and purpose: it decides.
    Consent for one purpose says nothing about another; a decision about one unit says
    nothing about the kind's other units."""
    unit_id = recipient.unit.pk if recipient.unit else None
    covering = _covering(recipient.kind, recipient.purpose, unit_id)
    return case.consents.filter(covering).order_by("-recorded_at", "-id").first()


def _with_consent_status(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    latest = Consent.objects.filter(
        _covering(OuterRef("to_kind"), OuterRef("purpose"), OuterRef("to_unit_id")),
        case_id=OuterRef("case_id"),
    ).order_by("-recorded_at", "-id")
    return referrals.select_related(
        "case", "from_unit", "to_unit", "rule", "sent_by", "accepted_by", "data_key", "legal_basis"
    ).annotate(latest_consent_status=Subquery(latest.values("status")[:1]))


def for_a_page(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """A list's referrals with what a row shows: case, units and data key joined, the small
    tables behind the rest (rule, legal basis, people) prefetched, a query each, with only the
    columns a row shows. Joining all of them made PostgreSQL spend ~100 ms planning every page
    (issue 15)."""
    people = User.objects.only("username")
    return (
        referrals.select_related(None)
        .select_related("case", "data_key", "from_unit", "to_unit")
        .prefetch_related(
            Prefetch("rule", RuleStep.objects.only("step", "citation", "is_default")),
            Prefetch("legal_basis", LegalBasis.objects.only("code", "citation")),
            Prefetch("sent_by", people),
            Prefetch("accepted_by", people),
        )
    )


# A referral's columns as the API writes it (serializers.referral_rows): its own, the two
# encrypted ones (decrypted), its case's by the join the visibility condition makes already,
# the legal basis's code (the referral's key to it), and its units', rule's, legal basis's and
# people's looked up for a page's rows only (_SUMMARY_LOOKUPS), under names apart from its
# fields (values() refuses a clash), each by its path from the referral.
_OWN_COLUMNS = (
    "id",
    "uuid",
    "data_key_id",
    "purpose",
    "status",
    "to_kind",
    "to_province_id",
    "field_groups",
    "consent_id",
    "consent_override",
    "due_at",
    "sent_at",
    "accepted_at",
    "rejected_at",
    "completed_at",
    "withdrawn_at",
    "overdue_at",
)
_ENCRYPTED_COLUMNS = ("justification", "reason")
_JOINED_COLUMNS = {
    "case_uuid": "case__uuid",
    "case_number": "case__number",
    "legal_basis_code": "legal_basis_id",
}
_LOOKED_UP_COLUMNS = {
    "from_code": "from_unit__code",
    "to_code": "to_unit__code",
    "step": "rule__step",
    "citation": "rule__citation",
    "rule_is_default": "rule__is_default",
    "legal_basis_citation": "legal_basis__citation",
    "sent_by_username": "sent_by__username",
    "accepted_by_username": "accepted_by__username",
}
_RELATED_COLUMNS = _JOINED_COLUMNS | _LOOKED_UP_COLUMNS
_SUMMARY_LOOKUPS = tuple(
    Lookup(name, Referral._meta.get_field(relation), column)
    for name, path in _LOOKED_UP_COLUMNS.items()
    for relation, column in [path.split("__")]
)
_LOOKUP_KEYS = tuple(dict.fromkeys(lookup.key.attname for lookup in _SUMMARY_LOOKUPS))


def compiled_summaries(select: Callable[..., QuerySet[Referral]]) -> CompiledRead:
    """The referrals `select(*args)` finds (referrals_in_scope, filtered, ordered by their
    columns, sliced) read as the API writes them, for summary_columns: their own columns and
    their case's, and the small tables' looked up for the rows found (_SUMMARY_LOOKUPS),
    compiled once per shape (CompiledRead)."""
    return CompiledRead(lambda *args: _summary_read(select(*args)), lookups=_SUMMARY_LOOKUPS)


def _summary_read(referrals: QuerySet[Referral]) -> QuerySet:
    return referrals.values(
        *_OWN_COLUMNS,
        *_ENCRYPTED_COLUMNS,
        *_LOOKUP_KEYS,
        "latest_consent_status",
        **{name: F(path) for name, path in _JOINED_COLUMNS.items()},
    )


def summary_columns(rows: list[dict]) -> list[dict]:
    """The rows of a compiled_summaries read, with one more query for their data keys: no
    model per row nor prefetch (a page of models cost ~40% of the overdue page's time, issue
    15). Justification and reason come decrypted, None once the case's identity was erased."""
    sealed = [row for row in rows if any(row[name] is not None for name in _ENCRYPTED_COLUMNS)]
    keys = DataKey.objects.in_bulk({row["data_key_id"] for row in sealed})
    for row in sealed:  # a NULL needs no key: no record is built for it
        record = record_of_row(Referral, row, keys[row["data_key_id"]])
        row.update((name, unless_erased(record, name)) for name in _ENCRYPTED_COLUMNS)
    return rows


def columns_of(referral: Referral) -> dict:
    """A referral loaded as a model, as summary_columns reads it: its case, units, rule, legal
    basis, people and data key loaded with it, and latest_consent_status (for_a_page)."""
    row = {name: getattr(referral, name) for name in _OWN_COLUMNS}
    row.update((name, unless_erased(referral, name)) for name in _ENCRYPTED_COLUMNS)
    row.update((name, _follow(referral, path)) for name, path in _RELATED_COLUMNS.items())
    row["latest_consent_status"] = getattr(referral, "latest_consent_status", None)
    return row


def _follow(record, path: str):
    """The value at the end of a path of relations (case__uuid), None past an empty one."""
    for name in path.split("__"):
        if record is None:
            return None
        record = getattr(record, name)
    return record


def referrals_in_box(user: User, box: str = "") -> QuerySet[Referral]:
    """`inbox`: addressed to the user's unit (or its kind and province); `outbox`: sent by it;
    anything else: every referral the user may see."""
    referrals = visible_referrals(user)
    if box == "outbox":
        return referrals.filter(from_unit_id=user.unit_id)
    if box == "inbox":
        unit = user.unit
        return referrals.filter(
            Q(to_unit_id=unit.pk)
            | Q(to_unit__isnull=True, to_kind=unit.kind, to_province_id=unit.province_id)
        )
    return referrals


def awaiting_routing(user: User) -> QuerySet[Referral]:
    """Open referrals addressed to the kind of the user's unit in its province, no unit named
    yet: what a supervisor there routes (services.route_referral), oldest deadline first."""
    if user.role != Role.SUPERVISOR:
        return Referral.objects.none()
    waiting = referrals_in_box(user, "inbox").filter(to_unit__isnull=True)
    return waiting.filter(status=ReferralStatus.SENT).order_by("due_at", "pk")


def routing_units(referral: Referral) -> QuerySet[Unit]:
    """The active units a referral to a kind in a province may be routed to."""
    units = Unit.objects.filter(is_active=True, kind=referral.to_kind)
    return units.filter(province_id=referral.to_province_id).order_by("name")


def referral_units(case: Case, kinds: list[str], *, exclude_unit_id: int | None = None):
    """The active units of these kinds a case may be referred to: those of the case's
    province as it is today, and the national ones (no province: ministries, missions)."""
    units = Unit.objects.filter(is_active=True, kind__in=kinds).exclude(pk=exclude_unit_id)
    province = case_province_today(case)
    where = Q(province__isnull=True)
    if province is not None:
        where |= Q(province=province)
    return units.filter(where).order_by("kind", "name")


def case_province_today(case: Case):
    """The case's province as it is called today (a merged province: the one it joined)."""
    return case.province.as_of(timezone.localdate()) if case.province_id else None


def get_visible_referral(user: User, referral_id) -> Referral:
    """The referral if the user may know it exists; otherwise 404 (no existence leak)."""
    try:
        return visible_referrals(user).get(uuid=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such referral.")) from exc


def consent_withdrawn(referral: Referral) -> bool:
    """An open referral whose recipient and purpose the victim has refused or withdrawn."""
    return consent_refused(referral.status, getattr(referral, "latest_consent_status", None))


def consent_refused(status: str, latest_consent_status: str | None) -> bool:
    """consent_withdrawn for a referral's status and its latest consent's, read as columns."""
    return status in OPEN_STATUSES and latest_consent_status not in (None, ConsentStatus.GIVEN)


def count_overdue(now: datetime) -> int:
    """How many referrals, across every unit, still wait for an answer past their deadline
    (the metrics gauge: a figure, nothing about any case)."""
    return Referral.objects.filter(status=ReferralStatus.SENT, due_at__lte=now).count()
