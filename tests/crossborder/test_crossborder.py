"""Cross-border requests escalate when late, a person received at a gate starts the
rulebook's reception deadlines, and languages at intake decide the interpretation offered."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.errors import NotAllowed
from crossborder.models import AgreementTerm, RequestEscalation
from crossborder.services import change_reply_limit
from notifications.models import OutboxMessage
from security.models import AuditEvent
from supervision.tasks import sweep_deadlines
from tests.cast import API, INTAKE, open_case, read, send

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    settings.STORAGES = settings.STORAGES | {
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "documents"},
        }
    }


def attach(client, case_id: str) -> str:
    upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"{API}cases/{case_id}/documents/", {"file": upload, "kind": "other"}, format="multipart"
    )
    assert response.status_code == 201, response.content[:300]
    return response.json()["id"]


pytestmark = pytest.mark.django_db


@pytest.fixture
def border(api, cast):
    return api(cast.named("qt-border_guard-caseworker"))


@pytest.fixture
def case_id(border) -> str:
    received = timezone.now() - timedelta(days=1)
    return open_case(border, INTAKE | {"received_at": received.isoformat()})["id"]


def ask(client, case_id: str, sent_at, counterpart="la-salavan") -> dict:
    body = {
        "case": case_id,
        "counterpart": counterpart,
        "kind": "nationality_verification",
        "channel": "official_letter",
        "sent_at": sent_at.isoformat(),
    }
    return send(client, "crossborder/requests/", body)


def test_a_late_answer_is_escalated_once_to_supervisors_and_foreign_affairs(border, cast):
    received = timezone.now() - timedelta(days=40)
    case_id = open_case(border, INTAKE | {"received_at": received.isoformat()})["id"]
    late = ask(border, case_id, received + timedelta(days=1))  # due 9 days ago
    ask(border, case_id, timezone.now() - timedelta(days=1))  # still running

    assert sweep_deadlines()["overdue_crossborder"] == 1
    assert sweep_deadlines()["overdue_crossborder"] == 0  # once
    levels = RequestEscalation.objects.filter(request__uuid=late["id"])
    assert sorted(levels.values_list("level", flat=True)) == [
        "foreign_affairs",
        "provincial_supervisor",
        "unit_supervisor",
    ]
    told = set(
        OutboxMessage.objects.filter(
            idempotency_key__startswith="crossborder-escalation:"
        ).values_list("recipient__username", flat=True)
    )
    assert {
        "demo-foreign",
        "qt-border_guard-supervisor",
        "qt-steering_committee-supervisor",
    } <= told
    assert read(border, f"crossborder/requests/{late['id']}/")["overdue"] is True
    steps = read(border, f"cases/{case_id}/timeline/")["events"]
    escalations = [e for e in steps if e["kind"] == "crossborder_escalation"]
    assert len(escalations) == 3 and all(e["met"] is False for e in escalations)


def test_a_person_received_at_the_gate_starts_the_reception_deadlines(border, case_id):
    handed_at = timezone.now() - timedelta(hours=2)
    body = {
        "case": case_id,
        "direction": "to_viet_nam",
        "gate": "la-lay",
        "counterpart": "la-salavan",
        "handed_at": handed_at.isoformat(),
        "minutes_reference": "BB-12/2026",
        "documents": [],
    }
    send(border, "crossborder/handovers/", body, 400, "documents")
    minutes = attach(border, case_id)
    handover = send(border, "crossborder/handovers/", body | {"documents": [minutes]})
    assert handover["receiving_unit"] == "qt-border_guard" and handover["documents"] == [minutes]
    steps = read(border, f"cases/{case_id}/timeline/")["events"]
    deadlines = {e["what"]: e for e in steps if e["kind"] == "deadline" and e["unit"]}
    verification = deadlines["initial_reception_verification"]
    assert parse_datetime(verification["due_at"]) - handed_at == timedelta(days=3)
    assert "53/2024" in verification["citation"]
    assert {"bring_to_commune", "notify_social_protection"} <= set(deadlines)


def test_a_handover_lists_only_this_cases_documents(border, case_id):
    other = open_case(border, INTAKE | {"received_at": timezone.now().isoformat()})["id"]
    body = {
        "case": case_id,
        "direction": "to_viet_nam",
        "gate": "lao-bao",
        "counterpart": "la-savannakhet",
        "minutes_reference": "BB-13/2026",
        "documents": [attach(border, other)],
    }
    send(border, "crossborder/handovers/", body, 400, "unknown_document")
    assert read(border, f"crossborder/handovers/?case={case_id}")["count"] == 0


def test_a_foreign_language_offers_interpretation_and_vietnamese_does_not(border):
    now = timezone.now().isoformat()
    spoken = {"hmn": ["interpretation"], "vi": []}
    for language, offered in spoken.items():
        victim = INTAKE["victim"] | {"languages": [language], "interpreter_needed": False}
        case_id = open_case(border, INTAKE | {"received_at": now, "victim": victim})["id"]
        services = read(border, f"cases/{case_id}/")["services"]
        assert [s["kind"] for s in services] == offered
    bad = INTAKE["victim"] | {"languages": ["Lao language!"]}
    send(border, "intakes/", INTAKE | {"victim": bad}, 400, "invalid")


def test_requests_are_refused_to_those_outside_the_case(api, cast, border, case_id):
    outsider = api(cast.police)  # Lào Cai police: does not hold the case
    body = {
        "case": case_id,
        "counterpart": "la-salavan",
        "kind": "identity_verification",
        "channel": "hotline",
    }
    send(outsider, "crossborder/requests/", body, 404, "not_found")
    send(api(cast.foreign), "crossborder/requests/", body, 404, "not_found")  # no step yet
    send(border, "crossborder/requests/", body | {"counterpart": "nobody"}, 400, "invalid")
    created = send(border, "crossborder/requests/", body)
    send(
        api(cast.foreign),
        f"crossborder/requests/{created['id']}/answer/",
        {"outcome": "confirmed"},
        403,
        "forbidden",
    )
    agreements = read(border, "crossborder/agreements/")
    assert {a["code"] for a in agreements} == {"vn-kh-trafficking", "qt-lao-hotlines"}
    assert all(t["is_default"] for a in agreements for t in a["terms"])


def test_a_default_reply_limit_is_changed_by_an_administrator_only_and_audited(cast, border):
    term = AgreementTerm.objects.get(agreement="qt-lao-hotlines", request_kind="repatriation")
    with pytest.raises(NotAllowed):
        change_reply_limit(cast.named("qt-border_guard-caseworker"), term, timedelta(days=7))
    change_reply_limit(cast.admin, term, timedelta(days=20))
    event = AuditEvent.objects.filter(action="crossborder.reply_limit").get()
    assert event.details["from"] == str(timedelta(days=30))
    assert AgreementTerm.objects.get(pk=term.pk).reply_within == timedelta(days=20)
