"""Story 07 (issue 12, cross-border cooperation): a Lao girl of 15 found in a karaoke bar in
Quảng Trị is verified with the Lao counterpart (Savannakhét, the province's hotline), handed
over at the Lao Bảo gate with her documents after the repatriation was agreed, and her case
closed "transferred abroad"; every step is on the timeline with its deadline."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications.models import OutboxMessage
from tests.cast import API, move, read, record, send

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    settings.STORAGES = settings.STORAGES | {
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "documents"},
        }
    }


def at(start, days: float) -> str:
    return (start + timedelta(days=days)).isoformat()


def intake(received) -> dict:
    return {
        "channel": "police_report",
        "received_at": received.isoformat(),
        "narrative": "Phát hiện trong quán karaoke khi kiểm tra hành chính.",
        "purposes": ["sexual_exploitation"],
        "victim": {
            "full_name": "Keo Manivanh",
            "stated_age": 15,
            "sex": "female",
            "nationality": "LA",
            "languages": ["lo"],
        },
    }


def attach(client, case_id: str) -> str:
    upload = SimpleUploadedFile("giay-to.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"{API}cases/{case_id}/documents/",
        {"file": upload, "kind": "identity_paper"},
        format="multipart",
    )
    assert response.status_code == 201, response.content[:300]
    return response.json()["id"]


def ask(client, case_id: str, kind: str, sent_at: str, **extra) -> dict:
    body = {
        "case": case_id,
        "counterpart": "la-savannakhet",
        "kind": kind,
        "channel": "hotline",
        "sent_at": sent_at,
        **extra,
    }
    return send(client, "crossborder/requests/", body)


def answer(client, request: dict, expect: int = 200, error: str | None = None, **body) -> dict:
    return send(client, f"crossborder/requests/{request['id']}/answer/", body, expect, error)


def test_story_07(api, cast):
    police = api(cast.named("qt-police-caseworker"))
    foreign = api(cast.foreign)
    elsewhere = api(cast.police)  # Lào Cai police: no part in this case
    t0 = timezone.now() - timedelta(days=20)

    # Intake: a presumed minor who speaks Lao; interpretation is offered from the first minute.
    case = send(police, "intakes/", intake(t0))["case"]
    case_id = case["id"]
    assert case["presumed_minor"] is True and case["rulebook"] == "law-2024"
    detail = read(police, f"cases/{case_id}/")
    victim = next(p for p in detail["people"] if p["role"] == "victim")
    assert victim["languages"] == ["lo"] and victim["interpreter_needed"] is True
    assert [(s["kind"], s["status"]) for s in detail["services"]] == [
        ("interpretation", "requested")
    ]
    record(police, case_id, "screenings", {"indicators": ["deception", "abuse_of_vulnerability"]})
    move(police, case_id, "start_verification")

    # Identity and nationality verified with the Lao counterpart, by the hotline, in time.
    identity = ask(police, case_id, "identity_verification", at(t0, 1), reference="01/CV-CAQT")
    nationality = ask(police, case_id, "nationality_verification", at(t0, 1))
    for request in (identity, nationality):
        due = parse_datetime(request["due_at"]) - parse_datetime(request["sent_at"])
        assert due == timedelta(days=30) and request["rule_is_default"] is True
        assert "Savannakhét" in request["citation"] and request["agreement"] == "qt-lao-hotlines"
    answer(police, identity, outcome="agreed", expect=400, error="wrong_outcome")
    answer(police, identity, outcome="confirmed", answered_at=at(t0, 4))
    answer(police, identity, outcome="confirmed", expect=409, error="already_answered")
    answer(police, nationality, outcome="confirmed", answered_at=at(t0, 5))
    record(police, case_id, "verifications", {"outcome": "signs_of_trafficking"})

    # Repatriation: Foreign Affairs is told and follows it; a stranger to the case is not.
    repatriation = ask(police, case_id, "repatriation", at(t0, 6))
    assert OutboxMessage.objects.filter(
        recipient=cast.foreign, idempotency_key__startswith="crossborder-repatriation:"
    ).exists()
    assert read(foreign, f"crossborder/requests/{repatriation['id']}/")["kind"] == "repatriation"
    read(elsewhere, f"crossborder/requests/{repatriation['id']}/", expect=404, error="not_found")
    read(elsewhere, f"crossborder/requests/?case={case_id}", expect=404, error="not_found")
    assert read(elsewhere, "crossborder/requests/")["count"] == 0

    document = attach(police, case_id)
    handover = {
        "case": case_id,
        "direction": "to_counterpart",
        "gate": "lao-bao",
        "request": repatriation["id"],
        "handed_at": at(t0, 11),
        "minutes_reference": "BB-07/2026",
        "documents": [document],
    }
    # Not before the counterpart agreed to take her back.
    send(police, "crossborder/handovers/", handover, 400, "no_agreed_repatriation")
    answer(
        police, repatriation, outcome="agreed", answered_at=at(t0, 8), handover_due_at=at(t0, 12)
    )
    send(police, "crossborder/handovers/", handover | {"gate": "moc-bai"}, 400, "wrong_gate")
    send(police, "crossborder/handovers/", handover | {"documents": []}, 400, "documents")

    # The handover at Lao Bảo with her documents closes the case as transferred abroad.
    done = send(police, "crossborder/handovers/", handover)
    assert done["documents"] == [document] and done["counterpart"] == "la-savannakhet"
    closed = read(police, f"cases/{case_id}/")
    assert closed["state"] == "closed" and closed["closure_reason"] == "transferred_abroad"

    # Every step on the timeline, with its deadline and whether it was met.
    timeline = read(police, f"cases/{case_id}/timeline/")["events"]
    crossing = [e for e in timeline if e["kind"].startswith(("crossborder", "border"))]
    assert [(e["kind"], e["what"]) for e in crossing] == [
        ("crossborder_request", "identity_verification"),
        ("crossborder_request", "nationality_verification"),
        ("crossborder_answer", "identity_verification:confirmed"),
        ("crossborder_answer", "nationality_verification:confirmed"),
        ("crossborder_request", "repatriation"),
        ("crossborder_answer", "repatriation:agreed"),
        ("border_handover", "to_counterpart"),
    ]
    assert all(e["due_at"] and e["met"] is True for e in crossing)
    assert crossing[-1]["gate"] == "Cửa khẩu quốc tế Lao Bảo"
    assert parse_datetime(crossing[-1]["due_at"]) == t0 + timedelta(days=12)
    assert timeline[-1]["kind"] == "transition" and timeline[-1]["what"] == "close"
