"""What a referral (chuyển giao) is for: its rulebook step and the field groups it shares.

The purpose decides which rulebook step sets the deadline and, unless the sender narrows or
widens it, which field groups of the case the receiving unit may see (DESIGN.md §2: "the
receiving unit sees only what the referral's purpose needs").
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rulebooks.models import StepCode, SupportServiceKind
from security.policy import FieldGroup


class ReferralPurpose(models.TextChoices):
    """Purposes that are not a support service (those are SupportServiceKind values)."""

    RECEPTION = "reception", _("Reception and initial support")  # tiếp nhận
    VERIFICATION = "verification", _("Verification")  # xác minh
    IDENTIFICATION = "identification", _("Identification")  # xác định nạn nhân
    RESCUE = "rescue", _("Rescue")  # giải cứu
    PROTECTION = "protection", _("Protection")  # bảo vệ
    SHELTER = "shelter", _("Shelter")  # nơi tạm trú
    REPATRIATION = "repatriation", _("Repatriation")  # hồi hương
    INVESTIGATION = "investigation", _("Investigation")  # điều tra


PURPOSE_CHOICES = [*ReferralPurpose.choices, *SupportServiceKind.choices]

# The rulebook step whose deadline a referral for this purpose must be accepted by.
_STEP_BY_PURPOSE = {
    ReferralPurpose.RECEPTION: StepCode.INITIAL_RECEPTION_VERIFICATION,
    ReferralPurpose.VERIFICATION: StepCode.VERIFICATION,
    ReferralPurpose.INVESTIGATION: StepCode.VERIFICATION,
    ReferralPurpose.IDENTIFICATION: StepCode.IDENTIFICATION,
    ReferralPurpose.RESCUE: StepCode.RESCUE,
    ReferralPurpose.PROTECTION: StepCode.PROTECTION,
    ReferralPurpose.SHELTER: StepCode.PROTECTION,
    ReferralPurpose.REPATRIATION: StepCode.PROTECTION,
}

G = FieldGroup
_WHO_AND_WHERE = frozenset({G.IDENTITY, G.CONTACTS_RELATIVES})
_GROUPS_BY_PURPOSE = {
    ReferralPurpose.RECEPTION: _WHO_AND_WHERE | {G.NARRATIVE},
    ReferralPurpose.VERIFICATION: _WHO_AND_WHERE | {G.NARRATIVE, G.INVESTIGATION},
    ReferralPurpose.INVESTIGATION: _WHO_AND_WHERE | {G.NARRATIVE, G.INVESTIGATION},
    ReferralPurpose.IDENTIFICATION: frozenset({G.IDENTITY, G.NARRATIVE, G.INVESTIGATION, G.LEGAL}),
    ReferralPurpose.RESCUE: _WHO_AND_WHERE | {G.NARRATIVE},
    ReferralPurpose.PROTECTION: _WHO_AND_WHERE | {G.REPATRIATION},
    ReferralPurpose.SHELTER: _WHO_AND_WHERE | {G.REPATRIATION},
    ReferralPurpose.REPATRIATION: _WHO_AND_WHERE | {G.REPATRIATION},
    SupportServiceKind.MEDICAL: frozenset({G.IDENTITY, G.MEDICAL_PSYCHOLOGICAL}),
    SupportServiceKind.PSYCHOLOGICAL: frozenset({G.IDENTITY, G.MEDICAL_PSYCHOLOGICAL}),
    SupportServiceKind.LEGAL_AID: frozenset({G.IDENTITY, G.NARRATIVE, G.LEGAL}),
    SupportServiceKind.LEGAL_COUNSELLING: frozenset({G.IDENTITY, G.NARRATIVE, G.LEGAL}),
    SupportServiceKind.INTERPRETATION: frozenset({G.IDENTITY}),
}


def step_for(purpose: str) -> str:
    """The rulebook step that sets the deadline of a referral for this purpose."""
    return _STEP_BY_PURPOSE.get(purpose, StepCode.SUPPORT)


def default_field_groups(purpose: str) -> list[str]:
    """Field groups a referral for this purpose shares when the sender names none."""
    return sorted(_GROUPS_BY_PURPOSE.get(purpose, _WHO_AND_WHERE))
