"""Who may see which field groups of a case: the access policy as data, not as code paths.

The table answers "what does this role in this kind of agency need to know?"; conditions then
narrow it to one case: a caseworker's unit must hold the case (and a referral narrows further
to its purpose), a hotline operator sees only intakes they created, a supervisor sees identity
only with a typed reason, an administrator never. Case scope is computed by the cases app and
passed in; recording "identity.read" with the reason is the caller's job (it knows the case).
"""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind, Role


class FieldGroup(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACTS_RELATIVES = "contacts_relatives", _("Contacts and relatives")
    NARRATIVE = "narrative", _("Account of events")
    MEDICAL_PSYCHOLOGICAL = "medical_psychological", _("Medical and psychological")
    INVESTIGATION = "investigation", _("Investigation")
    LEGAL = "legal", _("Legal")
    REPATRIATION = "repatriation", _("Repatriation")


G = FieldGroup
ANY_KIND = "*"

# role -> agency kind -> field groups that role in that kind of agency needs to know.
NEED_TO_KNOW: dict[str, dict[str, frozenset[FieldGroup]]] = {
    Role.CASEWORKER: {
        # Police and Border Guard verify, rescue and protect the victim and relatives, and hand
        # over at the border (Law 53/2024 Art. 27; QCPH 2548); the Coast Guard rescues
        # at sea under the same duties. No medical or legal-aid records.
        AgencyKind.POLICE: frozenset(
            {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.INVESTIGATION, G.REPATRIATION}
        ),
        AgencyKind.BORDER_GUARD: frozenset(
            {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.INVESTIGATION, G.REPATRIATION}
        ),
        AgencyKind.COAST_GUARD: frozenset(
            {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.INVESTIGATION, G.REPATRIATION}
        ),
        # Social protection (MOLISA/DOLISA before 2025-07-01, provincial health department
        # after: Decree 162/2025) receives, shelters and supports: medical and psychological
        # care, reintegration, return home. Not the criminal investigation.
        AgencyKind.LABOUR_SOCIAL: frozenset(
            {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.MEDICAL_PSYCHOLOGICAL, G.REPATRIATION}
        ),
        AgencyKind.HEALTH_DEPARTMENT: frozenset(
            {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.MEDICAL_PSYCHOLOGICAL, G.REPATRIATION}
        ),
        # Legal aid (Law 53/2024 Art. 37: free legal aid) needs who the client is, what happened
        # and the legal records; not contacts, health or the investigation file.
        AgencyKind.JUSTICE_LEGAL_AID: frozenset({G.IDENTITY, G.NARRATIVE, G.LEGAL}),
        # Foreign Affairs and missions abroad verify citizenship, issue travel documents and
        # arrange repatriation: identity, who to reach, the return itself.
        AgencyKind.FOREIGN_AFFAIRS: frozenset({G.IDENTITY, G.CONTACTS_RELATIVES, G.REPATRIATION}),
        # Our reading, to confirm with the legal adviser: procuracy and courts confirm victim
        # status in proceedings (Decree 62/2012, identification) and need the file for it.
        AgencyKind.PROCURACY: frozenset({G.IDENTITY, G.NARRATIVE, G.INVESTIGATION, G.LEGAL}),
        AgencyKind.COURT: frozenset({G.IDENTITY, G.NARRATIVE, G.INVESTIGATION, G.LEGAL}),
        # The commune receives the person and notifies social protection (Art. 27(1)): it needs
        # to know who they are and whom to contact, nothing more.
        AgencyKind.COMMUNE_COMMITTEE: frozenset({G.IDENTITY, G.CONTACTS_RELATIVES}),
        # Hotline staff work as operators; the Steering Committee supervises: no case content.
        AgencyKind.HOTLINE: frozenset(),
        AgencyKind.STEERING_COMMITTEE: frozenset(),
    },
    # Operators take the call and hand over; they keep sight of their own intakes only.
    Role.HOTLINE_OPERATOR: {ANY_KIND: frozenset({G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE})},
    # Supervisors audit timelines and statistics; identity only with a typed, audited reason.
    Role.SUPERVISOR: {ANY_KIND: frozenset({G.IDENTITY})},
    # Administration is not need-to-know (DESIGN.md §1): nothing, whatever the reason.
    Role.ADMINISTRATOR: {ANY_KIND: frozenset()},
    # A system sending intakes and reading their status: no case content at all.
    Role.INTEGRATION: {ANY_KIND: frozenset()},
}


def need_to_know(role: str, agency_kind: str | None) -> frozenset[FieldGroup]:
    """The table lookup alone, before any per-case condition."""
    by_kind = NEED_TO_KNOW.get(role, {})
    return by_kind.get(agency_kind or "", by_kind.get(ANY_KIND, frozenset()))


class CaseCondition(enum.Enum):
    """What must be true of one case for a role to see there what it needs to know."""

    HOLDS_CASE = "holds_case"  # the user's unit holds it, narrowed by the referral if any
    CREATED_INTAKE = "created_intake"  # the user took one of its intakes
    REASON = "reason"  # the user typed why (recorded with the read)


# role -> its condition on one case; a role not named sees no field group of any case.
CASE_CONDITION: dict[str, CaseCondition] = {
    Role.CASEWORKER: CaseCondition.HOLDS_CASE,
    Role.HOTLINE_OPERATOR: CaseCondition.CREATED_INTAKE,
    Role.SUPERVISOR: CaseCondition.REASON,
}


def holding_decides_sight(role: str) -> bool:
    """Whether the user's unit's hold on a case (current or ended) bears on what they see of
    it. Not when their own act decides (a typed reason, an intake taken): the hold need not
    be read for them. A role with no condition sees no field group, but an ended hold still
    narrows the records it is shown to its unit's own (Sight.SUMMARY), so it is read."""
    return CASE_CONDITION.get(role) in (CaseCondition.HOLDS_CASE, None)


def visible_field_groups(
    user,
    *,
    holds_case: bool,
    referral_groups: set[str] | None,
    reason: str = "",
    created_intake: bool = False,
) -> set[str]:
    """Field groups of one case this user may see now.

    holds_case: the user's unit holds the case (cases app). referral_groups: the purpose of
    the referral that gave the unit the case, narrowing what it sees (None: no narrowing).
    reason: typed by a supervisor. created_intake: the user created this case's intake.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    condition = CASE_CONDITION.get(user.role)
    met = {
        CaseCondition.HOLDS_CASE: holds_case,
        CaseCondition.CREATED_INTAKE: created_intake,
        CaseCondition.REASON: bool(reason.strip()),
    }
    if condition is None or not met[condition]:
        return set()
    groups = need_to_know(user.role, user.agency_kind)
    if condition == CaseCondition.HOLDS_CASE and referral_groups is not None:
        groups = groups & set(referral_groups)
    return {FieldGroup(group) for group in groups}
