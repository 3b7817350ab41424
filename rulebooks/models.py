"""Rulebooks as data: who does each step, by when, under which legal source.

A rulebook (bộ quy tắc) is chosen by the date a case was received. Each step's rule is
versioned by effective date: a change never edits a row, it adds a version in force from
the moment of the change, so deadlines already set keep the rule they were given.
Where the law gives no figure ("immediately", "on reception"), the figure is a configurable
default, flagged `is_default` and never presented as law.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind, UnitLevel


class StepCode(models.TextChoices):
    """Steps of the process; the last five are case stages, used as referral purposes.

    The criminal-procedure steps (tip_resolution to trial) time the proceedings against the
    crime (proceedings app) under the Criminal Procedure Code 2015 (101/2015/QH13).
    """

    BRING_TO_COMMUNE = "bring_to_commune", _("Bring the person to the commune People's Committee")
    NOTIFY_SOCIAL_PROTECTION = "notify_social_protection", _("Notify the social-protection body")
    INITIAL_RECEPTION_VERIFICATION = (
        "initial_reception_verification",
        _("Initial reception, support and verification"),
    )
    POLICE_VERIFICATION_WITHOUT_DOCUMENT = (
        "police_verification_without_document",
        _("Police verification when no victim document exists"),
    )
    SHELTER_ESSENTIAL_NEEDS = "shelter_essential_needs", _("Essential-needs support in a shelter")
    CERTIFICATE_OF_RETURN = "certificate_of_return", _("Certificate of return from abroad")
    TIP_RESOLUTION = "tip_resolution", _("Resolving a tip or report of a crime")
    TIP_RESOLUTION_EXTENDED = (
        "tip_resolution_extended",
        _("Resolving a tip or report of a crime, extended"),
    )
    INVESTIGATION = "investigation", _("Investigating a criminal case")
    PROSECUTION_DECISION = "prosecution_decision", _("Deciding on prosecution")
    TRIAL = "trial", _("Bringing a criminal case to trial")
    VERIFICATION = "verification", _("Verification")
    IDENTIFICATION = "identification", _("Identification")
    RESCUE = "rescue", _("Rescue")
    PROTECTION = "protection", _("Protection")
    SUPPORT = "support", _("Support")


class SupportServiceKind(models.TextChoices):
    """The ten support services of Law 53/2024/QH15 Art. 37(1), in the law's order."""

    ESSENTIAL_NEEDS = "essential_needs", _("Essential needs")
    MEDICAL = "medical", _("Medical support")
    INTERPRETATION = "interpretation", _("Interpretation")
    LEGAL_COUNSELLING = "legal_counselling", _("Legal counselling")
    LEGAL_AID = "legal_aid", _("Legal aid")
    TRAVEL_COSTS = "travel_costs", _("Travel costs")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    SCHOOLING = "schooling", _("Schooling")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training and job counselling")
    HARDSHIP_ALLOWANCE_AND_LOAN = (
        "hardship_allowance_and_loan",
        _("Initial hardship allowance and loans"),
    )


class Beneficiary(models.TextChoices):
    """Who receives support, by status (Law 53/2024/QH15 Art. 37(1)–(3))."""

    IDENTIFIED_VICTIM = "identified_victim", _("Identified victim")
    ACCOMPANYING_MINOR = "accompanying_minor", _("Person under 18 accompanying a victim")
    BEING_IDENTIFIED_IN_VIET_NAM = (
        "being_identified_in_viet_nam",
        _("Person being identified as a victim, in Viet Nam"),
    )
    BEING_IDENTIFIED_ABROAD = (
        "being_identified_abroad",
        _("Person being identified as a victim, abroad"),
    )


def validate_agency_kinds(value) -> None:
    if not isinstance(value, list) or not value or not set(value) <= set(AgencyKind.values):
        raise ValidationError(_("Give one or more known agency kinds."), code="agency_kinds")


class Rulebook(models.Model):
    """Bộ quy tắc: the legal regime a case follows, chosen by its reception date."""

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    title = models.CharField(_("title"), max_length=300)
    legal_sources = models.TextField(_("legal sources"))
    effective_from = models.DateField(_("effective from"), help_text=_("Vietnam date."))
    effective_until = models.DateField(
        _("effective until"),
        null=True,
        blank=True,
        help_text=_("Last Vietnam date of reception the rulebook governs."),
    )
    child_age = models.PositiveSmallIntegerField(
        _("child age limit"), help_text=_("A person younger than this is a child.")
    )
    child_age_citation = models.CharField(_("legal source of the child age"), max_length=300)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("rulebook")
        verbose_name_plural = _("rulebooks")

    def __str__(self) -> str:
        return self.code


class RuleStep(models.Model):
    """One version of the rule for a step: who is responsible, the deadline and its source.

    Rows are never updated: rulebooks.services.change_deadline adds a version.
    """

    rulebook = models.ForeignKey(
        Rulebook, verbose_name=_("rulebook"), on_delete=models.PROTECT, related_name="steps"
    )
    step = models.CharField(_("step"), max_length=64, choices=StepCode.choices)
    version = models.PositiveIntegerField(_("version"))
    responsible_kinds = models.JSONField(
        _("responsible agency kinds"),
        validators=[validate_agency_kinds],
        help_text=_("Kinds of unit that hold the step and receive its handoff, lead first."),
    )
    responsible_level = models.CharField(
        _("responsible level"), max_length=16, choices=UnitLevel.choices
    )
    deadline = models.DurationField(
        _("deadline"), validators=[MinValueValidator(timedelta(seconds=1))]
    )
    wording = models.CharField(
        _("legal wording"),
        max_length=200,
        help_text=_("What the source says about the time, e.g. “immediately”."),
    )
    is_default = models.BooleanField(
        _("configurable default"),
        help_text=_("The figure is not set by law: a configurable default, never shown as law."),
    )
    citation = models.CharField(_("citation"), max_length=300)
    sharing_basis = models.ForeignKey(
        "LegalBasis",
        verbose_name=_("legal basis to hand over without consent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "What lets the step's handover share a case before the victim has consented, "
            "e.g. urgent verification; empty when only consent allows it."
        ),
    )
    effective_from = models.DateTimeField(_("effective from"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_reason = models.TextField(_("reason for the change"), blank=True)

    class Meta:
        ordering = ["rulebook", "step", "-version"]
        verbose_name = _("rule for a step")
        verbose_name_plural = _("rules for steps")
        constraints = [
            models.UniqueConstraint(
                fields=["rulebook", "step", "version"], name="rulestep_one_row_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rulebook_id}/{self.step} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(_("A rule is never edited in place; add a new version."))
        super().save(*args, **kwargs)


class ServiceEligibility(models.Model):
    """A support service a kind of beneficiary is entitled to under a rulebook."""

    rulebook = models.ForeignKey(
        Rulebook, verbose_name=_("rulebook"), on_delete=models.PROTECT, related_name="eligibility"
    )
    beneficiary = models.CharField(_("beneficiary"), max_length=32, choices=Beneficiary.choices)
    service = models.CharField(_("service"), max_length=32, choices=SupportServiceKind.choices)
    is_default = models.BooleanField(_("configurable default"))
    citation = models.CharField(_("citation"), max_length=300)

    class Meta:
        ordering = ["rulebook", "beneficiary", "service"]
        verbose_name = _("service eligibility")
        verbose_name_plural = _("service eligibility")
        constraints = [
            models.UniqueConstraint(
                fields=["rulebook", "beneficiary", "service"], name="one_eligibility_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rulebook_id}/{self.beneficiary}/{self.service}"


class LegalBasis(models.Model):
    """A legal basis to share a victim's data without (or against) consent: a closed list.

    A referral that relies on one names it by code and gives a typed justification. After the
    victim refused or withdrew consent, only the roles and agency kinds listed here may invoke
    it; such a referral is audited as an override and the case's lead unit is told. Who may
    invoke a basis after a withdrawal is not set by law: it is a configurable default
    (`override_is_default`), never presented as law.
    """

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    title = models.CharField(_("title"), max_length=300)
    citation = models.CharField(_("citation"), max_length=300)
    override_roles = models.JSONField(
        _("roles that may invoke it after a withdrawal"), default=list, blank=True
    )
    override_kinds = models.JSONField(
        _("agency kinds that may invoke it after a withdrawal"), default=list, blank=True
    )
    override_is_default = models.BooleanField(
        _("who may override is a configurable default"),
        default=True,
        help_text=_("Not set by law: a configurable default, never shown as law."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return f"{self.code} ({self.citation})"

    def may_override(self, role: str, kind: str) -> bool:
        """May a user of this role in a unit of this kind share after a withdrawal?"""
        return role in self.override_roles and kind in self.override_kinds


class ReportPart(models.TextChoices):
    """The part of a year a periodic report covers; the whole year is the empty code."""

    Q1 = "Q1", _("First quarter")
    Q2 = "Q2", _("Second quarter")
    Q3 = "Q3", _("Third quarter")
    Q4 = "Q4", _("Fourth quarter")
    H1 = "H1", _("First half-year")
    H2 = "H2", _("Second half-year")
    YEAR = "", _("Year")


class ReportingDeadline(models.Model):
    """The day a periodic report must be submitted before, as a plan sets it.

    The national plan of the Steering Committee 138 sets the days for ministries and provinces
    (province empty); a province whose own plan asks its units to report earlier has rows of
    its own, which replace the national ones for reports within that province. A part of the
    year with no row has no report of its own: its figures go into the next larger report.
    """

    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the national schedule."),
    )
    part = models.CharField(_("period"), max_length=2, choices=ReportPart.choices, blank=True)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    wording = models.CharField(_("legal wording"), max_length=300)
    citation = models.CharField(_("citation"), max_length=300)

    class Meta:
        ordering = ["province", "month", "day"]
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "part"], name="one_reporting_deadline_per_province_part"
            ),
            models.UniqueConstraint(
                fields=["part"],
                condition=models.Q(province__isnull=True),
                name="one_national_reporting_deadline_per_part",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id or 'national'}/{self.part or 'year'}: {self.day}/{self.month}"
