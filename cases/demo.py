"""Demo cases in every stage under both rulebooks (seed_demo only; invented people)."""

from datetime import datetime

from agencies.models import User
from places.models import VIETNAM_TZ as VN

from . import services
from .models import Case, CaseState

# Each demo case: the Border Guard caseworker who receives it, when, and the stage to reach.
DEMO_CASES = [
    ("qt-border_guard-caseworker", datetime(2024, 11, 20, 9, 0, tzinfo=VN), stage)
    for stage in CaseState.values
] + [
    ("demo-borderguard", datetime(2025, 9, 14, 9, 30, tzinfo=VN), stage)
    for stage in CaseState.values
]
DEMO_NAMES = [
    "Lò Thị Mai",
    "Vàng A Sử",
    "Hà Thị Lan",
    "Sùng Văn Páo",
    "Lục Thị Hoa",
    "Giàng A Lử",
    "Đinh Thị Thu",
]

# The path from intake to each stage: (records to add, transition to make).
PATH = [
    (
        CaseState.VERIFICATION,
        [
            (
                "record_screening",
                {
                    "indicators": ["deception", "restriction_of_movement"],
                    "purposes": ["forced_marriage"],
                },
            )
        ],
        "start_verification",
    ),
    (
        CaseState.IDENTIFICATION,
        [("record_verification", {"outcome": "signs_of_trafficking"})],
        "start_identification",
    ),
    (
        CaseState.RESCUE,
        [("request_rescue", {"partner_authority": "Công an Vân Nam", "country": "CN"})],
        "start_rescue",
    ),
    (
        CaseState.PROTECTION,
        [("record_rescue_done", {}), ("add_protection_measure", {"kind": "shelter"})],
        "start_protection",
    ),
    (CaseState.SUPPORT, [("request_service", {"kind": "medical"})], "start_support"),
]


def _advance(actor: User, case: Case, target: str) -> Case:
    if target == CaseState.CLOSED:
        case = _advance(actor, case, CaseState.SUPPORT)
        return services.transition_case(actor, case, "close", closure_reason="reintegrated")
    for stage, records, transition in PATH:
        if case.state == target:
            break
        for service_name, arguments in records:
            getattr(services, service_name)(actor, case, **arguments)
        case = services.transition_case(actor, case, transition)
        if stage == target:
            break
    return case


def seed_cases() -> list[Case]:
    cases = []
    for index, (username, received_at, stage) in enumerate(DEMO_CASES):
        actor = User.objects.select_related("unit__province").get(username=username)
        data = services.IntakeData(
            channel="border_handover",
            received_at=received_at.replace(hour=8 + index % 10),
            purposes=["forced_marriage"],
            destination_country="CN",
            narrative="Được Biên phòng tiếp nhận tại cửa khẩu (dữ liệu mẫu).",
            victim=services.PersonData(
                full_name=DEMO_NAMES[index % len(DEMO_NAMES)],
                stated_age=15 + index % 12,
                birth_year=str(received_at.year - 15 - index % 12),
                sex="female" if index % 3 else "male",
                phone=f"09{index:02d}555{index:03d}",
                language="Hmong",
                interpreter_needed=True,
            ),
        )
        case = services.create_intake(actor, data).case
        cases.append(_advance(actor, case, stage))
    return cases
