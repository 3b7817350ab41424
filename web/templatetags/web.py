"""Small presentation helpers of the pages."""

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

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
from rulebooks.models import SupportServiceKind
from rulebooks.purposes import ReferralPurpose

register = template.Library()


@register.filter
def time_left(seconds: int | None) -> str:
    """"2 days 3 h left" or "overdue by 5 h", in the user's language."""
    if seconds is None:
        return "–"
    late = seconds < 0
    seconds = abs(seconds)
    days, hours = seconds // 86400, seconds % 86400 // 3600
    if days:
        amount = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        if hours:
            amount += " " + _("%(n)d h") % {"n": hours}
    elif hours:
        amount = _("%(n)d h") % {"n": hours}
    else:
        amount = _("%(n)d min") % {"n": seconds // 60}
    return (_("overdue by %(t)s") if late else _("%(t)s left")) % {"t": amount}


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
):
    _CHOICES.update({str(value): label for value, label in _choices.choices})

_CHOICES.update({name: rule.label for name, rule in TRANSITIONS.items()})

EVENT_LABELS = {
    "intake": _l("Intake"),
    "screening": _l("Screening"),
    "verification": _l("Verification"),
    "identification": _l("Identification"),
    "protection": _l("Protection measure"),
    "service": _l("Support service"),
    "transition": _l("Stage change"),
    "deadline": _l("Stage deadline"),
    "referral_sent": _l("Referral sent"),
    "referral_accepted": _l("Referral accepted"),
    "referral_rejected": _l("Referral rejected"),
    "referral_completed": _l("Referral completed"),
    "referral_withdrawn": _l("Referral withdrawn"),
    "escalation": _l("Escalation"),
}


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


# Labels of the keys of cases.visibility.case_records.
FIELD_LABELS = {
    "full_name": _l("full name"),
    "other_names": _l("other names"),
    "birth_date": _l("date of birth"),
    "birth_year": _l("year of birth"),
    "stated_age": _l("stated age"),
    "id_number": _l("ID or passport number"),
    "phone": _l("phone"),
    "address": _l("address"),
    "role": _l("role in the case"),
    "sex": _l("sex"),
    "age_group": _l("age group"),
    "nationality": _l("nationality"),
    "relationship": _l("relationship to the victim"),
    "indicators": _l("indicators present"),
    "purposes": _l("purposes suspected"),
    "recommendation": _l("recommendation"),
    "screened_at": _l("screened at"),
    "outcome": _l("outcome"),
    "finding": _l("finding"),
    "unit": _l("unit"),
    "recorded_at": _l("recorded at"),
    "is_victim": _l("identified as a victim"),
    "document_type": _l("document type"),
    "document_number": _l("document number"),
    "issuing_unit": _l("issuing unit"),
    "decided_at": _l("decided at"),
    "partner_authority": _l("partner authority"),
    "country": _l("country"),
    "requested_at": _l("requested at"),
    "rescued_at": _l("rescued at"),
    "kind": _l("kind"),
    "starts_at": _l("starts at"),
    "ends_at": _l("ends at"),
    "limit_citation": _l("legal source of the limit"),
    "refused": _l("refused by the person"),
    "details": _l("details"),
    "status": _l("status"),
    "provider_unit__code": _l("provider"),
    "provided_at": _l("provided at"),
    "declined_at": _l("declined at"),
    "amount": _l("amount"),
    "currency": _l("currency"),
    "recipient_kind": _l("recipient agency kind"),
    "purpose": _l("purpose"),
    "given_by": _l("given by"),
    "unit__code": _l("unit"),
    "basis": _l("basis"),
    "since": _l("since"),
    "until": _l("until"),
    "channel": _l("channel"),
    "received_at": _l("received at"),
    "narrative": _l("what was reported"),
    "linked_as_duplicate": _l("linked to an existing case"),
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
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return ", ".join(code_label(item) for item in value)
    if value in (None, ""):
        return "–"
    text = str(value)
    return str(_CHOICES.get(text, text))


@register.filter
def lookup(mapping: dict, key):
    return mapping.get(key, key) if key else "–"
