"""Cooperation across the border (hợp tác quốc tế): the foreign counterpart authorities, the
bilateral agreements that bind us to them, the requests exchanged under them, and the
handover of a person at a border gate.

Agreements, their reply limits, counterparts and gates are data with their citations. Where an
agreement sets no time limit for a reply, the limit is a configurable default, flagged
`is_default` and never presented as law. Nothing here identifies a victim: a request or a
handover points to its case, whose records are encrypted.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    IDENTITY_VERIFICATION = "identity_verification", _("Verification of identity")
    NATIONALITY_VERIFICATION = "nationality_verification", _("Verification of nationality")
    REPATRIATION = "repatriation", _("Repatriation")
    HANDOVER = "handover", _("Handover at the border")


class Agreement(models.Model):
    """A bilateral agreement or arrangement with a neighbouring country, with its source."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    title = models.CharField(_("title"), max_length=400)
    partner_country = models.CharField(_("partner country"), max_length=2)
    citation = models.CharField(_("citation"), max_length=400)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bilateral agreement")
        verbose_name_plural = _("bilateral agreements")

    def __str__(self) -> str:
        return self.code


class AgreementTerm(models.Model):
    """By when the other side should answer a kind of request under an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terms")
    request_kind = models.CharField(_("kind of request"), max_length=32, choices=RequestKind)
    reply_within = models.DurationField(
        _("reply within"), validators=[MinValueValidator(timedelta(seconds=1))]
    )
    wording = models.CharField(_("what the source says"), max_length=300)
    is_default = models.BooleanField(
        _("configurable default"),
        help_text=_("The agreement sets no limit: a configurable default, never shown as law."),
    )
    citation = models.CharField(_("citation"), max_length=400)

    class Meta:
        verbose_name = _("reply limit")
        verbose_name_plural = _("reply limits")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "request_kind"], name="one_term_per_request_kind"
            )
        ]


class Counterpart(models.Model):
    """A foreign authority we exchange with (cơ quan chức năng nước bạn), under an agreement."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=300)
    country = models.CharField(_("country"), max_length=2)
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="counterparts",
    )
    paired_province = models.ForeignKey(
        "places.Province",
        verbose_name=_("paired Vietnamese province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    citation = models.CharField(_("citation"), max_length=400)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("foreign counterpart")
        verbose_name_plural = _("foreign counterparts")

    def __str__(self) -> str:
        return self.name


class BorderGate(models.Model):
    """A border gate (cửa khẩu) where people are handed over, with the gate facing it."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        "places.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    partner_country = models.CharField(_("partner country"), max_length=2)
    facing_gate = models.CharField(_("gate on the other side"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("border gate")
        verbose_name_plural = _("border gates")

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Sent to the counterpart")
    INCOMING = "incoming", _("Received from the counterpart")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline between border authorities")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    DIPLOMATIC_NOTE = "diplomatic_note", _("Diplomatic note")
    MEETING = "meeting", _("Meeting at the border")
    EMAIL = "email", _("E-mail")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the answer")
    ANSWERED = "answered", _("Answered")


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    AGREED = "agreed", _("Agreed")
    REFUSED = "refused", _("Refused")


# What an answer may say, by kind of request.
OUTCOMES_BY_KIND = {
    RequestKind.IDENTITY_VERIFICATION: (Outcome.CONFIRMED, Outcome.NOT_CONFIRMED),
    RequestKind.NATIONALITY_VERIFICATION: (Outcome.CONFIRMED, Outcome.NOT_CONFIRMED),
    RequestKind.REPATRIATION: (Outcome.AGREED, Outcome.REFUSED),
    RequestKind.HANDOVER: (Outcome.AGREED, Outcome.REFUSED),
}


class CrossBorderRequest(models.Model):
    """A request to or from a counterpart about one case, answered by the limit its agreement
    sets; when late, it is escalated once per level by the deadline sweep."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="crossborder_requests"
    )
    counterpart = models.ForeignKey(Counterpart, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(AgreementTerm, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of request"), max_length=32, choices=RequestKind)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("Vietnamese unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent or received at"))
    due_at = models.DateTimeField(_("answer due at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus, default=RequestStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handover_due_at = models.DateTimeField(
        _("agreed handover by"),
        null=True,
        blank=True,
        help_text=_("For an agreed repatriation: when the handover at the border is agreed."),
    )
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("cross-border request")
        verbose_name_plural = _("cross-border requests")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="open", overdue_at__isnull=True),
                name="crossborder_open_due",
            )
        ]


class EscalationLevel(models.TextChoices):
    UNIT_SUPERVISOR = "unit_supervisor", _("Supervisor of the Vietnamese unit")
    PROVINCIAL_SUPERVISOR = "provincial_supervisor", _("Provincial Steering Committee")
    FOREIGN_AFFAIRS = "foreign_affairs", _("Foreign Affairs")


class RequestEscalation(models.Model):
    """A late answer brought to a supervisor and to Foreign Affairs; once per level."""

    request = models.ForeignKey(
        CrossBorderRequest, on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.CharField(_("level"), max_length=32, choices=EscalationLevel)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "level"], name="one_crossborder_escalation_per_level"
            )
        ]


class HandoverDirection(models.TextChoices):
    TO_VIET_NAM = "to_viet_nam", _("Received into Viet Nam")
    TO_COUNTERPART = "to_counterpart", _("Handed to the counterpart")


class BorderHandover(models.Model):
    """Bàn giao tại cửa khẩu: a person handed over at a border gate, with the documents and
    the minutes' number. Received into Viet Nam, it starts the rulebook's reception
    deadlines; handed to the counterpart, it ends the case as transferred abroad."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="handovers")
    direction = models.CharField(_("direction"), max_length=16, choices=HandoverDirection)
    gate = models.ForeignKey(
        BorderGate, verbose_name=_("border gate"), on_delete=models.PROTECT, related_name="+"
    )
    counterpart = models.ForeignKey(Counterpart, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        CrossBorderRequest,
        verbose_name=_("repatriation request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    handed_at = models.DateTimeField(_("handed over at"))
    receiving_unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The Vietnamese unit that received the person; empty when handed abroad."),
    )
    documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("documents handed over"), related_name="+"
    )
    minutes_reference = models.CharField(_("number of the handover minutes"), max_length=100)
    unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["handed_at", "id"]
        verbose_name = _("handover at the border")
        verbose_name_plural = _("handovers at the border")
