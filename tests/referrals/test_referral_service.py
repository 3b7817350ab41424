"""The consent and legal-basis rules of referrals.services called directly: a consent named
by the sender, accepting after a withdrawal, and what accepting records and tells.

Direct calls, no HTTP: these are the first tests `make mutate` runs for the referral
service's mutants (tests/mutation_selection.py); each one is written to fail when one rule
is changed (docs/mutation.md). The API's answers to the same rules are in
test_consent_rules.py.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

from agencies.models import Unit, User
from cases.inputs import IntakeData, PersonData
from cases.models import Case, CaseHolding, CaseState, Consent, HoldingEnd
from cases.services import create_intake
from config.errors import Conflict, InvalidInput, NotAllowed, NotFound
from places.models import VIETNAM_TZ
from referrals.models import Referral
from referrals.services import accept_referral, send_referral
from referrals.signals import referral_moved
from rulebooks.models import LegalBasis, StepCode
from rulebooks.purposes import default_field_groups, step_for
from security.models import AuditEvent
from tests.cast import cast_user

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2025, 12, 1, 8, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture
def border(demo_org) -> User:
    return cast_user("ht-border_guard-caseworker")


@pytest.fixture
def social(demo_org) -> User:
    return cast_user("ht-health_department-caseworker")


def _open_case(actor: User) -> Case:
    report = IntakeData(
        channel="border_handover",
        victim=PersonData(full_name="Lò Văn Pó", languages=["vi"]),
        received_at=RECEIVED,
    )
    return create_intake(actor, report).case


@pytest.fixture
def case(border) -> Case:
    return _open_case(border)


def _decide(case: Case, status: str, *, by: User, kind="health_department", ago=0, **extra):
    """A decision of the victim on sharing with a kind of agency (for reception by default),
    recorded `ago` days back."""
    return Consent.objects.create(
        case=case,
        recorded_by=by,
        recorded_at=timezone.now() - timedelta(days=ago),
        recipient_kind=kind,
        purpose=extra.pop("purpose", "reception"),
        status=status,
        given_by="victim",
        informed_how="orally",
        informed_language="vi",
        **extra,
    )


def _send(actor: User, case: Case, to: User, **extra) -> Referral:
    return send_referral(actor, case, purpose="reception", to_unit=to.unit, **extra)


def test_a_closed_case_is_referred_nowhere(border, social, case):
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    case.refresh_from_db()
    with translation.override("en"), pytest.raises(Conflict) as refused:
        _send(border, case, social, consent=_decide(case, "given", by=border))
    assert (refused.value.code, refused.value.detail) == ("case_closed", "The case is closed.")


# --- a consent named by the sender -------------------------------------------------------------


def test_a_consent_of_another_case_is_not_found(border, social, case):
    foreign = _decide(_open_case(border), "given", by=border)
    with translation.override("en"), pytest.raises(NotFound) as refused:
        _send(border, case, social, consent=foreign)
    assert refused.value.detail == "No such consent on this case."
    assert not Referral.objects.exists()


def test_a_consent_for_another_recipient_or_purpose_is_refused(border, social, case):
    for other in (
        _decide(case, "given", by=border, kind="police"),
        _decide(case, "given", by=border, purpose="rescue"),
    ):
        with translation.override("en"), pytest.raises(InvalidInput) as refused:
            _send(border, case, social, consent=other)
        assert (refused.value.code, refused.value.detail) == (
            "consent_mismatch",
            "That consent is not for this recipient and purpose.",
        )
    assert not Referral.objects.exists()


@pytest.mark.parametrize("status", ["refused", "withdrawn"])
def test_a_named_decision_that_is_not_a_consent_is_refused(border, social, case, status):
    decision = _decide(case, status, by=border)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _send(border, case, social, consent=decision)
    assert (refused.value.code, refused.value.detail) == (
        "consent_withdrawn",
        "The victim has refused or withdrawn consent for this recipient and purpose.",
    )
    assert not Referral.objects.exists()


def test_a_named_refusal_is_refused_though_a_consent_came_after_it(border, social, case):
    refusal = _decide(case, "refused", by=border, ago=2)
    _decide(case, "given", by=border, ago=1)
    with pytest.raises(InvalidInput) as refused:
        _send(border, case, social, consent=refusal)
    assert refused.value.code == "consent_withdrawn"


def test_a_named_consent_is_refused_once_a_later_decision_withdrew_it(border, social, case):
    consent = _decide(case, "given", by=border, ago=2)
    _decide(case, "withdrawn", by=border, ago=1)
    with pytest.raises(InvalidInput) as refused:
        _send(border, case, social, consent=consent)
    assert refused.value.code == "consent_withdrawn"


def test_a_named_consent_that_is_the_latest_decision_carries_the_referral(border, social, case):
    consent = _decide(case, "given", by=border)
    basis = LegalBasis.objects.get(code="urgent-verification")
    referral = _send(border, case, social, consent=consent, legal_basis=basis, justification="x")
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.consent, stored.legal_basis, stored.justification) == (consent, None, None)
    assert stored.consent_override is False
    sent = AuditEvent.objects.get(action="referral.send")
    assert sent.details["consent"] == consent.pk


def test_without_a_consent_named_the_latest_decision_decides(border, social, case):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _send(border, case, social)
    assert (refused.value.code, refused.value.detail) == (
        "no_consent",
        "Record the victim's consent for this recipient and purpose, or a legal basis.",
    )
    consent = _decide(case, "given", by=border, ago=1)
    _decide(case, "refused", by=border)
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _send(border, case, social)
    assert (refused.value.code, refused.value.detail) == (
        "consent_withdrawn",
        "The victim has refused or withdrawn consent for this recipient and purpose.",
    )
    _decide(case, "given", by=border)
    referral = _send(border, case, social)
    assert referral.consent != consent and referral.consent.status == "given"


# --- a legal basis instead of a consent --------------------------------------------------------


def test_a_legal_basis_no_longer_active_is_refused(border, social, case):
    basis = LegalBasis.objects.get(code="urgent-verification")
    basis.is_active = False
    basis.save()
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _send(border, case, social, legal_basis=basis, justification="Urgent")
    assert (refused.value.code, refused.value.detail) == (
        "unknown_legal_basis",
        "Unknown legal basis.",
    )
    assert not Referral.objects.exists()


def test_a_legal_basis_without_a_justification_is_refused(border, social, case):
    basis = LegalBasis.objects.get(code="urgent-verification")
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _send(border, case, social, legal_basis=basis, justification="")
    assert (refused.value.code, refused.value.detail) == (
        "justification_required",
        "Explain why the legal basis applies to this case.",
    )


def test_an_override_by_a_role_the_basis_does_not_name_is_refused(border, social, case):
    _decide(case, "withdrawn", by=border)
    basis = LegalBasis.objects.get(code="notify-social-protection")  # supervisors only
    with translation.override("en"), pytest.raises(NotAllowed) as refused:
        _send(border, case, social, legal_basis=basis, justification="Duty to notify")
    assert (refused.value.code, refused.value.detail) == (
        "override_not_allowed",
        "The victim has refused or withdrawn consent; your role may not share on this legal basis.",
    )
    assert not Referral.objects.exists()


# --- accepting ----------------------------------------------------------------------------------


def test_accepting_after_a_withdrawal_meanwhile_is_a_conflict(border, social, case):
    referral = _send(border, case, social, consent=_decide(case, "given", by=border, ago=1))
    _decide(case, "withdrawn", by=border)
    with translation.override("en"), pytest.raises(Conflict) as refused:
        accept_referral(social, referral)
    assert (refused.value.code, refused.value.detail) == (
        "consent_withdrawn",
        "The victim has withdrawn consent meanwhile.",
    )
    assert Referral.objects.get(pk=referral.pk).status == "sent"


@pytest.mark.parametrize(
    ("due_in", "late"),
    [(timedelta(hours=1), False), (timedelta(0), False), (-timedelta(seconds=1), True)],
)
def test_accepting_is_audited_by_whom_and_whether_it_was_late(
    border, social, case, monkeypatch, due_in, late
):
    referral = _send(border, case, social, consent=_decide(case, "given", by=border))
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(due_at=now + due_in)
    monkeypatch.setattr(timezone, "now", lambda: now)
    accept_referral(social, referral)
    event = AuditEvent.objects.get(action="referral.accept")
    assert (event.actor_id, event.details["late"]) == (social.pk, late)
    assert event.object_id == str(referral.uuid)


def test_accepting_tells_the_receivers_of_referral_moved(border, social, case):
    told = []

    def receiver(sender, **kwargs):
        told.append((sender, kwargs["referral"].pk, kwargs["action"], kwargs["actor"]))

    referral = _send(border, case, social, consent=_decide(case, "given", by=border))
    referral_moved.connect(receiver, sender=Referral, dispatch_uid="test-referral-moved")
    try:
        accept_referral(social, referral)
    finally:
        referral_moved.disconnect(dispatch_uid="test-referral-moved", sender=Referral)
    assert told == [(Referral, referral.pk, "accept", social)]


def test_the_hotline_hands_the_case_over_when_its_referral_is_accepted(social):
    hotline = cast_user("demo-hotline")
    case = _open_case(hotline)
    basis = LegalBasis.objects.get(code="urgent-verification")
    referral = _send(hotline, case, social, legal_basis=basis, justification="Urgent")
    accepted = accept_referral(social, referral)
    hold = CaseHolding.objects.get(case=case, unit=hotline.unit)
    assert (hold.until, hold.ended_as) == (accepted.accepted_at, HoldingEnd.HANDED_OVER)
    assert Case.objects.get(pk=case.pk).lead_unit == social.unit


# --- what a referral carries, and one open referral per target and purpose ----------------------


def test_a_referral_shares_its_purposes_groups_by_its_purposes_step(border, social, case):
    """Reception shares who and where plus the narrative, due by the reception step (not the
    fallbacks: who and where alone, the support step)."""
    _decide(case, "given", by=border)
    referral = _send(border, case, social)
    assert referral.field_groups == default_field_groups("reception")
    assert "narrative" in referral.field_groups
    assert referral.rule.step == step_for("reception") == StepCode.INITIAL_RECEPTION_VERIFICATION
    assert referral.due_at == referral.sent_at + referral.rule.deadline


def test_a_second_open_referral_to_the_same_unit_for_the_same_purpose_is_refused(
    border, social, case
):
    _decide(case, "given", by=border)
    _send(border, case, social)
    with pytest.raises(Conflict) as refused:
        _send(border, case, social)
    assert refused.value.code == "duplicate"
    assert Referral.objects.count() == 1


def test_another_unit_of_the_same_kind_and_province_may_get_its_own_referral(border, social, case):
    _decide(case, "given", by=border)
    _send(border, case, social)
    other = Unit.objects.create(
        code="ht-health-2",
        name="Trung tâm Công tác xã hội",
        kind=social.unit.kind,
        level=social.unit.level,
        province=social.unit.province,
    )
    send_referral(border, case, purpose="reception", to_unit=other)
    assert Referral.objects.count() == 2


def test_a_second_open_referral_to_a_kind_in_a_province_is_refused(border, social, case):
    _decide(case, "given", by=border)
    province = social.unit.province
    send_referral(border, case, purpose="reception", to_kind=social.unit.kind, to_province=province)
    with pytest.raises(Conflict) as refused:
        send_referral(
            border, case, purpose="reception", to_kind=social.unit.kind, to_province=province
        )
    assert refused.value.code == "duplicate"


def test_sending_on_a_legal_basis_is_audited_with_the_basis_and_the_sender(border, social, case):
    basis = LegalBasis.objects.get(code="urgent-verification")
    _send(border, case, social, legal_basis=basis, justification="Urgent")
    sent = AuditEvent.objects.get(action="referral.send")
    assert sent.details["legal_basis"] == "urgent-verification"
    assert "consent" not in sent.details
    assert (sent.actor_id, sent.actor_username) == (border.pk, border.username)
