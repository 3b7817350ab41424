"""Small presentation helpers of the pages."""

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind
from cases.lifecycle import TRANSITIONS
from cases.models import (
    AgeGroup,
    CaseHolding,
    CaseState,
    Channel,
    ConsentStatus,
    IdentificationDocument,
    PersonRole,
    ProtectionKind,
    Recommendation,
    ScreeningIndicator,
    ServiceStatus,
    Sex,
    TraffickingPurpose,
    VerificationOutcome,
)
from crossborder.models import Outcome, RequestKind
from rulebooks.models import SupportServiceKind
from rulebooks.purposes import ReferralPurpose

from ..countries import COUNTRIES, country_name

register = template.Library()


@register.filter
def time_left(seconds: int | None) -> str:
    """ "2 days 3 h left" or "overdue by 5 h", in the user's language."""
    if seconds is None:
        return "–"
    late = seconds < 0
    seconds = abs(seconds)
    days, hours = seconds // 86400, seconds % 86400 // 3600
    if days:
        amount = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        if hours:
            amount += " " + gettext("%(n)d h") % {"n": hours}
    elif hours:
        amount = gettext("%(n)d h") % {"n": hours}
    else:
        amount = gettext("%(n)d min") % {"n": seconds // 60}
    return (gettext("overdue by %(t)s") if late else gettext("%(t)s left")) % {"t": amount}


# Labels of the codes a case's records hold, for people to read.
_CHOICES: dict[str, str] = {}
for _choices in (
    Recommendation,
    VerificationOutcome,
    ScreeningIndicator,
    TraffickingPurpose,
    IdentificationDocument,
    ProtectionKind,
    ServiceStatus,
    ConsentStatus,
    SupportServiceKind,
    AgencyKind,
    Channel,
    PersonRole,
    Sex,
    AgeGroup,
    CaseHolding.Basis,
    CaseState,
    ReferralPurpose,
    RequestKind,
    Outcome,
):
    _CHOICES.update({str(value): label for value, label in _choices.choices})

_CHOICES.update({name: rule.label for name, rule in TRANSITIONS.items()})

EVENT_LABELS = {
    "intake": _("Intake"),
    "screening": _("Screening"),
    "verification": _("Verification"),
    "identification": _("Identification"),
    "protection": _("Protection measure"),
    "service": _("Support service"),
    "transition": _("Stage change"),
    "deadline": _("Stage deadline"),
    "referral_sent": _("Referral sent"),
    "referral_accepted": _("Referral accepted"),
    "referral_rejected": _("Referral rejected"),
    "referral_completed": _("Referral completed"),
    "referral_withdrawn": _("Referral withdrawn"),
    "escalation": _("Escalation"),
    "crossborder_request": _("Request to or from a foreign counterpart"),
    "crossborder_request:outgoing": _("Request sent to a foreign counterpart"),
    "crossborder_request:incoming": _("Request received from a foreign counterpart"),
    "crossborder_answer": _("Answer to a cross-border request"),
    "crossborder_answer:outgoing": _("Answer from a foreign counterpart"),
    "crossborder_answer:incoming": _("Answer to a foreign counterpart"),
    "crossborder_escalation": _("Late cross-border answer escalated"),
    "border_handover": _("Handover at a border gate"),
}


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


@register.filter
def event_title(event: dict) -> str:
    """The event's label; a cross-border one says which way it went."""
    kind = event.get("kind", "")
    if direction := event.get("direction"):
        return str(EVENT_LABELS.get(f"{kind}:{direction}", EVENT_LABELS.get(kind, kind)))
    return event_label(kind)


@register.filter
def country(code: str) -> str:
    return country_name(code) or "–"


# Labels of the keys of cases.visibility.case_records.
FIELD_LABELS = {
    "full_name": _("full name"),
    "other_names": _("other names"),
    "birth_date": _("date of birth"),
    "birth_year": _("year of birth"),
    "stated_age": _("stated age"),
    "languages": _("languages spoken"),
    "id_number": _("ID or passport number"),
    "phone": _("phone"),
    "address": _("address"),
    "role": _("role in the case"),
    "sex": _("sex"),
    "age_group": _("age group"),
    "nationality": _("nationality"),
    "relationship": _("relationship to the victim"),
    "indicators": _("indicators present"),
    "purposes": _("purposes suspected"),
    "recommendation": _("recommendation"),
    "screened_at": _("screened at"),
    "outcome": _("outcome"),
    "finding": _("finding"),
    "unit": _("unit"),
    "recorded_at": _("recorded at"),
    "is_victim": _("identified as a victim"),
    "document_type": _("document type"),
    "document_number": _("document number"),
    "issuing_unit": _("issuing unit"),
    "decided_at": _("decided at"),
    "partner_authority": _("partner authority"),
    "country": _("country"),
    "requested_at": _("requested at"),
    "rescued_at": _("rescued at"),
    "kind": _("kind"),
    "starts_at": _("starts at"),
    "ends_at": _("ends at"),
    "limit_citation": _("legal source of the limit"),
    "refused": _("refused by the person"),
    "details": _("details"),
    "status": _("status"),
    "provider_unit__code": _("provider"),
    "provided_at": _("provided at"),
    "declined_at": _("declined at"),
    "amount": _("amount"),
    "currency": _("currency"),
    "recipient_kind": _("recipient agency kind"),
    "purpose": _("purpose"),
    "given_by": _("given by"),
    "unit__code": _("unit"),
    "basis": _("basis"),
    "since": _("since"),
    "until": _("until"),
    "channel": _("channel"),
    "received_at": _("received at"),
    "narrative": _("what was reported"),
    "linked_as_duplicate": _("linked to an existing case"),
}
HIDDEN_KEYS = {"id", "reasons", "province", "language", "interpreter_needed"}


@register.filter
def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


@register.filter
def shown_items(record: dict) -> list[tuple[str, object]]:
    return [(key, value) for key, value in record.items() if key not in HIDDEN_KEYS]


@register.filter
def code_label(value) -> str:
    """A stored code as words; lists joined; dates dd/mm/yyyy; yes/no."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return ", ".join(code_label(item) for item in value)
    if value in (None, ""):
        return "–"
    text = str(value)
    if text in COUNTRIES:
        return country_name(text)
    if ":" in text and text not in _CHOICES:  # "request kind:its outcome"
        return ": ".join(code_label(part) for part in text.split(":"))
    return str(_CHOICES.get(text, text))


@register.filter
def lookup(mapping: dict, key):
    return mapping.get(key, key) if key else "–"
