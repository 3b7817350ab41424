"""Handoffs between units (chuyển giao) and their escalations.

A referral's deadline is computed once, when it is sent, from the rule version then in force,
and stored: a later change of the rulebook never moves it (DESIGN.md §2, scenario 05).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import AgencyKind
from rulebooks.purposes import PURPOSE_CHOICES
from security.fields import EncryptedCharField, EncryptedTextField
from security.models import EncryptedModel


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")  # đã gửi
    ACCEPTED = "accepted", _("Accepted")  # đã tiếp nhận
    REJECTED = "rejected", _("Rejected")  # từ chối
    COMPLETED = "completed", _("Completed")  # hoàn thành
    WITHDRAWN = "withdrawn", _("Withdrawn")  # rút lại


OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class Referral(ConcurrentTransitionMixin, EncryptedModel):
    """Chuyển giao: one unit hands a case, for one purpose, to a unit or to a kind of agency
    in a province (whose units see it until one of them accepts)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    from_unit = models.ForeignKey(
        "agencies.Unit", verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("to unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_kind = models.CharField(_("to agency kind"), max_length=32, choices=AgencyKind.choices)
    to_province = models.ForeignKey(
        "places.Province",
        verbose_name=_("to province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=PURPOSE_CHOICES)
    field_groups = models.JSONField(_("field groups shared"), default=list)
    consent = models.ForeignKey(
        "cases.Consent",
        verbose_name=_("consent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    legal_basis = models.ForeignKey(
        "rulebooks.LegalBasis",
        verbose_name=_("legal basis to share without consent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Free text about the victim's situation: encrypted under the case's data key (issue 9).
    justification = EncryptedTextField(_("why the legal basis applies"), null=True, blank=True)
    consent_override = models.BooleanField(
        _("shared on a legal basis after the victim refused or withdrew consent"), default=False
    )
    rule = models.ForeignKey(
        "rulebooks.RuleStep",
        verbose_name=_("rule that set the deadline"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due at"))
    status = FSMField(
        _("status"), default=ReferralStatus.SENT, choices=ReferralStatus.choices, protected=True
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Encrypted under the case's data key: a rejection may describe the person.
    reason = EncryptedCharField(
        _("reason for rejecting or withdrawing"), max_length=500, null=True, blank=True
    )
    holding = models.OneToOneField(
        "cases.CaseHolding", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # The sweep reads only what is due: open referrals not yet marked overdue.
            models.Index(
                fields=["due_at"],
                name="referral_open_due",
                condition=Q(status=ReferralStatus.SENT, overdue_at__isnull=True),
            ),
            models.Index(fields=["to_unit", "status"], name="referral_to_unit"),
            models.Index(fields=["to_kind", "to_province", "status"], name="referral_to_kind"),
            models.Index(fields=["from_unit", "status"], name="referral_from_unit"),
            models.Index(fields=["sent_at"], name="referral_sent_at"),
            # The overdue list's order among waiting referrals: a page walks it.
            models.Index(
                fields=["sent_at", "id"],
                name="referral_waiting_order",
                condition=Q(status=ReferralStatus.SENT),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_unit__isnull=False) | Q(to_province__isnull=False),
                name="referral_to_unit_or_province",
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | Q(legal_basis__isnull=False),
                name="referral_consent_or_legal_basis",
            ),
            models.CheckConstraint(
                condition=Q(legal_basis__isnull=True) | Q(justification__isnull=False),
                name="referral_legal_basis_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.to_unit_id or self.to_kind}"

    @transition(status, source=ReferralStatus.SENT, target=ReferralStatus.ACCEPTED)
    def accept(self) -> None:
        """Tiếp nhận chuyển giao."""

    @transition(status, source=ReferralStatus.SENT, target=ReferralStatus.REJECTED)
    def reject(self) -> None:
        """Từ chối, with a reason."""

    @transition(status, source=ReferralStatus.ACCEPTED, target=ReferralStatus.COMPLETED)
    def complete(self) -> None:
        """Hoàn thành."""

    @transition(status, source=list(OPEN_STATUSES), target=ReferralStatus.WITHDRAWN)
    def withdraw(self) -> None:
        """Rút lại, by the sending unit."""


class EscalationLevel(models.TextChoices):
    UNIT_SUPERVISOR = "unit_supervisor", _("Supervisor of the receiving unit")
    PROVINCIAL_SUPERVISOR = "provincial_supervisor", _("Provincial Steering Committee")


class Escalation(models.Model):
    """An overdue referral brought to a supervisor (báo cáo vượt cấp); once per level."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(_("level"), max_length=32, choices=EscalationLevel.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "level"], name="one_escalation_per_level")
        ]
