"""The criminal track's services: limits from the rulebook, who acts, the stages, escalation."""

from datetime import timedelta

import pytest

from agencies.models import AgencyKind
from config.errors import Conflict, InvalidInput, NotAllowed
from notifications.models import OutboxMessage
from proceedings import services
from proceedings.models import CriminalCase, Offender, TipEscalation
from proceedings.services import OffenderData, TipData, VerdictData
from security.blind_index import id_number_index
from security.models import AuditEvent

from .conftest import vn

pytestmark = pytest.mark.django_db
POLICE, PROCURACY, COURT = AgencyKind.POLICE, AgencyKind.PROCURACY, AgencyKind.COURT


def _tip(people, at=None, offence="art150"):
    return services.record_tip(
        people[POLICE],
        TipData(kind="denunciation", reported_at=at or vn(2026, 2, 11, 9), offence=offence),
    )


def test_a_tip_received_gets_the_20_day_limit_of_art_147_with_its_citation(track):
    _units, people = track
    tip = _tip(people)
    assert tip.state == "received"
    assert tip.due_at - tip.received_at == timedelta(days=20)
    assert "(101/2015/QH13), khoản 1 Điều 147" in tip.limit_rule.citation
    assert tip.limit_rule.is_default is False


def test_a_tip_forwarded_by_another_unit_waits_for_receipt(track):
    units, people = track
    tip = services.record_tip(
        people[AgencyKind.HEALTH_DEPARTMENT],
        TipData(kind="report", reported_at=vn(2026, 2, 10, 9), to_unit=units[POLICE]),
    )
    assert tip.state == "sent" and tip.due_at is None
    with pytest.raises(NotAllowed):
        services.receive_tip(people[PROCURACY], tip)
    tip = services.receive_tip(people[POLICE], tip, at=vn(2026, 2, 11, 8))
    assert tip.due_at == vn(2026, 3, 3, 8)


def test_only_a_competent_unit_receives_tips(track):
    units, people = track
    with pytest.raises(InvalidInput):
        services.record_tip(
            people[POLICE], TipData(kind="report", to_unit=units[AgencyKind.HEALTH_DEPARTMENT])
        )


def test_verification_needs_a_classification_and_resolving_twice_is_a_conflict(track):
    _units, people = track
    tip = _tip(people, offence="")
    with pytest.raises(InvalidInput):
        services.transition_tip(people[POLICE], tip, "start_verification")
    services.classify_tip(people[POLICE], tip, offence="art150")
    services.transition_tip(people[POLICE], tip, "start_verification")
    tip = services.resolve_tip(people[POLICE], tip, outcome="not_opened")
    with pytest.raises(Conflict):
        services.resolve_tip(people[POLICE], tip, outcome="not_opened")


def test_an_overdue_tip_escalates_once_to_supervisors_procuracy_and_committee(track):
    _units, people = track
    tip = _tip(people, at=vn(2026, 1, 5, 9))
    assert services.sweep_overdue_tips(now=vn(2026, 1, 25, 8)) == 0
    assert services.sweep_overdue_tips(now=vn(2026, 1, 25, 10)) == 1
    assert services.sweep_overdue_tips(now=vn(2026, 1, 26, 10)) == 0
    assert set(TipEscalation.objects.filter(tip=tip).values_list("level", flat=True)) == {
        "unit_supervisor",
        "procuracy",
        "provincial_supervisor",
    }
    told = set(OutboxMessage.objects.values_list("recipient__username", flat=True))
    assert {people["police_supervisor"].username, people["committee"].username} <= told
    assert people[PROCURACY].username in told


def test_an_extension_moves_the_limit_to_two_months_once_with_a_reason(track):
    _units, people = track
    tip = _tip(people)
    with pytest.raises(InvalidInput):
        services.extend_tip(people[POLICE], tip, reason=" ", at=vn(2026, 2, 20))
    tip = services.extend_tip(people[POLICE], tip, reason="many places", at=vn(2026, 2, 20))
    assert tip.due_at - tip.received_at == timedelta(days=60)
    assert "khoản 2 Điều 147" in tip.limit_rule.citation
    with pytest.raises(InvalidInput):
        services.extend_tip(people[POLICE], tip, reason="again", at=vn(2026, 2, 21))


def _opened(track):
    units, people = track
    tip = _tip(people)
    services.resolve_tip(
        people[POLICE], tip, outcome="case_opened", at=vn(2026, 2, 28, 10), decision_number="1/QĐ"
    )
    return CriminalCase.objects.get(tip=tip)


def test_from_opening_to_verdict_each_stage_by_its_unit_with_its_limit(track):
    units, people = track
    cc = _opened(track)
    assert cc.procuracy_unit == units[PROCURACY] and cc.state == "investigation"
    assert "khoản 1 Điều 172" in cc.stage_rule.citation
    with pytest.raises(InvalidInput):  # no offenders yet
        services.transition_criminal_case(people[POLICE], cc, "conclude_investigation")
    hoa = services.add_offender(
        people[POLICE],
        cc,
        OffenderData(
            role="recruiter",
            full_name="Nguyễn Thị Hoa",
            birth_year="1985",
            id_number="012345678901",
        ),
    )
    with pytest.raises(NotAllowed):
        services.transition_criminal_case(people[PROCURACY], cc, "conclude_investigation")
    with pytest.raises(Conflict):
        services.transition_criminal_case(people[PROCURACY], cc, "indict")
    cc = services.transition_criminal_case(
        people[POLICE], cc, "conclude_investigation", at=vn(2026, 6, 15, 9)
    )
    assert "Điều 240" in cc.stage_rule.citation
    with pytest.raises(InvalidInput):  # no Court named
        services.transition_criminal_case(people[PROCURACY], cc, "indict", at=vn(2026, 7, 10))
    cc = services.transition_criminal_case(
        people[PROCURACY], cc, "indict", at=vn(2026, 7, 10, 9), court_unit=units[COURT]
    )
    with pytest.raises(InvalidInput):  # a verdict for every indicted offender
        services.transition_criminal_case(people[COURT], cc, "adjudicate", verdicts=[])
    cc = services.transition_criminal_case(
        people[COURT],
        cc,
        "adjudicate",
        at=vn(2026, 9, 22, 9),
        verdicts=[VerdictData(hoa, "convicted", 144)],
    )
    assert cc.state == "adjudicated" and cc.stage_due_at is None
    hoa = Offender.objects.get(pk=hoa.pk)
    assert hoa.verdict == "convicted" and hoa.sentence_months == 144 and hoa.indicted
    assert hoa.id_number_index == id_number_index("0123 4567 8901")


def test_a_decision_is_never_dated_before_the_step_it_follows(track):
    _units, people = track
    cc = _opened(track)
    services.add_offender(people[POLICE], cc, OffenderData(role="transporter"))
    with pytest.raises(InvalidInput):
        services.transition_criminal_case(
            people[POLICE], cc, "conclude_investigation", at=vn(2026, 2, 1)
        )


def test_offenders_identity_only_for_the_units_of_the_case_and_every_read_audited(track):
    units, people = track
    cc = _opened(track)
    services.add_offender(
        people[POLICE], cc, OffenderData(role="recruiter", full_name="Lò Thị Hoa")
    )
    assert services.read_offenders(people[POLICE], cc)[0]["full_name"] == "Lò Thị Hoa"
    for outsider in (people["committee"], people[COURT], people[AgencyKind.HEALTH_DEPARTMENT]):
        assert "full_name" not in services.read_offenders(outsider, cc)[0]
    actions = list(
        AuditEvent.objects.filter(object_id=str(cc.uuid)).values_list("action", flat=True)
    )
    assert actions.count("identity.read") == 1 and actions.count("criminal_case.read") == 3
