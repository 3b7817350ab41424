"""Criminal cases (vụ án hình sự): opened from a tip, investigated, prosecuted, tried; their
offenders, the victims' cases linked to them and the routes of the trafficking."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Unit, User
from cases.models import Case
from config.errors import InvalidInput
from places.models import Province
from rulebooks.selectors import deadline_for, rulebook_for
from security.audit import record_event
from security.blind_index import id_number_index, name_birth_year_index
from security.services import create_data_key

from ..lifecycle import STAGE_STEP, TRANSITIONS, Holder, ProceedingState
from ..models import (
    CriminalCase,
    ExploitationSector,
    Offender,
    OffenderRole,
    Route,
    Tip,
    Verdict,
    VictimLink,
)
from ..permissions import require_maker, require_unit_of_kind
from .common import locked, moment, move, require_reason, rule_of

PROCURACY = frozenset({AgencyKind.PROCURACY})
COURT = frozenset({AgencyKind.COURT})


@dataclass
class OpeningData:
    """The opening decision (quyết định khởi tố vụ án) beyond the tip's resolution."""

    procuracy_unit: Unit | None = None  # None: the Procuracy of the investigating unit's province
    summary: str = ""


@dataclass
class OffenderData:
    role: str
    full_name: str = ""
    other_names: str = ""
    birth_year: str = ""
    id_number: str = ""
    address: str = ""
    sex: str = "unknown"
    nationality: str = "VN"


@dataclass
class RouteData:
    destination_country: str
    origin_province_id: str | None = None
    origin_place: str = ""
    transit_countries: list[str] = field(default_factory=list)
    crossing_point: str = ""
    destination_place: str = ""
    sector: str = ExploitationSector.UNKNOWN


@dataclass
class VerdictData:
    offender: Offender
    verdict: str
    sentence_months: int | None = None


def _procuracy_for(unit: Unit) -> Unit | None:
    return Unit.objects.filter(
        kind=AgencyKind.PROCURACY, province_id=unit.province_id, is_active=True
    ).first()


def _start_stage(cc: CriminalCase, at: datetime) -> None:
    """The limit of the stage the case enters, from the rule in force then (None at the end)."""
    step = STAGE_STEP.get(cc.state)
    cc.stage_started_at = at
    if step is None:
        cc.stage_due_at, cc.stage_rule = None, None
    else:
        cc.stage_due_at, cc.stage_rule = deadline_for(rulebook_for(cc.opened_at), step, at)


def open_criminal_case(
    actor: User, tip: Tip, opening: OpeningData, *, at: datetime, decision_number: str
) -> CriminalCase:
    """Khởi tố vụ án, inside the tip's resolution: the tip's unit investigates, the decision
    goes to the Procuracy, and the tip's victim case is linked."""
    procuracy = opening.procuracy_unit or _procuracy_for(tip.unit)
    require_unit_of_kind(procuracy, PROCURACY, _("the Procuracy of a criminal case"))
    cc = CriminalCase(
        data_key=create_data_key(),
        tip=tip,
        offence=tip.offence,
        opened_at=at,
        opening_decision=decision_number,
        investigating_unit=tip.unit,
        procuracy_unit=procuracy,
        summary=opening.summary,
        created_by=actor,
    )
    _start_stage(cc, at)
    cc.save()
    record_event(
        "criminal_case.open",
        actor=actor,
        obj=cc,
        details={"tip": str(tip.uuid), "offence": cc.offence, "procuracy": procuracy.code},
    )
    if tip.victim_case_id:
        _link(actor, cc, tip.victim_case)
    return cc


def _require_investigator(actor: User, cc: CriminalCase) -> None:
    require_maker(actor, cc, TRANSITIONS["conclude_investigation"])
    if cc.state != ProceedingState.INVESTIGATION:
        raise InvalidInput(
            _("Offenders, victims and routes are recorded during the investigation."),
            "not_in_investigation",
        )


def add_offender(actor: User, cc: CriminalCase, data: OffenderData) -> Offender:
    """Đối tượng: a suspect with their role, identity encrypted and blind-indexed."""
    if data.role not in OffenderRole.values:
        raise InvalidInput(_("Unknown role."), "invalid")
    with transaction.atomic():
        cc = locked(cc)
        _require_investigator(actor, cc)
        offender = Offender(
            criminal_case=cc,
            data_key=create_data_key(),
            role=data.role,
            full_name=data.full_name,
            other_names=data.other_names,
            birth_year=str(data.birth_year or ""),
            id_number=data.id_number,
            address=data.address,
            sex=data.sex,
            nationality=data.nationality,
            id_number_index=id_number_index(data.id_number) or "",
            name_year_index=name_birth_year_index(data.full_name, data.birth_year) or "",
            recorded_by=actor,
        )
        offender.save()
        record_event(
            "offender.create", actor=actor, obj=offender, details={"criminal_case": str(cc.uuid)}
        )
    return offender


def _link(actor: User, cc: CriminalCase, case: Case) -> VictimLink:
    link, created = VictimLink.objects.get_or_create(
        criminal_case=cc, case=case, defaults={"linked_by": actor}
    )
    if created:
        record_event("criminal_case.link_victim", actor=actor, case=case, obj=cc, details={})
    return link


def link_victim_case(actor: User, cc: CriminalCase, case: Case) -> VictimLink:
    """Link a victim's case (one the actor may see: the caller checked) to the criminal case."""
    with transaction.atomic():
        cc = locked(cc)
        _require_investigator(actor, cc)
        return _link(actor, cc, case)


COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
PLACE_LENGTH = 100
MAX_TRANSIT_COUNTRIES = 10


def _check_route(data: RouteData) -> None:
    """A route is coded for the statistics: a known sector, ISO 3166 country codes, a known
    province, places short enough to be codes. Anything else is refused, named."""
    if data.sector not in ExploitationSector.values:
        raise InvalidInput(
            _("Unknown exploitation sector: %(sector)s.") % {"sector": data.sector}, "invalid"
        )
    countries = [data.destination_country, *data.transit_countries]
    bad = [str(code) for code in countries if not COUNTRY_CODE.match(str(code))]
    if bad:
        raise InvalidInput(
            _("Countries are given by their two-letter ISO 3166 code, not %(codes)s.")
            % {"codes": ", ".join(bad)},
            "invalid",
        )
    if len(data.transit_countries) > MAX_TRANSIT_COUNTRIES:
        raise InvalidInput(_("At most 10 transit countries."), "invalid")
    places = (data.origin_place, data.crossing_point, data.destination_place)
    if any(len(place) > PLACE_LENGTH for place in places):
        raise InvalidInput(_("A place is at most 100 characters."), "invalid")
    if data.origin_province_id and not Province.objects.filter(pk=data.origin_province_id).exists():
        raise InvalidInput(
            _("Unknown province of origin: %(province)s.") % {"province": data.origin_province_id},
            "invalid",
        )


def add_route(actor: User, cc: CriminalCase, data: RouteData) -> Route:
    _check_route(data)
    with transaction.atomic():
        cc = locked(cc)
        _require_investigator(actor, cc)
        route = Route.objects.create(
            criminal_case=cc,
            origin_province_id=data.origin_province_id,
            origin_place=data.origin_place,
            transit_countries=data.transit_countries,
            crossing_point=data.crossing_point,
            destination_country=data.destination_country,
            destination_place=data.destination_place,
            sector=data.sector,
        )
        record_event("criminal_case.route", actor=actor, obj=cc, details={"route": route.pk})
    return route


def transition_criminal_case(
    actor: User,
    cc: CriminalCase,
    name: str,
    *,
    at: datetime | None = None,
    reason: str = "",
    number: str = "",
    court_unit: Unit | None = None,
    verdicts: list[VerdictData] | None = None,
    expected_version: int | None = None,
) -> CriminalCase:
    """Move the criminal case on (kết luận điều tra, truy tố, xét xử, đình chỉ), made by the
    unit holding its current stage: 409 from the wrong stage, 403 for another unit, 400 when
    what the step needs is missing."""
    with transaction.atomic():
        cc = locked(cc, expected_version)
        rule = rule_of(TRANSITIONS, cc, name)
        require_maker(actor, cc, rule)
        require_reason(rule, reason)
        at = moment(at, not_before=cc.stage_started_at)
        given: dict = {}
        if name == "conclude_investigation" and not cc.offenders.exists():
            raise InvalidInput(_("Record the offenders first."), "missing_records")
        if name == "indict":
            require_unit_of_kind(court_unit, COURT, _("the Court trying a case"))
            given = {"court_unit": court_unit, "number": number}
        if name == "adjudicate":
            given = {"number": number}
            _check_verdicts(cc, verdicts or [])
        move(actor, cc, name, at, reason, **given)
        _start_stage(cc, at)
        cc.save(update_fields=["stage_started_at", "stage_due_at", "stage_rule"])
        if name == "indict":
            cc.offenders.update(indicted=True)
        if name == "adjudicate":
            for item in verdicts or []:
                Offender.objects.filter(pk=item.offender.pk).update(
                    verdict=item.verdict, sentence_months=item.sentence_months
                )
        record_event(
            "criminal_case.transition",
            actor=actor,
            obj=cc,
            reason=reason,
            details={"transition": name, "at": at, "by": Holder(rule.made_by).value},
        )
    return cc


def _check_verdicts(cc: CriminalCase, verdicts: list[VerdictData]) -> None:
    indicted = set(cc.offenders.filter(indicted=True).values_list("pk", flat=True))
    given = [item.offender.pk for item in verdicts]
    if sorted(given) != sorted(indicted) or len(set(given)) != len(given):
        raise InvalidInput(
            _("Give one verdict for each indicted offender of this case."), "missing_records"
        )
    for item in verdicts:
        if item.verdict not in Verdict.values:
            raise InvalidInput(_("Unknown verdict."), "invalid")
        if item.verdict == Verdict.CONVICTED and not item.sentence_months:
            raise InvalidInput(_("A conviction needs the sentence."), "missing_records")
