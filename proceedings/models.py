"""The criminal track beside the victims' cases: tips of the crime, criminal cases, offenders.

Who an offender is (names, ID number, address) is encrypted under the offender's own data key,
with blind indexes for exact lookups, like a victim (cases.Person). What statistics need
(offence, dates, units, roles, routes, verdicts) stays in clear. Victims are never copied
here: a criminal case links to the victims' own cases.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from security.fields import EncryptedTextField
from security.models import EncryptedModel

from .lifecycle import TIP_TRANSITIONS, TRANSITIONS, ProceedingState, TipState


class TipKind(models.TextChoices):
    """Art. 144 of the Criminal Procedure Code 2015."""

    DENUNCIATION = "denunciation", _("Denunciation (tố giác)")
    REPORT = "report", _("Report of a crime (tin báo)")
    PETITION = "petition", _("Petition to prosecute (kiến nghị khởi tố)")


class Offence(models.TextChoices):
    """How a tip is classified: the Penal Code 2015 articles on trafficking, or not."""

    TRAFFICKING = "art150", _("Trafficking in persons (Penal Code 2015 Art. 150)")
    CHILD_TRAFFICKING = "art151", _("Trafficking in persons under 16 (Penal Code 2015 Art. 151)")
    OTHER_OFFENCE = "other_offence", _("Another offence")
    NO_OFFENCE = "no_offence", _("No sign of an offence")


TRAFFICKING_OFFENCES = (Offence.TRAFFICKING, Offence.CHILD_TRAFFICKING)


class TipOutcome(models.TextChoices):
    """The decisions resolving a tip (Art. 147(3))."""

    CASE_OPENED = "case_opened", _("Criminal case opened (khởi tố vụ án)")
    NOT_OPENED = "not_opened", _("Decision not to open a case")
    TRANSFERRED = "transferred", _("Transferred to the competent body")


class Tip(ConcurrentTransitionMixin, EncryptedModel):
    """Tố giác, tin báo về tội phạm, kiến nghị khởi tố: one tip about trafficking."""

    kind = models.CharField(_("kind"), max_length=16, choices=TipKind.choices)
    reported_at = models.DateTimeField(_("reported at"))
    recorded_by_unit = models.ForeignKey(
        "agencies.Unit", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit competent to resolve the tip."),
    )
    content = EncryptedTextField(_("what was reported"), blank=True)
    victim_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("victim's case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = FSMField(_("state"), default=TipState.SENT, choices=TipState.choices, protected=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    offence = models.CharField(
        _("classification"), max_length=16, choices=Offence.choices, blank=True
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    verification_started_at = models.DateTimeField(null=True, blank=True)
    # The limit for resolving, set on receipt from the rule then in force, kept with its source.
    due_at = models.DateTimeField(_("to be resolved by"), null=True, blank=True)
    limit_rule = models.ForeignKey(
        "rulebooks.RuleStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=TipOutcome.choices, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    deciding_unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("tip or report of a crime")
        verbose_name_plural = _("tips and reports of crimes")
        indexes = [
            models.Index(fields=["received_at"]),
            models.Index(fields=["resolved_at"]),
            models.Index(fields=["state", "due_at"]),
        ]

    @property
    def resolved_on_time(self) -> bool | None:
        if self.resolved_at is None or self.due_at is None:
            return None
        return self.resolved_at <= self.due_at

    @transition(state, **TIP_TRANSITIONS["receive"].fsm())
    def receive(self, **_given) -> None:
        """Tiếp nhận."""

    @transition(state, **TIP_TRANSITIONS["start_verification"].fsm())
    def start_verification(self, **_given) -> None:
        """Kiểm tra, xác minh."""

    @transition(state, **TIP_TRANSITIONS["suspend"].fsm())
    def suspend(self, **_given) -> None:
        """Tạm đình chỉ giải quyết (Art. 148)."""

    @transition(state, **TIP_TRANSITIONS["resume"].fsm())
    def resume(self, **_given) -> None:
        """Phục hồi giải quyết."""

    @transition(state, **TIP_TRANSITIONS["resolve"].fsm())
    def resolve(self, **_given) -> None:
        """Ra quyết định giải quyết."""


class TipEscalation(models.Model):
    """A tip not resolved by its limit, brought to supervisors once per level."""

    class Level(models.TextChoices):
        UNIT_SUPERVISOR = "unit_supervisor", _("Supervisor of the receiving unit")
        PROCURACY = "procuracy", _("The Procuracy supervising the resolution")
        PROVINCIAL_SUPERVISOR = "provincial_supervisor", _("Provincial Steering Committee")

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(_("level"), max_length=32, choices=Level.choices)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tip", "level"], name="one_tip_escalation_per_level")
        ]


class ExploitationSector(models.TextChoices):
    """Where the victims were exploited (coded for the routes and hot spots)."""

    SEX_INDUSTRY = "sex_industry", _("Sex industry, karaoke, massage")
    FORCED_MARRIAGE = "forced_marriage", _("Forced or sham marriage")
    ONLINE_SCAM = "online_scam", _("Online scam compounds")
    CONSTRUCTION = "construction", _("Construction")
    MANUFACTURING = "manufacturing", _("Factories")
    AGRICULTURE = "agriculture", _("Agriculture and plantations")
    FISHING = "fishing", _("Fishing")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    HOSPITALITY = "hospitality", _("Restaurants and hotels")
    BEGGING = "begging", _("Begging")
    SURROGACY = "surrogacy", _("Surrogacy and childbirth")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class CriminalCase(ConcurrentTransitionMixin, EncryptedModel):
    """Vụ án hình sự: opened by decision (khởi tố), investigated, prosecuted, tried."""

    tip = models.ForeignKey(
        Tip,
        verbose_name=_("tip"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criminal_cases",
    )
    offence = models.CharField(_("offence"), max_length=16, choices=Offence.choices)
    opened_at = models.DateTimeField(_("opened at"))
    opening_decision = models.CharField(_("opening decision number"), max_length=64, blank=True)
    investigating_unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("investigating unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    procuracy_unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("Procuracy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    court_unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("Court"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    state = FSMField(
        _("stage"),
        default=ProceedingState.INVESTIGATION,
        choices=ProceedingState.choices,
        protected=True,
    )
    # The current stage's limit, set when the stage began, and the rule that set it.
    stage_started_at = models.DateTimeField(null=True, blank=True)
    stage_due_at = models.DateTimeField(_("stage due by"), null=True, blank=True)
    stage_rule = models.ForeignKey(
        "rulebooks.RuleStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    investigation_concluded_at = models.DateTimeField(null=True, blank=True)
    indicted_at = models.DateTimeField(_("indicted at"), null=True, blank=True)
    indictment_number = models.CharField(max_length=64, blank=True)
    tried_at = models.DateTimeField(_("tried at"), null=True, blank=True)
    judgment_number = models.CharField(max_length=64, blank=True)
    discontinued_at = models.DateTimeField(null=True, blank=True)
    discontinued_reason = models.CharField(max_length=500, blank=True)
    victim_cases = models.ManyToManyField(
        "cases.Case", through="VictimLink", related_name="criminal_cases"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("criminal case")
        verbose_name_plural = _("criminal cases")
        indexes = [
            models.Index(fields=["opened_at"]),
            models.Index(fields=["indicted_at"]),
            models.Index(fields=["tried_at"]),
        ]

    @transition(state, **TRANSITIONS["conclude_investigation"].fsm())
    def conclude_investigation(self, *, at, **_given) -> None:
        """Kết luận điều tra, đề nghị truy tố."""
        self.investigation_concluded_at = at

    @transition(state, **TRANSITIONS["return_for_investigation"].fsm())
    def return_for_investigation(self, **_given) -> None:
        """Trả hồ sơ để điều tra bổ sung."""

    @transition(state, **TRANSITIONS["indict"].fsm())
    def indict(self, *, at, court_unit, number="", **_given) -> None:
        """Truy tố: cáo trạng, the file goes to the Court."""
        self.indicted_at, self.court_unit, self.indictment_number = at, court_unit, number

    @transition(state, **TRANSITIONS["adjudicate"].fsm())
    def adjudicate(self, *, at, number="", **_given) -> None:
        """Xét xử sơ thẩm: the judgment."""
        self.tried_at, self.judgment_number = at, number

    @transition(state, **TRANSITIONS["discontinue"].fsm())
    def discontinue(self, *, at, reason, **_given) -> None:
        """Đình chỉ."""
        self.discontinued_at, self.discontinued_reason = at, reason


class VictimLink(models.Model):
    """A victim's case linked to the criminal case (the victim stays in their own case)."""

    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["criminal_case", "case"], name="one_link_per_victim_case"
            )
        ]


class OffenderRole(models.TextChoices):
    RECRUITER = "recruiter", _("Recruiter")
    TRANSPORTER = "transporter", _("Transporter")
    EXPLOITER = "exploiter", _("Exploiter")
    ORGANISER = "organiser", _("Organiser")
    OTHER = "other", _("Other")


class Verdict(models.TextChoices):
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")


class Offender(EncryptedModel):
    """Đối tượng: a suspect, then accused and defendant, then convicted or acquitted."""

    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="offenders"
    )
    role = models.CharField(_("role"), max_length=16, choices=OffenderRole.choices)
    # Identity, encrypted under the offender's own data key.
    full_name = EncryptedTextField(_("full name"), blank=True)
    other_names = EncryptedTextField(_("other names"), blank=True)
    birth_year = EncryptedTextField(_("year of birth"), blank=True)
    id_number = EncryptedTextField(_("ID or passport number"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    # In clear for statistics.
    sex = models.CharField(_("sex"), max_length=16, default="unknown")
    nationality = models.CharField(_("nationality"), max_length=2, default="VN")
    # Blind indexes, for equality only (as a person's: cases.models.Person).
    id_number_index = models.CharField(max_length=64, blank=True)
    name_year_index = models.CharField(max_length=64, blank=True)
    indicted = models.BooleanField(_("indicted"), default=False)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    sentence_months = models.PositiveIntegerField(_("sentence in months"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("offender")
        verbose_name_plural = _("offenders")
        indexes = [
            models.Index(fields=["id_number_index"], name="offender_id_number_index"),
            models.Index(fields=["name_year_index"], name="offender_name_year_index"),
        ]


class Route(models.Model):
    """The route of the trafficking in a case: coded places, for routes and hot spots."""

    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="routes")
    origin_province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_place = models.CharField(_("place of origin"), max_length=100, blank=True)
    transit_countries = models.JSONField(_("transit countries"), default=list, blank=True)
    crossing_point = models.CharField(
        _("border crossing"), max_length=100, blank=True, help_text=_("Border gate or trail.")
    )
    destination_country = models.CharField(
        _("destination country"), max_length=2, help_text=_("ISO 3166 code.")
    )
    destination_place = models.CharField(
        _("destination place"), max_length=100, blank=True, help_text=_("ISO 3166-2 code or town.")
    )
    sector = models.CharField(
        _("exploitation sector"),
        max_length=32,
        choices=ExploitationSector.choices,
        default=ExploitationSector.UNKNOWN,
    )


class ProceedingEvent(models.Model):
    """One move of a tip or a criminal case, for the record."""

    tip = models.ForeignKey(
        Tip, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    criminal_case = models.ForeignKey(
        CriminalCase, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=32)
    target = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("agencies.Unit", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
