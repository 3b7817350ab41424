"""Properties of the case state machine and its process, under random sequences of actions.

Random users (every role, agency kinds that hold the case and ones that do not) make random
transitions, through cases.services and through the task service, add the records that
transitions need, and try to complete the support track of a person being identified. After
every step: the stage changed only by a transition of the legal process; a refused action
changed nothing; once the process dispatcher has run (a rule of its own, so that several changes
may wait for it), the process's open tasks are exactly the task of the current stage and, while
the case is in identification and the track is not done, the parallel support track, and
before it has, no inbox shows a task of another stage and the case's sync is pending; a
transition that was made had its records on file and was made by one of its actors (the
responsible agency kinds, the lead unit, supervisors), both written out here from the law.
"""

import contextlib
from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from agencies.models import AgencyKind, Role, User
from cases import services
from cases.models import OPEN_STATES, CaseHolding, ClosureReason, StateChange
from cases.permissions import may_transition
from config.errors import Conflict, DomainError, InvalidInput, NotAllowed
from rulebooks.models import SupportServiceKind
from security.models import AuditEvent
from tests.cast import cast_user
from workflows import services as workflow_services
from workflows.models import PendingProcessSync
from workflows.process import CaseProcess
from workflows.services import tasks_for_user

# The legal process, written out independently of the model: transition -> (sources, target).
# Reopening goes back to the stage the case was closed from.
LEGAL = {
    "start_verification": ({"intake"}, "verification"),
    "start_identification": ({"verification", "rescue"}, "identification"),
    "start_rescue": ({"verification", "identification"}, "rescue"),
    "start_protection": ({"verification", "identification", "rescue"}, "protection"),
    "start_support": ({"identification", "protection"}, "support"),
    "close": (set(OPEN_STATES), "closed"),
    "reopen": ({"closed"}, None),
}
USERNAMES = [
    "demo-hotline",  # lead unit: received the intake
    "demo-police",
    "demo-borderguard",
    "demo-social",
    "demo-justice",
    "demo-foreign",
    "qt-police-caseworker",  # another province: never holds the case
    "lc-police-supervisor",
    "demo-supervisor",  # Steering Committee of the case's province
    "demo-admin",
]
MAY_HOLD = USERNAMES[1:6]
WALK = ["start_verification", "start_identification"]  # the usual way into identification
WALK_HOLDERS = {"demo-police", "demo-social"}
TRACK = "support_while_identified"  # the parallel support track of identification
# Who provides support: social protection under either rulebook, and legal aid.
SUPPORT_KINDS = {
    AgencyKind.LABOUR_SOCIAL,
    AgencyKind.HEALTH_DEPARTMENT,
    AgencyKind.JUSTICE_LEGAL_AID,
}
# Records each transition needs, added first when a move is "prepared".
NEEDED = {
    "start_verification": ["screening"],
    "start_identification": ["verification", "rescue_done"],
    "start_rescue": ["rescue_request"],
    "start_protection": ["protection", "rescue_done"],
    "start_support": ["service"],
    "close": ["no_trafficking"],
    "reopen": [],
}
RECORDS = {
    "screening": lambda u, c, _s: services.record_screening(
        u, c, indicators=["deception"], purposes=[]
    ),
    "verification": lambda u, c, _s: services.record_verification(
        u, c, outcome="signs_of_trafficking"
    ),
    "no_trafficking": lambda u, c, _s: services.record_verification(
        u, c, outcome="not_trafficking"
    ),
    "identification": lambda u, c, _s: services.record_identification(
        u, c, is_victim=True, document_type="police_confirmation", document_number="PC-1"
    ),
    "rescue_request": lambda u, c, _s: services.request_rescue(u, c, country="CN"),
    "rescue_done": lambda u, c, _s: services.record_rescue_done(u, c),
    "protection": lambda u, c, _s: services.add_protection_measure(u, c, kind="safety_of_victim"),
    "service": lambda u, c, service: services.request_service(u, c, kind=service),
}
REFUSALS = (NotAllowed, InvalidInput, Conflict)
# Agency kinds responsible for each working stage under law-2024 (the rulebook of a case
# received now), written out from the law rather than read from the rulebook data.
RESPONSIBLE = {
    "verification": {"police", "border_guard", "health_department"},
    "identification": {"police", "border_guard", "foreign_affairs", "procuracy", "court"},
    "rescue": {"police", "border_guard", "coast_guard", "foreign_affairs"},
    "protection": {"police", "border_guard", "health_department"},
    "support": {"health_department", "justice_legal_aid"},
}


def recorded_before(case, name: str, source: str, closure: str, reason: str) -> bool:
    """What the transition needs was on record when it was made (checked after the move,
    with records that only ever accumulate)."""
    verifications = case.verifications
    if name == "start_verification":
        return case.screenings.exists()
    if name == "start_identification":
        if source == "rescue":
            return case.rescues.filter(rescued_at__isnull=False).exists()
        return verifications.exclude(outcome="not_trafficking").exists()
    if name == "start_rescue":
        return case.rescues.exists()
    if name == "start_protection":
        rescued = case.rescues.filter(rescued_at__isnull=False).exists()
        return case.protections.exists() and (source != "rescue" or rescued)
    if name == "start_support":
        return case.services.exists()
    if name == "close":
        not_a_victim = (
            verifications.filter(outcome="not_trafficking").exists()
            or case.identifications.filter(is_victim=False).exists()
        )
        return (
            closure in ClosureReason.values
            and closure != "duplicate"
            and (closure != "not_a_victim" or not_a_victim)
        )
    return bool(reason.strip())  # reopen


def may_act(user: User, case, name: str, source: str) -> bool:
    """Who may make the transition, from the law: supervisors close and reopen; the lead
    unit closes and reopens; at intake any holder moves on or closes; later the kinds
    responsible for the stage left and, moving onward, the stage entered."""
    if user.role == Role.SUPERVISOR:
        return name in ("close", "reopen")
    if user.role not in (Role.CASEWORKER, Role.HOTLINE_OPERATOR):
        return False
    if name in ("close", "reopen") and user.unit_id == case.lead_unit_id:
        return True
    if name == "reopen":
        return False
    if source == "intake":
        return True
    target = LEGAL[name][1]
    kinds = RESPONSIBLE[source] | (RESPONSIBLE.get(target, set()) if name != "close" else set())
    return user.unit.kind in kinds


closure_reasons = st.sampled_from(["", *ClosureReason.values])
reasons = st.sampled_from(["", "Recorded reason"])
services_kinds = st.sampled_from(["essential_needs", *SupportServiceKind.values])


class CaseMachine(RuleBasedStateMachine):
    """One fresh case per example, inside a savepoint rolled back at the end."""

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.closed_from = None
        self.track_open = False

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize(
        data=st.data(),
        holders=st.sets(st.sampled_from(MAY_HOLD)),
        walked=st.integers(0, len(WALK)),
    )
    def open_case(self, data, holders, walked):
        """The hotline takes the report; some agencies have accepted a referral.

        The case may already have gone some way along the usual path (to reach later stages
        often); the police and social services hold a case walked to identification.
        """
        intake = services.IntakeData(
            channel="hotline",
            victim=services.PersonData(full_name="Người bị hại", province_id="n-lao-cai"),
        )
        self.case = services.create_intake(cast_user("demo-hotline"), intake).case
        self.holders = ["demo-hotline"]
        for username in sorted(holders | (WALK_HOLDERS if walked == len(WALK) else set())):
            self.hold(username)
        for name in WALK[:walked]:
            self.prepare(data, name)
            user = self.draw_able(data, lambda u: may_transition(u, self.case, name))
            self.attempt(user, name, partial(services.transition_case, user, self.case, name))

    def hold(self, username: str) -> None:
        CaseHolding.objects.create(
            case=self.case, unit=cast_user(username).unit, basis="referral", since=timezone.now()
        )
        self.holders.append(username)

    def draw_user(self, data) -> User:
        """Anyone, or more often a user of a unit that holds the case."""
        return cast_user(data.draw(st.sampled_from(self.holders) | st.sampled_from(USERNAMES)))

    def snapshot(self) -> tuple:
        self.case.refresh_from_db()
        events = AuditEvent.objects.exclude(action__contains="refus").count()
        tasks = list(workflow_services.open_tasks(self.case).values_list("pk", flat=True))
        return (self.case.state, self.case.version, StateChange.objects.count(), events, tasks)

    def check_allowed(self, user: User, name: str, before: tuple, given: dict) -> None:
        source, version, changes = before[:3]
        self.case.refresh_from_db()
        closure, reason = given.get("closure_reason", ""), given.get("reason", "")
        assert recorded_before(self.case, name, source, closure, reason), (name, source)
        assert may_act(user, self.case, name, source), (user.username, name, source)
        sources, target = LEGAL[name]
        assert source in sources, (name, source)
        assert self.case.state == (target or self.closed_from)
        assert (self.case.version, StateChange.objects.count()) == (version + 1, changes + 1)
        assert user.role != Role.ADMINISTRATOR
        holds = self.case.holdings.filter(unit_id=user.unit_id, until__isnull=True).exists()
        assert holds or user.role == Role.SUPERVISOR
        self.closed_from = source if name == "close" else None
        self.track_open = self.case.state == "identification"

    def record(self, kind: str, user: User, service: str = "essential_needs") -> None:
        """Add a record; a refusal is fine, a change of stage is not."""
        state = self.snapshot()[0]
        with contextlib.suppress(DomainError):
            RECORDS[kind](user, self.case, service)
        assert self.snapshot()[0] == state

    def draw_able(self, data, able) -> User:
        """A user for whom able(user) holds, when there is one, else anyone.

        Picked with the system's own rules to reach later stages often; what the user then
        does is still checked independently.
        """
        users = [user for user in map(cast_user, USERNAMES) if able(user)]
        return data.draw(st.sampled_from(users)) if users else self.draw_user(data)

    def prepare(self, data, name: str) -> None:
        """Holders record what the transition needs."""
        for kind in NEEDED[name]:
            self.record(kind, cast_user(data.draw(st.sampled_from(self.holders))))

    def attempt(self, user: User, name: str, make, **given) -> None:
        """Make the transition: refused, it changed nothing; made, it was allowed."""
        before = self.snapshot()
        try:
            make(**given)
        except REFUSALS:
            assert self.snapshot() == before
        else:
            self.check_allowed(user, name, before, given)

    @rule(
        data=st.data(),
        sure=st.booleans(),
        prepared=st.booleans(),
        via_task=st.booleans(),
        closure=closure_reasons,
        reason=reasons,
    )
    def move(self, data, sure, prepared, via_task, closure, reason):
        """A transition, often one the legal process allows now, by the cases or task service.

        A prepared move first has holders record what the transition needs; a sure one is a
        prepared move the legal process allows now, by a user who may make it.
        """
        self.case.refresh_from_db()
        now = sorted(name for name, (sources, _) in LEGAL.items() if self.case.state in sources)
        legal_now = st.sampled_from(now)
        name = data.draw(legal_now if sure else legal_now | st.sampled_from(sorted(LEGAL)))
        if prepared or sure:
            self.prepare(data, name)
        if sure:
            user = self.draw_able(data, lambda u: may_transition(u, self.case, name))
        else:
            user = self.draw_user(data)
        tasks = list(workflow_services.open_tasks(self.case))
        if via_task and tasks:
            task = data.draw(st.sampled_from(tasks))  # a transition on the track is refused
            make = partial(workflow_services.complete_task, user, task, name)
        else:
            make = partial(services.transition_case, user, self.case, name)
        self.attempt(user, name, make, reason=reason, closure_reason=closure)

    @rule(data=st.data(), sure=st.booleans())
    def complete_support_track(self, data, sure):
        """Someone completes the support track.

        A sure attempt first has a holder record a service, and is made by a user the track
        waits for.
        """
        track = [t for t in workflow_services.open_tasks(self.case) if t.flow_task.name == TRACK]
        if not track:
            return
        if sure:
            self.record("service", cast_user(data.draw(st.sampled_from(self.holders))))
        user = self.draw_able(data, track[0].may_be_worked_by) if sure else self.draw_user(data)
        before = self.snapshot()
        try:
            workflow_services.complete_support_track(user, track[0])
        except REFUSALS:
            assert self.snapshot() == before
        else:
            assert self.snapshot()[:3] == before[:3]
            assert user.unit.kind in SUPPORT_KINDS and user.role == Role.CASEWORKER
            assert self.case.holdings.filter(unit_id=user.unit_id, until__isnull=True).exists()
            assert self.case.protections.exists() or self.case.services.exists()
            self.track_open = False

    @rule(data=st.data(), kind=st.sampled_from(sorted(RECORDS)), service=services_kinds)
    def add_record(self, data, kind, service):
        """Any record by anyone; records never change the stage."""
        self.record(kind, self.draw_user(data), service)

    @rule(username=st.sampled_from(MAY_HOLD))
    def accept_referral(self, username):
        """Another agency's unit accepts a referral and becomes a holder."""
        if username not in self.holders:
            self.hold(username)

    @rule()
    def dispatcher_runs(self):
        """The process dispatcher runs (Celery beat, every few seconds): after any number of
        changes since its last run, the process catches up with the case's stage."""
        workflow_services.sync_pending_processes()
        assert not PendingProcessSync.objects.filter(case=self.case).exists()

    @invariant()
    def open_tasks_match_the_stage(self):
        """Once the dispatcher has run, the open tasks are exactly the stage's (and the track);
        before, no inbox shows a task of a stage the case is not in, and the case's sync is
        pending (it cannot be lost)."""
        self.case.refresh_from_db()
        inboxes = [task for name in self.holders for task in tasks_for_user(cast_user(name))]
        assert {task.stage for task in inboxes if task.case.pk == self.case.pk} <= {self.case.state}
        if PendingProcessSync.objects.filter(case=self.case).exists():
            return  # in between: the dispatcher has yet to run
        nodes = [task.flow_task.name for task in workflow_services.open_tasks(self.case)]
        closed = self.case.state == "closed"
        expected = [] if closed else [self.case.state, *([TRACK] if self.track_open else [])]
        assert nodes == expected
        assert CaseProcess.active_for(self.case).count() == (0 if closed else 1)
        reopened = self.case.state_changes.filter(transition="reopen").order_by("-pk").first()
        if reopened and not closed:  # each open period has a run of its own
            assert CaseProcess.active_for(self.case).get().created >= reopened.at


@pytest.mark.django_db
def test_state_machine_and_process_stay_in_step(demo_org):
    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
