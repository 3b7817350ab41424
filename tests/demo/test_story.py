"""The demo tells a story (issue 10): its facts, read through the selectors the pages use.

The story is seeded once for this module (it runs every case through the services, which
takes a while) inside a transaction rolled back at the end.
"""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from agencies.models import AgencyKind, Role, User
from cases.models import Case, CaseHolding, CaseState
from demo import organisation
from demo.stories import seed_story
from notifications.selectors import notifications_for
from proceedings.selectors import tips_by_urgency, visible_criminal_cases
from referrals.models import Escalation, Referral, ReferralStatus
from referrals.selectors import referrals_in_box
from reports.selectors import periodic_report
from rulebooks.periods import parse_period
from supervision.selectors import overdue_referrals, timeliness
from tests.reports.conftest import counts
from workflows.services import tasks_for_user

pytestmark = pytest.mark.django_db

# Kinds of agency that work cases; the Steering Committee supervises (its inbox is the
# overdue handoffs, see test_every_demo_user_has_something_to_do).
K = AgencyKind
WORKING_KINDS = {
    K.HOTLINE,
    K.POLICE,
    K.BORDER_GUARD,
    K.HEALTH_DEPARTMENT,
    K.LABOUR_SOCIAL,
    K.JUSTICE_LEGAL_AID,
    K.COMMUNE_COMMITTEE,
    K.FOREIGN_AFFAIRS,
}
DEMO_PROVINCES = {code for code, _name, _abbr in organisation.DEMO_PROVINCES.values()}


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        units = organisation.seed_units()
        organisation.seed_users(units, "x-Test-pass-42")
        world = seed_story()
        yield world
        transaction.set_rollback(True)


def _user(username: str) -> User:
    return User.objects.select_related("unit__province").get(username=username)


def _quarters_back(count: int) -> list[str]:
    day = timezone.localdate()
    codes = []
    for _ in range(count):
        codes.append(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
        day = day.replace(day=1) - timedelta(days=80)
    return codes


def test_every_stage_in_every_province(story):
    seen = set(Case.objects.values_list("province_id", "state"))
    assert seen >= {(p, s) for p in DEMO_PROVINCES for s in CaseState.values}


def test_every_kind_that_works_cases_holds_some_in_several_stages(story):
    held = CaseHolding.objects.filter(until__isnull=True).exclude(case__state=CaseState.CLOSED)
    stages: dict[str, set[str]] = {}
    for kind, state in held.values_list("unit__kind", "case__state"):
        stages.setdefault(kind, set()).add(state)
    assert set(stages) >= WORKING_KINDS
    # The hotline and the commune hand over at intake, legal aid and the 2011 rulebook's
    # social body work at support; the others hold cases in several stages.
    several = {K.POLICE, K.BORDER_GUARD, K.HEALTH_DEPARTMENT, K.FOREIGN_AFFAIRS}
    assert all(len(stages[kind]) >= 2 for kind in several), stages


def test_both_rulebooks_and_a_year_of_history(story):
    assert set(Case.objects.values_list("rulebook", flat=True)) == {"qcph-2548", "law-2024"}
    oldest = Case.objects.order_by("received_at").first().received_at
    assert oldest <= timezone.now() - timedelta(days=365)
    assert Case.objects.filter(received_at__gte=timezone.now() - timedelta(days=2)).count() >= 5


def test_referrals_in_every_state(story):
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses >= {
        ReferralStatus.SENT,
        ReferralStatus.ACCEPTED,
        ReferralStatus.REJECTED,
        ReferralStatus.COMPLETED,
    }
    now = timezone.now()
    waiting = Referral.objects.filter(status=ReferralStatus.SENT)
    assert waiting.filter(due_at__gt=now).exists(), "some referrals are waiting, not yet due"
    overdue = waiting.filter(overdue_at__isnull=False)
    assert overdue.count() >= 3
    escalated = Escalation.objects.filter(referral__in=overdue)
    assert escalated.values("referral").distinct().count() == overdue.count()
    late = Referral.objects.filter(
        status=ReferralStatus.ACCEPTED, accepted_at__gt=timezone.now() - timedelta(days=400)
    ).exclude(overdue_at=None)
    assert late.exists(), "some referrals were accepted late, after being escalated"
    assert any(r.reason for r in Referral.objects.exclude(rejected_at=None))  # reasons encrypted


def test_every_demo_user_has_something_to_do(story):
    """Every demo user with a unit lands on a non-empty inbox: incoming referrals still open,
    or open tasks of the unit; a supervisor, overdue handoffs to chase."""
    empty = []
    for user in User.objects.filter(username__startswith="demo-", unit__isnull=False):
        if user.role == Role.SUPERVISOR:
            things = len(overdue_referrals(user))
        else:
            incoming = referrals_in_box(user, "inbox").filter(status=ReferralStatus.SENT)
            things = incoming.count() + len(tasks_for_user(user))
        if not things:
            empty.append(user.username)
    assert not empty
    assert User.objects.filter(username__startswith="demo-", unit__isnull=False).count() == 7


@pytest.mark.parametrize(
    "username",
    ["demo-police", "demo-borderguard", "demo-social", "demo-justice", "demo-foreign"],
)
def test_caseworkers_have_incoming_referrals_or_tasks_of_their_own_unit(story, username):
    user = _user(username)
    tasks = tasks_for_user(user)
    incoming = referrals_in_box(user, "inbox").filter(status=ReferralStatus.SENT)
    assert tasks or incoming.exists()
    assert all(t.may_be_worked_by(user) for t in tasks)


def test_hotline_operator_has_calls_waiting_for_a_receiving_unit(story):
    operator = _user("demo-hotline")
    tasks = tasks_for_user(operator)
    assert tasks
    waiting = referrals_in_box(operator, "outbox").filter(status=ReferralStatus.SENT)
    assert waiting.filter(overdue_at__isnull=False).exists()
    assert waiting.filter(overdue_at__isnull=True).exists()


def test_notifications_waiting(story):
    supervisor = _user("demo-supervisor")
    unread = notifications_for(supervisor).filter(read_at__isnull=True)
    assert unread.exists(), "escalations of overdue handoffs in Lào Cai reach its supervisor"
    for username in ("demo-police", "demo-social", "demo-foreign"):
        assert notifications_for(_user(username)).filter(read_at__isnull=True).exists()


def test_timeliness_and_the_periodic_report_have_figures(story):
    supervisor = _user("demo-supervisor")
    quarters = _quarters_back(4)
    with_referrals = [q for q in quarters if timeliness(supervisor, q)["total"]["sent"]]
    assert len(with_referrals) >= 3, quarters
    # The demo's cases are counted in the periodic report of the supervisor's province.
    period = _quarters_back(2)[1]
    report = periodic_report(supervisor, period)
    starts, ends = parse_period(period).starts_at, parse_period(period).ends_at
    in_lao_cai = Case.objects.filter(
        province_id="n-lao-cai", received_at__gte=starts, received_at__lt=ends
    )
    received = counts(report, "received", "province")
    assert received == {"n-lao-cai": in_lao_cai.count()} and in_lao_cai.count() >= 2


def test_seed_demo_refuses_a_second_run(story):
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_demo")


def test_the_criminal_track_has_tips_and_cases_at_every_stage(story):
    police = _user("demo-police")
    tips = list(tips_by_urgency(police))
    assert tips[0].overdue and {t.state for t in tips} >= {"received", "verifying", "resolved"}
    stages = set(visible_criminal_cases(police).values_list("state", flat=True))
    assert stages == {"investigation", "trial", "adjudicated"}
    court = _user("lc-court-caseworker")
    assert visible_criminal_cases(court).count() == 2
