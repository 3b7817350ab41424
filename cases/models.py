"""The case file (hồ sơ vụ việc): the victim, the intake, screening, decisions and services.

Everything that identifies a person is an encrypted field bound to its row; what statistics
need (sex, age group, province, nationality, purposes, destination) stays in clear.
Every record of a case is encrypted under the case's data key, so destroying that key erases
the victim's identity everywhere at once (crypto-shredding).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import AgencyKind
from rulebooks.purposes import PURPOSE_CHOICES
from security.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from security.models import EncryptedModel

# The stages are read from here too, as the model's vocabulary.
from .lifecycle import OPEN_STATES, TRANSITIONS, CaseState  # noqa: F401


class ClosureReason(models.TextChoices):
    REINTEGRATED = "reintegrated", _("Reintegrated")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")
    DUPLICATE = "duplicate", _("Duplicate")
    DECLINED_SUPPORT = "declined_support", _("Declined support")
    TRANSFERRED_ABROAD = "transferred_abroad", _("Transferred abroad")
    DECEASED = "deceased", _("Deceased")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline 111")
    BORDER_HANDOVER = "border_handover", _("Handover at the border")
    POLICE_REPORT = "police_report", _("Report to the police")
    WALK_IN = "walk_in", _("Came in person")
    MISSION_ABROAD = "mission_abroad", _("Mission abroad")
    OTHER = "other", _("Other")


class TraffickingPurpose(models.TextChoices):
    """Purposes of trafficking in Vietnamese law (Law 53/2024/QH15 Art. 2)."""

    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    FORCED_CHILDBIRTH = "forced_childbirth", _("Forced childbirth or surrogacy")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_CRIME = "forced_crime", _("Forced criminal activity")
    OTHER_INHUMANE = "other_inhumane", _("Other inhumane purposes")


class Case(ConcurrentTransitionMixin, EncryptedModel):
    """A case (vụ việc): one presumed victim's path from the first report to closure."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    rulebook = models.CharField(
        _("rulebook"), max_length=32, help_text=_("Chosen by the date the case was received.")
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province (as on the date received)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    purposes = models.JSONField(_("purposes of trafficking"), default=list, blank=True)
    destination_country = models.CharField(
        _("destination country"), max_length=2, blank=True, help_text=_("ISO 3166 code.")
    )
    is_abroad = models.BooleanField(_("victim currently abroad"), default=False)
    presumed_minor = models.BooleanField(
        _("presumed minor"),
        default=False,
        help_text=_("Treated as a child until the age is established (child rules apply)."),
    )
    state = FSMField(
        _("stage"), default=CaseState.INTAKE, choices=CaseState.choices, protected=True
    )
    state_before_closure = models.CharField(max_length=32, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=ClosureReason.choices, blank=True
    )
    lead_unit = models.ForeignKey(
        "agencies.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every change; a stale write is refused.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "received_at"]),
            # The case lists' order: a page is read walking it, never sorting every case.
            models.Index(fields=["-received_at", "-id"], name="case_list_order"),
        ]

    def __str__(self) -> str:
        return self.number

    # The case state machine: each method binds a row of cases.lifecycle.TRANSITIONS (where
    # it may start and lead, who may make it, what must be recorded first), enforced by
    # cases.services.transition_case, which passes every method what the caller gave
    # (reason, closure_reason, duplicate_of); each takes what it needs.

    @transition(state, **TRANSITIONS["start_verification"].fsm())
    def start_verification(self, **_given) -> None:
        """Chuyển xác minh."""

    @transition(state, **TRANSITIONS["start_identification"].fsm())
    def start_identification(self, **_given) -> None:
        """Chuyển xác định nạn nhân."""

    @transition(state, **TRANSITIONS["start_rescue"].fsm())
    def start_rescue(self, **_given) -> None:
        """Giải cứu: only while the person is still under the traffickers' control."""

    @transition(state, **TRANSITIONS["start_protection"].fsm())
    def start_protection(self, **_given) -> None:
        """Bảo vệ: may begin while identification is pending."""

    @transition(state, **TRANSITIONS["start_support"].fsm())
    def start_support(self, **_given) -> None:
        """Hỗ trợ: persons being identified are already entitled to support."""

    @transition(state, **TRANSITIONS["close"].fsm())
    def close(self, *, closure_reason: str, duplicate_of=None, **_given) -> None:
        """Đóng hồ sơ, with a closure reason (and the other case, for a duplicate)."""
        self.state_before_closure = self.state
        self.closure_reason = closure_reason
        self.duplicate_of = duplicate_of

    @transition(state, **TRANSITIONS["reopen"].fsm())
    def reopen(self, **_given) -> str:
        """Mở lại hồ sơ: back to the stage it was closed from."""
        previous = self.state_before_closure or CaseState.VERIFICATION
        self.state_before_closure = ""
        self.closure_reason = ""
        return previous


class PersonRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    REPORTER = "reporter", _("Reporter")
    RELATIVE = "relative", _("Relative")
    ACCOMPANYING_CHILD = "accompanying_child", _("Accompanying child")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    UNDER_16 = "under_16", _("Under 16")
    AGE_16_17 = "16_17", _("16–17")
    AGE_18_29 = "18_29", _("18–29")
    AGE_30_49 = "30_49", _("30–49")
    AGE_50_PLUS = "50_plus", _("50 and over")
    UNKNOWN = "unknown", _("Unknown")


class Person(EncryptedModel):
    """A person in a case: the victim, the reporter, relatives, accompanying children."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("role in the case"), max_length=32, choices=PersonRole.choices)
    # Identity (field group "identity").
    full_name = EncryptedTextField(_("full name"), blank=True)
    other_names = EncryptedTextField(_("other names"), blank=True)
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    birth_year = EncryptedTextField(_("year of birth"), blank=True)
    stated_age = EncryptedTextField(_("stated age"), blank=True)
    id_number = EncryptedTextField(_("ID or passport number"), blank=True)
    # Contacts (field group "contacts_relatives").
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    relationship = EncryptedCharField(
        _("relationship to the victim"), max_length=64, null=True, blank=True, default=""
    )
    # Kept in clear for statistics and for the services the person needs.
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=16, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    age_established = models.BooleanField(_("age established"), default=False)
    nationality = models.CharField(_("nationality"), max_length=2, default="VN")
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("home province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    language = models.CharField(_("language"), max_length=32, blank=True)
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        help_text=_("BCP 47 codes of the languages the person speaks, e.g. lo, km, hmn, vi."),
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    # Blind indexes for exact duplicate lookups; never the values themselves. Each is indexed
    # for equality only (Meta.indexes): db_index=True also gave each a pattern-ops index on
    # PostgreSQL, for prefix searches a digest never has, three more indexes of ~110 MB to
    # write at every person's insert among a million (issue 15).
    phone_index = models.CharField(max_length=64, blank=True)
    id_number_index = models.CharField(max_length=64, blank=True)
    name_year_index = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["phone_index"], name="person_phone_index"),
            models.Index(fields=["id_number_index"], name="person_id_number_index"),
            models.Index(fields=["name_year_index"], name="person_name_year_index"),
            # A case's first victim (the periodic report's sex and age group): one index probe.
            models.Index(
                fields=["case", "id"], condition=models.Q(role="victim"), name="person_first_victim"
            ),
        ]


class Intake(EncryptedModel):
    """A report received (tiếp nhận tin báo): a call, a handover, a visit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="intakes")
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    # Indexed with the case (Meta.indexes), which serves both its own lookups and the test
    # whether the user took one of a case's intakes (cases.selectors.case_scope).
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    narrative = EncryptedTextField(_("what was reported"), blank=True)
    linked_as_duplicate = models.BooleanField(_("linked to an existing case"), default=False)
    # The Idempotency-Key's digest scoped to the user, and the request's fingerprint
    # (security.idempotency): never the key or the body themselves.
    idempotency_key = models.CharField(max_length=128, blank=True)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["received_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="intake_idempotency_key_per_user",
            )
        ]
        # Whether the user took an intake of this case: one probe of both columns, whatever
        # the planner believes of how many intakes the user took (issue 15: believing a
        # telephony account had taken one, it tested a case against all of its thousands).
        indexes = [models.Index(fields=["received_by", "case"], name="intake_taker_case")]


class ScreeningIndicator(models.TextChoices):
    """ILO indicators of forced labour and trafficking, used at intake screening."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Abuse of vulnerability")
    DECEPTION = "deception", _("Deception")
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement", _("Restriction of movement")
    ISOLATION = "isolation", _("Isolation")
    PHYSICAL_SEXUAL_VIOLENCE = "physical_sexual_violence", _("Physical or sexual violence")
    INTIMIDATION_THREATS = "intimidation_threats", _("Intimidation and threats")
    RETENTION_OF_DOCUMENTS = "retention_of_documents", _("Retention of identity documents")
    WITHHOLDING_OF_WAGES = "withholding_of_wages", _("Withholding of wages")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    ABUSIVE_CONDITIONS = "abusive_conditions", _("Abusive working and living conditions")
    EXCESSIVE_OVERTIME = "excessive_overtime", _("Excessive overtime")


class Recommendation(models.TextChoices):
    LIKELY_VICTIM = "likely_victim", _("Likely victim")
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim: verify")
    UNLIKELY = "unlikely", _("Indicators not present")


class Screening(models.Model):
    """The screening checklist (sàng lọc): a recommendation, never an automatic decision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    indicators = models.JSONField(_("indicators present"), default=list, blank=True)
    purposes = models.JSONField(_("purposes suspected"), default=list, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=32, choices=Recommendation.choices
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(auto_now_add=True)


class VerificationOutcome(models.TextChoices):
    SIGNS_OF_TRAFFICKING = "signs_of_trafficking", _("Signs of trafficking confirmed")
    NOT_TRAFFICKING = "not_trafficking", _("Not trafficking")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Verification(EncryptedModel):
    """The verifying unit's finding (kết quả xác minh)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="verifications")
    outcome = models.CharField(_("outcome"), max_length=32, choices=VerificationOutcome.choices)
    finding = EncryptedTextField(_("finding"), blank=True)
    unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)


class IdentificationDocument(models.TextChoices):
    """Documents that confirm a victim (giấy tờ xác nhận nạn nhân)."""

    CERTIFICATE_OF_RETURN = "certificate_of_return", _("Certificate of return")
    POLICE_CONFIRMATION = "police_confirmation", _("Police confirmation")
    BORDER_GUARD_CONFIRMATION = "border_guard_confirmation", _("Border Guard confirmation")
    MISSION_CONFIRMATION = "mission_confirmation", _("Confirmation by a mission abroad")
    PROSECUTION_DOCUMENT = "prosecution_document", _("Procuracy or court document")


class Identification(EncryptedModel):
    """The decision identifying a person as a victim (xác định nạn nhân)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identifications")
    is_victim = models.BooleanField(_("identified as a victim"))
    document_type = models.CharField(
        _("document type"), max_length=32, choices=IdentificationDocument.choices, blank=True
    )
    document_number = EncryptedTextField(_("document number"), blank=True)
    issuing_unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class Rescue(models.Model):
    """A rescue (giải cứu): requested, then carried out, often by a partner authority abroad."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rescues")
    requested_by_unit = models.ForeignKey(
        "agencies.Unit", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    partner_authority = models.CharField(_("partner authority"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    rescued_at = models.DateTimeField(_("rescued at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class ProtectionKind(models.TextChoices):
    SHELTER = "shelter", _("Temporary shelter")
    SAFETY_OF_VICTIM = "safety_of_victim", _("Safety measures for the victim")
    SAFETY_OF_RELATIVES = "safety_of_relatives", _("Safety measures for relatives")
    REPATRIATION = "repatriation", _("Repatriation")
    HANDOVER_AT_BORDER = "handover_at_border", _("Handover at the border")
    ESCORT_TO_RELATIVES = "escort_to_relatives", _("Escort to relatives (child)")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality of identity")


class ProtectionMeasure(EncryptedModel):
    """A protection measure (biện pháp bảo vệ); the person may refuse it in writing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protections")
    kind = models.CharField(_("measure"), max_length=32, choices=ProtectionKind.choices)
    unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(
        _("ends at"), null=True, blank=True, help_text=_("Limit from the rulebook, if any.")
    )
    limit_citation = models.CharField(_("legal source of the limit"), max_length=200, blank=True)
    details = EncryptedTextField(_("details"), blank=True)
    refused = models.BooleanField(_("refused by the person"), default=False)
    refusal_commitment = EncryptedTextField(_("written commitment of refusal"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ServiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROVIDED = "provided", _("Provided")
    DECLINED = "declined", _("Declined by the victim")


class SupportService(EncryptedModel):
    """A support service of Law 53/2024/QH15 Art. 37 (chế độ hỗ trợ)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=40)
    provider_unit = models.ForeignKey(
        "agencies.Unit", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"))
    provided_at = models.DateTimeField(_("provided at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    note = EncryptedCharField(_("note"), max_length=500, null=True, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # The periodic report's services provided in a period, of each kind.
        indexes = [
            models.Index(
                fields=["kind", "provided_at"],
                condition=models.Q(status="provided"),
                name="service_provided_kind_at",
            )
        ]


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentInformed(models.TextChoices):
    """How the victim was told what is shared, with whom and why, before deciding."""

    ORALLY = "orally", _("Told orally")
    IN_WRITING = "in_writing", _("Given a written explanation")
    THROUGH_INTERPRETER = "through_interpreter", _("Told through an interpreter")
    THROUGH_GUARDIAN = "through_guardian", _("Told together with a parent or guardian")


class Consent(models.Model):
    """The victim's (or guardian's) decision to share with one kind of agency (optionally one
    unit of it) for one purpose: given, refused or withdrawn. Records are only added: the
    latest one for a recipient and purpose decides (referrals.services)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    recipient_kind = models.CharField(
        _("recipient agency kind"), max_length=32, choices=AgencyKind.choices
    )
    unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("recipient unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: any unit of the kind."),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=PURPOSE_CHOICES)
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices)
    given_by = models.CharField(
        _("given by"), max_length=32, default="victim", help_text=_("victim, guardian, reporter")
    )
    informed_how = models.CharField(
        _("how the victim was informed"), max_length=32, choices=ConsentInformed.choices
    )
    informed_language = models.CharField(
        _("language the victim was informed in"),
        max_length=16,
        help_text=_("A language the victim understands (BCP 47 code, e.g. vi, hmn, km)."),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["case", "recipient_kind", "purpose"], name="consent_lookup")
        ]


class HoldingEnd(models.TextChoices):
    """How a unit's hold on a case ended; what it still sees is decided by HOLDING_SIGHT."""

    COMPLETED = "completed", _("Referral completed")
    HANDED_OVER = "handed_over", _("Handed over")
    WITHDRAWN = "withdrawn", _("Referral withdrawn")
    REJECTED = "rejected", _("Referral rejected")


class Sight(models.TextChoices):
    FULL = "full", _("What the unit's kind and the referral may see")
    SUMMARY = "summary", _("The case summary without identity, and the unit's own records")
    NONE = "none", _("Nothing")


# What a unit sees of a case by the state of its hold (the one rule; issue 14): while it
# holds the case, what need-to-know allows; after the work it was given is done (a completed
# referral, the hotline's handover), the case summary without identity and its own records;
# after a withdrawn or rejected referral, nothing.
HOLDING_SIGHT = {
    "": Sight.FULL,  # holding now
    HoldingEnd.COMPLETED: Sight.SUMMARY,
    HoldingEnd.HANDED_OVER: Sight.SUMMARY,
    HoldingEnd.WITHDRAWN: Sight.NONE,
    HoldingEnd.REJECTED: Sight.NONE,
}
SIGHTED_ENDINGS = [end for end, sight in HOLDING_SIGHT.items() if sight != Sight.NONE]


class CaseHolding(models.Model):
    """Which units hold or held a case, since when, and how the hold ended: the case scope
    of need-to-know."""

    class Basis(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        RECEIVED = "received", _("Received the report")
        REFERRAL = "referral", _("Accepted referral")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holdings")
    unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="holdings")
    basis = models.CharField(max_length=16, choices=Basis.choices)
    field_groups = models.JSONField(
        default=list, blank=True, help_text=_("Empty: everything the unit's kind may see.")
    )
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    ended_as = models.CharField(max_length=16, choices=HoldingEnd.choices, blank=True)
    # The case's received_at, copied when the hold begins (it never changes): a unit's case
    # list reads the unit's holdings in the list's order, newest case first, from one index
    # (cases.selectors.CaseList), instead of probing the holdings of every newer case.
    case_received_at = models.DateTimeField(editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "case"]),
            # The unit's sight of cases (cases.selectors.case_scope): its EXISTS probe and the
            # capped count of a case list read this index alone (issue 15).
            models.Index(
                fields=["unit", "case"],
                condition=models.Q(ended_as__in=SIGHTED_ENDINGS),
                name="holding_sighted_unit_case",
            ),
            # A unit's case list, a page and its capped count (issue 15).
            models.Index(
                fields=["unit", "-case_received_at", "-case"],
                condition=models.Q(ended_as__in=SIGHTED_ENDINGS),
                name="holding_sighted_list_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True, ended_as="")
                | models.Q(until__isnull=False) & ~models.Q(ended_as=""),
                name="holding_ended_with_how",
            )
        ]

    def save(self, *args, **kwargs) -> None:
        if self.case_received_at is None:
            self.case_received_at = self.case.received_at
        super().save(*args, **kwargs)

    @property
    def sight(self) -> str:
        return HOLDING_SIGHT[self.ended_as]

    @staticmethod
    def sighted(prefix: str = "") -> models.Q:
        """Holdings that still let their unit see the case (HOLDING_SIGHT)."""
        return models.Q(**{f"{prefix}ended_as__in": SIGHTED_ENDINGS})

    @staticmethod
    def ending(end: str, at) -> dict:
        """The fields to update to end a holding."""
        return {"until": at, "ended_as": end}


class StateChange(EncryptedModel):
    """One move of the case state machine, for the timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="state_changes")
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=32)
    target = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    reason = EncryptedCharField(max_length=500, null=True, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        # The periodic report's closures of a period (one in sixteen changes is a closure).
        indexes = [models.Index(fields=["transition", "at"], name="statechange_transition_at")]


class CaseNumberSequence(models.Model):
    """The last number given per prefix and year, taken under a row lock."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_year")
        ]
