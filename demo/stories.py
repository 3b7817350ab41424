"""The demo's story: a year and more of cases in Lào Cai, Quảng Trị and Hà Tĩnh.

Every case is opened, moved and handed over through the services (cases.services,
referrals.services), at the date it happens: each story is a generator that yields the moment
of its next step, and `World.run` runs all the steps of all the stories in time order with
the clock set to that moment (time-machine). The deadline sweep runs the same way, an hour
after each deadline a referral missed and once more a minute before the present, so referrals
are marked overdue and escalated when they would have been, and the arrival and escalation
notifications are delivered.

What the story leaves, relative to the moment it is seeded:
- in each province, cases in every stage, held by every kind of agency that works cases;
- referrals sent, accepted, rejected, completed, overdue and escalated, and one whose deadline
  passes a few minutes after seeding, for the demo's scheduler to sweep;
- two old cases under the 2011 law's rulebook (received before 1 July 2025);
- in every demo user's unit, something to do: incoming referrals, open tasks, overdue handoffs.

The people are invented; names and phone numbers are test data.
"""

import heapq
import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from agencies.models import Unit, User
from cases import services as cases
from cases.models import Case, CaseState, ConsentInformed, ConsentStatus
from places.models import VIETNAM_TZ
from proceedings import services as proceedings
from proceedings.models import CriminalCase
from referrals import services as referrals
from referrals.models import Referral, ReferralStatus
from supervision.tasks import sweep_deadlines
from workflows.services import sync_pending_processes

PROVINCES = ("lc", "qt", "ht")
# A story yields the moment of its next step; the code after the yield runs at that moment.
Story = Generator[datetime, None, None]

FAMILY_NAMES = ["Lò", "Vàng", "Hà", "Sùng", "Lục", "Giàng", "Đinh", "Hồ", "Phan", "Nguyễn"]
GIVEN_NAMES = ["Thị Mai", "A Sử", "Thị Lan", "Văn Páo", "Thị Hoa", "A Lử", "Thị Thu", "Văn Nam"]


@dataclass
class People:
    """Invented victims: a different name and phone number for each case."""

    counter: Iterator[int] = field(default_factory=itertools.count)
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    def victim(self, home: Unit, *, age: int, sex: str) -> cases.PersonData:
        """A victim from the province of the unit `home`."""
        index = next(self.counter)
        name = f"{FAMILY_NAMES[index % 10]} {GIVEN_NAMES[index % 8]} {chr(65 + index // 10)}"
        phone = f"09{index:02d}777{index:03d}"
        self.names.append(name)
        self.phones.append(phone)
        return cases.PersonData(
            full_name=name,
            stated_age=age,
            sex=sex,
            phone=phone,
            province_id=home.province_id,
            language="Hmong" if index % 3 == 0 else "",
            interpreter_needed=index % 3 == 0,
        )


class World:
    """The demo's organisation and clock, and the steps stories are made of."""

    def __init__(self, now: datetime):
        self.now = now.replace(second=0, microsecond=0)
        self.people = People()
        self._users = {u.username: u for u in User.objects.select_related("unit__province")}
        self._units = {u.code: u for u in Unit.objects.select_related("province")}
        self._queue: list[tuple[datetime, int, Story]] = []
        self._order = itertools.count()

    def run(self, found: list[Story]) -> None:
        """Run every story's steps in time order, each with the clock set to its moment."""
        for story in found:
            self._schedule(story, None)
        while self._queue:
            moment, _order, story = heapq.heappop(self._queue)
            with time_machine.travel(moment.astimezone(UTC), tick=False):
                self._schedule(story, moment)
                sync_pending_processes()  # the dispatcher, seconds after each step in production

    def _schedule(self, story: Story, now: datetime | None) -> None:
        try:
            moment = next(story)
        except StopIteration:
            return
        if now is not None and moment < now:
            raise ValueError(f"a story steps back in time: {moment} < {now}")
        heapq.heappush(self._queue, (moment, next(self._order), story))

    def ago(self, days: float = 0, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    def user(self, name: str) -> User:
        return self._users[name]

    def unit(self, code: str) -> Unit:
        return self._units[code]

    def caseworker(self, unit_code: str) -> User:
        """The named demo user of the unit where there is one, else its caseworker."""
        named = {
            "hotline-111": "demo-hotline",
            "lc-police": "demo-police",
            "lc-border_guard": "demo-borderguard",
            "lc-health_department": "demo-social",
            "lc-justice_legal_aid": "demo-justice",
            "mofa-consular": "demo-foreign",
        }
        return self.user(named.get(unit_code) or f"{unit_code}-caseworker")

    # --- steps ---------------------------------------------------------------------------

    def intake(
        self,
        actor: User,
        *,
        channel: str,
        province: str,
        age: int = 24,
        sex="female",
        purposes=("forced_labour",),
        country="CN",
        abroad=False,
        narrative="",
    ) -> Case:
        victim = self.people.victim(self.unit(f"{province}-police"), age=age, sex=sex)
        data = cases.IntakeData(
            channel=channel,
            victim=victim,
            purposes=list(purposes),
            destination_country=country,
            is_abroad=abroad,
            narrative=narrative or "Dữ liệu mẫu của bản demo.",
        )
        return cases.create_intake(actor, data).case

    @staticmethod
    def screen(actor: User, case: Case) -> None:
        cases.record_screening(
            actor,
            case,
            indicators=["deception", "restriction_of_movement", "withheld_documents"],
            purposes=list(case.purposes),
        )

    def refer(self, actor: User, case: Case, to: str, purpose: str) -> Referral:
        """Record the victim's consent for the receiving kind, then send the referral."""
        unit = self.unit(to)
        cases.record_consent(
            actor,
            case,
            recipient_kind=unit.kind,
            purpose=purpose,
            status=ConsentStatus.GIVEN,
            informed_how=ConsentInformed.ORALLY,
            informed_language="vi",
        )
        referral = referrals.send_referral(actor, case, purpose=purpose, to_unit=unit)
        # The sweep runs an hour after the deadline, if the referral is still waiting then
        # (deadlines after the present are left to the demo's scheduler).
        if referral.due_at + timedelta(hours=1) < self.now:
            self._schedule(
                _sweep_if_open(self, referral, referral.due_at + timedelta(hours=1)), None
            )
        return referral

    @staticmethod
    def move(actor: User, case: Case, transition: str, **extra) -> Case:
        return cases.transition_case(actor, case, transition, **extra)

    def verified(self, actor: User, case: Case) -> Case:
        """The verification finds signs of trafficking; identification starts."""
        cases.record_verification(actor, case, outcome="signs_of_trafficking")
        return self.move(actor, case, "start_identification")

    @staticmethod
    def identified(actor: User, case: Case, document_type: str, number: str) -> None:
        cases.record_identification(
            actor, case, is_victim=True, document_type=document_type, document_number=number
        )

    def protected(self, actor: User, case: Case, measure: str) -> Case:
        cases.add_protection_measure(actor, case, kind=measure)
        return self.move(actor, case, "start_protection")

    def supported(self, actor: User, case: Case, service: str) -> Case:
        cases.request_service(actor, case, kind=service)
        return self.move(actor, case, "start_support")

    @staticmethod
    def sweep() -> None:
        """What Celery beat runs every minute in production."""
        sweep_deadlines()


# --- the stories ------------------------------------------------------------------------------


def border_return(w: World, p: str, start: float, stop: str, social_late: bool = False) -> Story:
    """The Border Guard receives a person handed back at the border and verifies; the
    provincial social-protection body takes over protection and support; legal aid follows;
    the case closes once the person is home (stop: how far the story gets)."""
    bg = w.caseworker(f"{p}-border_guard")
    yield w.ago(start)
    case = w.intake(
        bg,
        channel="border_handover",
        province=p,
        age=19 + int(start) % 9,
        purposes=["forced_marriage"],
        narrative="Được Biên phòng tiếp nhận tại cửa khẩu.",
    )
    if stop == CaseState.INTAKE:
        return
    yield w.ago(start - 0.2)
    w.screen(bg, case)
    case = w.move(bg, case, "start_verification")
    if stop == CaseState.VERIFICATION:
        return
    yield w.ago(start - 2)
    case = w.verified(bg, case)
    if stop == CaseState.IDENTIFICATION:
        return
    yield w.ago(start - 6)
    w.identified(bg, case, "border_guard_confirmation", f"{p.upper()}-{int(start):03d}/XN")
    referral = w.refer(bg, case, f"{p}-health_department", "protection")
    social = w.caseworker(f"{p}-health_department")
    if social_late:
        yield w.ago(start - 9)  # accepted two days late, swept and escalated first
    else:
        yield w.ago(start - 6.5)
    referrals.accept_referral(social, referral)
    case = w.protected(social, case, "shelter")
    if stop == CaseState.PROTECTION:
        return
    yield w.ago(start - 15)
    case = w.supported(social, case, "medical")
    legal = w.refer(social, case, f"{p}-justice_legal_aid", "legal_aid")
    yield w.ago(start - 16)
    justice = w.caseworker(f"{p}-justice_legal_aid")
    referrals.accept_referral(justice, legal)
    if stop == CaseState.SUPPORT:
        return
    yield w.ago(start - 60)
    referrals.complete_referral(justice, legal)
    yield w.ago(start - 90)
    w.move(social, case, "close", closure_reason="reintegrated")


def hotline_call(w: World, p: str, start: float, fate: str) -> Story:
    """A call to 111: the operator opens the case and hands it to the provincial police.

    fate: "waiting" (sent, not yet due), "overdue" (nobody accepted it), "rejected" (the
    police rejected it and the operator sent it to the Border Guard, who accepted), or
    "verifying" (the police accepted and verifies).
    """
    operator = w.user("demo-hotline")
    yield w.ago(start)
    case = w.intake(
        operator,
        channel="hotline",
        province=p,
        age=16 + int(start) % 7,
        purposes=["forced_labour"],
        country="KH",
        abroad=fate == "overdue",
        narrative="Người nhà gọi 111: bị giữ tại một khu lừa đảo trực tuyến.",
    )
    w.screen(operator, case)
    referral = w.refer(operator, case, f"{p}-police", "verification")
    police = w.caseworker(f"{p}-police")
    if fate in ("waiting", "overdue"):
        return
    yield w.ago(start - 1)
    if fate == "rejected":
        referrals.reject_referral(
            police, referral, reason="Nơi xảy ra vụ việc thuộc địa bàn Biên phòng quản lý."
        )
        yield w.ago(start - 1.2)
        referral = w.refer(operator, case, f"{p}-border_guard", "verification")
        police = w.caseworker(f"{p}-border_guard")
        yield w.ago(start - 2)
    referrals.accept_referral(police, referral)
    case = w.move(police, case, "start_verification")


def police_report(w: World, p: str, start: float, stop: str) -> Story:
    """A report to the police: verified, identified, supported by social protection."""
    police = w.caseworker(f"{p}-police")
    yield w.ago(start)
    case = w.intake(
        police,
        channel="police_report",
        province=p,
        age=31,
        sex="male",
        purposes=["forced_labour"],
        country="MY",
        narrative="Tự trình báo sau khi trốn khỏi nơi bị cưỡng bức lao động.",
    )
    w.screen(police, case)
    case = w.move(police, case, "start_verification")
    if stop == CaseState.VERIFICATION:
        return
    yield w.ago(start - 3)
    case = w.verified(police, case)
    yield w.ago(start - 10)
    w.identified(police, case, "police_confirmation", f"CA-{p.upper()}-{int(start):03d}")
    case = w.protected(police, case, "safety_of_victim")
    if stop == CaseState.PROTECTION:
        w.refer(police, case, f"{p}-justice_legal_aid", "legal_counselling")
        return
    referral = w.refer(police, case, f"{p}-health_department", "psychological")
    yield w.ago(start - 11)
    social = w.caseworker(f"{p}-health_department")
    referrals.accept_referral(social, referral)
    case = w.supported(social, case, "psychological")
    if stop == CaseState.SUPPORT:
        return
    yield w.ago(start - 40)
    w.move(social, case, "close", closure_reason="reintegrated")


def rescue_abroad(w: World, p: str, start: float, stop: str) -> Story:
    """The embassy in Phnom Penh learns of a person held in a scam compound; the consular
    department rescues; the Border Guard receives the person at the border."""
    embassy = w.user("embassy-phnom-penh-caseworker")
    yield w.ago(start)
    case = w.intake(
        embassy,
        channel="mission_abroad",
        province=p,
        age=22,
        sex="male",
        purposes=["forced_labour"],
        country="KH",
        abroad=True,
        narrative="Bị giữ tại khu lừa đảo ở Sihanoukville, xin được giải cứu.",
    )
    w.screen(embassy, case)
    referral = w.refer(embassy, case, "mofa-consular", "rescue")
    if stop == CaseState.INTAKE:
        return
    yield w.ago(start - 0.5)
    consular = w.caseworker("mofa-consular")
    referrals.accept_referral(consular, referral)
    case = w.move(consular, case, "start_verification")
    cases.request_rescue(consular, case, partner_authority="Cảnh sát Campuchia", country="KH")
    case = w.move(consular, case, "start_rescue")
    if stop == CaseState.RESCUE:
        return
    yield w.ago(start - 5)
    cases.record_rescue_done(consular, case)
    handover = w.refer(consular, case, f"{p}-border_guard", "reception")
    yield w.ago(start - 6)
    bg = w.caseworker(f"{p}-border_guard")
    referrals.accept_referral(bg, handover)
    w.protected(bg, case, "handover_at_border")


def commune_walk_in(w: World, p: str, start: float, accepted: bool) -> Story:
    """A woman walks into the commune People's Committee; it hands her to social protection."""
    commune = w.caseworker(f"{p}-commune_committee")
    yield w.ago(start)
    case = w.intake(
        commune,
        channel="walk_in",
        province=p,
        age=27,
        purposes=["forced_marriage"],
        narrative="Tự tìm về Ủy ban nhân dân xã sau khi trốn khỏi nơi bị ép kết hôn.",
    )
    w.screen(commune, case)
    referral = w.refer(commune, case, f"{p}-health_department", "reception")
    if not accepted:
        return
    yield w.ago(start - 1)
    social = w.caseworker(f"{p}-health_department")
    referrals.accept_referral(social, referral)
    w.move(social, case, "start_verification")


def old_case(w: World, p: str, received: datetime) -> Story:
    """A case from before 1 July 2025, under the 2011 law's rulebook, still in long-term
    support with the labour and social-affairs department (the social body of that rulebook)."""
    bg = w.caseworker(f"{p}-border_guard")
    yield received
    case = w.intake(bg, channel="border_handover", province=p, age=17, purposes=["forced_marriage"])
    w.screen(bg, case)
    case = w.move(bg, case, "start_verification")
    yield received + timedelta(days=2)
    case = w.verified(bg, case)
    yield received + timedelta(days=10)
    w.identified(bg, case, "border_guard_confirmation", f"BP-{p.upper()}-2025")
    case = w.protected(bg, case, "escort_to_relatives")
    referral = w.refer(bg, case, f"{p}-labour_social", "vocational_training")
    yield received + timedelta(days=11)
    social = w.caseworker(f"{p}-labour_social")
    referrals.accept_referral(social, referral)
    w.supported(social, case, "vocational_training")


def due_in_minutes(w: World) -> Story:
    """A referral whose deadline (24 hours for protection) passes minutes after seeding:
    the demo's scheduler marks it overdue and notifies the supervisors."""
    bg = w.caseworker("ht-border_guard")
    yield w.ago(hours=23, days=0) - timedelta(minutes=55)
    case = w.intake(
        bg,
        channel="border_handover",
        province="ht",
        age=35,
        sex="male",
        purposes=["forced_labour"],
        country="LA",
        narrative="Lao động trở về từ Lào qua cửa khẩu Cầu Treo.",
    )
    w.screen(bg, case)
    case = w.move(bg, case, "start_verification")
    w.refer(bg, case, "ht-health_department", "protection")


OFFENDERS = ["Lê Văn Mối", "Trần Thị Dẫn", "Vừ A Chớ", "Phạm Văn Đường", "Hoàng Thị Lừa"]


def criminal_track(w: World, p: str, start: float, stop: str) -> Story:
    """A tip to the police, verified and resolved by opening a criminal case, then (as far as
    `stop`: received, verifying, investigation, trial, adjudicated) prosecuted and tried."""
    police = w.caseworker(f"{p}-police")
    yield w.ago(start)
    tip = proceedings.record_tip(
        police,
        proceedings.TipData(
            kind="denunciation",
            content="Người dân tố giác một đối tượng dụ dỗ phụ nữ sang Trung Quốc lấy chồng.",
            offence="art150",
        ),
    )
    if stop == "received":
        return
    yield w.ago(start - 2)
    proceedings.transition_tip(police, tip, "start_verification")
    if stop == "verifying":
        return
    yield w.ago(start - 15)
    number = f"{int(start):02d}/QĐ-KTVA-{p.upper()}"
    proceedings.resolve_tip(police, tip, outcome="case_opened", decision_number=number)
    cc = CriminalCase.objects.get(tip=tip)
    name = OFFENDERS[len(w.people.names) % len(OFFENDERS)]
    w.people.names.append(name)
    proceedings.add_offender(
        police, cc, proceedings.OffenderData(role="recruiter", full_name=name, birth_year="1984")
    )
    proceedings.add_route(
        police,
        cc,
        proceedings.RouteData(
            destination_country="CN",
            origin_province_id=police.unit.province_id,
            sector="forced_marriage",
        ),
    )
    if stop == "investigation":
        return
    yield w.ago(start - 90)
    proceedings.transition_criminal_case(police, cc, "conclude_investigation")
    yield w.ago(start - 110)
    proceedings.transition_criminal_case(
        w.caseworker(f"{p}-procuracy"),
        cc,
        "indict",
        number=f"{int(start):02d}/CT-VKS",
        court_unit=w.unit(f"{p}-court"),
    )
    if stop == "trial":
        return
    yield w.ago(start - 150)
    offender = cc.offenders.get()
    proceedings.transition_criminal_case(
        w.caseworker(f"{p}-court"),
        cc,
        "adjudicate",
        number=f"{int(start):02d}/HSST",
        verdicts=[proceedings.VerdictData(offender, "convicted", 96)],
    )


OLD_RECEIVED = {  # under the 2011 law's rulebook (qcph-2548)
    "lc": datetime(2025, 3, 12, 9, 0, tzinfo=VIETNAM_TZ),
    "qt": datetime(2025, 4, 20, 10, 30, tzinfo=VIETNAM_TZ),
    "ht": datetime(2025, 6, 2, 14, 0, tzinfo=VIETNAM_TZ),
}


def stories(w: World) -> list[Story]:
    S = CaseState
    found = []
    for i, p in enumerate(PROVINCES):
        k = i * 3  # the provinces' stories are a few days apart
        found += [
            border_return(w, p, 250 - k, S.CLOSED, social_late=True),
            border_return(w, p, 120 - k, S.SUPPORT),
            border_return(w, p, 60 - k, S.PROTECTION, social_late=i == 2),
            border_return(w, p, 25 - k, S.IDENTIFICATION),
            border_return(w, p, 9 - k, S.VERIFICATION),
            border_return(w, p, 0.3 + i * 0.1, S.INTAKE),
            police_report(w, p, 300 - k, S.CLOSED),
            police_report(w, p, 40 - k, S.PROTECTION),
            hotline_call(w, p, 180 - k, "rejected"),
            hotline_call(w, p, 14 - k, "verifying"),
            hotline_call(w, p, 12 - k, "overdue"),
            hotline_call(w, p, 0.5 + i * 0.1, "waiting"),
            rescue_abroad(w, p, 4 + i, S.RESCUE),
            rescue_abroad(w, p, 0.4 + i * 0.1, S.INTAKE),
            commune_walk_in(w, p, 90 - k, accepted=True),
            commune_walk_in(w, p, 1.5 + i, accepted=False),
            old_case(w, p, OLD_RECEIVED[p]),
            criminal_track(w, p, 220 - k, "adjudicated"),
            criminal_track(w, p, 130 - k, "trial"),
            criminal_track(w, p, 45 - k, "investigation"),
            criminal_track(w, p, 24 - k, "received"),  # past its 20 days: overdue
            criminal_track(w, p, 6 - k, "verifying"),
        ]
    found.append(due_in_minutes(w))
    found.append(final_sweep(w))
    return found


def final_sweep(w: World) -> Story:
    """The sweep a minute before the present: what is overdue by now is marked."""
    yield w.ago(hours=0) - timedelta(minutes=1)
    w.sweep()


def _sweep_if_open(w: World, referral: Referral, moment: datetime) -> Story:
    yield moment
    if Referral.objects.filter(pk=referral.pk, status=ReferralStatus.SENT).exists():
        w.sweep()


def seed_story(now: datetime | None = None) -> World:
    """Seed the story as of `now` (the present by default); returns the world it ran in."""
    world = World(now or timezone.now())
    world.run(stories(world))
    return world


def seeded_secrets(world: World) -> list[str]:
    """The victims' names and phone numbers the story wrote (to hunt for them in plaintext)."""
    return [*world.people.names, *world.people.phones]
