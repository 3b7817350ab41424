"""Story 06: from a tip to a verdict, the case the year's targets are counted from."""

import csv
import io
import json

import pytest
import pyzipper
from openpyxl import load_workbook
from pypdf import PdfReader

from proceedings.models import Offender
from reports.suppression import counts_victims
from security.blind_index import id_number_index
from security.models import AuditEvent
from supervision.tasks import sweep_deadlines
from tests.cast import act, move, read, record, refer, send

from .conftest import raw_database_text

pytestmark = pytest.mark.django_db

MAI, HOA, HUNG = "Lò Thị Mai", "Lò Thị Hoa", "Lò Văn Hùng"
HOA_ID = "014185000123"
CALL = {
    "channel": "hotline",
    "received_at": "2026-02-10T20:15:00+07:00",
    "narrative": "Con gái 17 tuổi đi với một người đàn ông hứa làm nhà hàng bên Trung Quốc.",
    "purposes": ["sexual_exploitation"],
    "destination_country": "CN",
    "is_abroad": True,
    "victim": {
        "full_name": MAI,
        "stated_age": 17,
        "birth_year": 2008,
        "sex": "female",
        "province": "n-lao-cai",
    },
    "reporter": {"full_name": "Lò Thị Sử", "relationship": "mother", "phone": "0915 000 111"},
}


def _girl(name: str, age: int, purpose: str) -> dict:
    return {
        "channel": "border_handover",
        "received_at": "2026-02-24T10:00:00+07:00",
        "narrative": "Bàn giao tại cửa khẩu quốc tế Lào Cai.",
        "purposes": [purpose],
        "destination_country": "CN",
        "victim": {"full_name": name, "stated_age": age, "birth_year": 2026 - age, "sex": "female"},
    }


def _rescued_and_identified(border, case_id: str, number: str) -> None:
    """Found in Hekou with the Chinese police on 20/2, handed over and identified on 24/2."""
    record(
        border,
        case_id,
        "rescues",
        {"partner_authority": "Công an Hà Khẩu (Trung Quốc)", "country": "CN"},
    )
    send(border, f"cases/{case_id}/rescue-done/", {"rescued_at": "2026-02-20T16:00:00+07:00"})
    record(border, case_id, "verifications", {"outcome": "signs_of_trafficking"})
    move(border, case_id, "start_identification")
    record(
        border,
        case_id,
        "identifications",
        {
            "is_victim": True,
            "document_type": "certificate_of_return",
            "document_number": number,
            "decided_at": "2026-02-24T15:00:00+07:00",
        },
    )


def _tip_and_girl_one(hotline, police, border) -> tuple[str, str]:
    case_id = send(hotline, "intakes/", CALL)["case"]["id"]
    record(hotline, case_id, "screenings", {"indicators": ["deception", "abuse_of_vulnerability"]})
    move(hotline, case_id, "start_verification")
    for kind, purpose in (("police", "investigation"), ("border_guard", "rescue")):
        record(
            hotline,
            case_id,
            "consents",
            {
                "recipient_kind": kind,
                "purpose": purpose,
                "status": "given",
                "given_by": "reporter",
                "informed_how": "orally",
                "informed_language": "vi",
            },
        )
    to_police = refer(hotline, case_id, "lc-police", "investigation")
    to_border = refer(hotline, case_id, "lc-border_guard", "rescue")
    tip = send(
        hotline,
        "proceedings/tips/",
        {
            "kind": "denunciation",
            "reported_at": "2026-02-10T20:20:00+07:00",
            "to_unit": "lc-police",
            "victim_case": case_id,
            "content": "Người phụ nữ gọi là 'Chị Hoa' đưa ba cô gái qua biên giới ở Bát Xát.",
        },
    )
    assert tip["state"] == "sent" and tip["unit"] == "lc-police"
    act(police, to_police, "accept")
    act(border, to_border, "accept")
    return case_id, tip["id"]


def test_story_06(api, cast):
    hotline, police, border = api(cast.hotline), api(cast.police), api(cast.border_guard)
    procuracy = api(cast.named("lc-procuracy-caseworker"))
    court = api(cast.named("lc-court-caseworker"))
    social, supervisor = api(cast.social), api(cast.supervisor)

    # 10/2: the hotline opens her case (presumed minor) and records a tip about the crime.
    mai, tip_id = _tip_and_girl_one(hotline, police, border)
    assert read(hotline, f"cases/{mai}/")["presumed_minor"] is True

    # 11/2: the provincial Police receive the tip, classify it (Art. 150) and verify it.
    tip_path = f"proceedings/tips/{tip_id}"
    tip = send(police, f"{tip_path}/receive/", {"at": "2026-02-11T08:00:00+07:00"}, expect=200)
    send(
        police,
        f"{tip_path}/classify/",
        {"offence": "art150", "at": "2026-02-11T09:00:00+07:00"},
        expect=200,
    )
    send(police, f"{tip_path}/start_verification/", {"at": "2026-02-11T09:30:00+07:00"}, expect=200)

    # 20/2–24/2: rescued in Hekou, handed over at the Lào Cai gate with two girls, 15 and 16.
    _rescued_and_identified(border, mai, "GXN-LC-26-0031")
    girls = []
    for name, age, purpose, number in (
        ("Thào Thị Dợ", 15, "forced_marriage", "GXN-LC-26-0032"),
        ("Sùng Thị Mỷ", 16, "sexual_exploitation", "GXN-LC-26-0033"),
    ):
        case_id = send(border, "intakes/", _girl(name, age, purpose))["case"]["id"]
        record(
            border, case_id, "screenings", {"indicators": ["deception", "restriction_of_movement"]}
        )
        move(border, case_id, "start_verification")
        _rescued_and_identified(border, case_id, number)
        act(
            police,
            refer(
                border,
                case_id,
                "lc-police",
                "investigation",
                legal_basis="crime-report",
                justification="Verification of the tip (Criminal Procedure Code 2015 Art. 147)",
            ),
            "accept",
        )
        girls.append(case_id)

    # 28/2: the Police open a criminal case within the 20-day limit (must 1).
    tip = send(
        police,
        f"{tip_path}/resolve/",
        {
            "outcome": "case_opened",
            "at": "2026-02-28T15:00:00+07:00",
            "decision_number": "05/QĐ-CSHS",
            "procuracy_unit": "lc-procuracy",
        },
        expect=200,
    )
    assert tip["state"] == "resolved" and tip["resolved_on_time"] is True
    assert tip["due_at"].startswith("2026-03-03")  # 20 days from receipt on 11/2
    assert tip["limit"]["days"] == 20 and tip["limit"]["is_default"] is False
    citation = tip["limit"]["citation"]
    assert "khoản 1 Điều 147" in citation and "101/2015/QH13" in citation
    assert tip["overdue"] is False and tip["escalations"] == []
    cc_id = tip["criminal_cases"][0]
    cc_path = f"proceedings/criminal-cases/{cc_id}"

    # Suspects: "Chị Hoa" as recruiter, her brother as transporter; the route; the victims.
    send(
        police,
        f"{cc_path}/offenders/",
        {
            "role": "recruiter",
            "full_name": HOA,
            "other_names": "Chị Hoa",
            "birth_year": 1985,
            "id_number": HOA_ID,
            "sex": "female",
        },
    )
    send(police, f"{cc_path}/offenders/", {"role": "transporter", "full_name": HUNG, "sex": "male"})
    send(
        police,
        f"{cc_path}/routes/",
        {
            "origin_province": "n-lao-cai",
            "origin_place": "Sa Pa",
            "crossing_point": "Bát Xát",
            "destination_country": "CN",
            "destination_place": "CN-YN Hà Khẩu",
            "sector": "sex_industry",
        },
    )
    for case_id in girls:
        send(police, f"{cc_path}/victims/", {"case": case_id})

    # Must 2: three victims' cases linked to one criminal case.
    seen = read(police, f"{cc_path}/")
    assert sorted(v["id"] for v in seen["victim_cases"]) == sorted([mai, *girls])
    assert seen["investigating_unit"] == "lc-police" and seen["procuracy_unit"] == "lc-procuracy"
    assert "khoản 1 Điều 172" in seen["stage_limit"]["citation"]
    # ...suspects encrypted, ID numbers blind-indexed...
    stored = raw_database_text()
    for secret in (HOA, HUNG, HOA_ID, "Chị Hoa"):
        assert secret not in stored, secret
    hoa = Offender.objects.get(role="recruiter")
    assert hoa.id_number_index == id_number_index("0141 8500 0123")
    # ...visible to the Police investigators and the Procuracy, every read audited...
    for reader in (police, procuracy):
        names = {o.get("full_name") for o in read(reader, f"{cc_path}/")["offenders"]}
        assert names == {HOA, HUNG}
    reads = AuditEvent.objects.filter(action="identity.read", object_id=str(hoa.criminal_case.uuid))
    assert {e.actor_username for e in reads} >= {police.user.username, procuracy.user.username}
    # ...and to no one else: the Court only once the case is before it.
    for outsider in (court, social, hotline, supervisor, border):
        read(outsider, f"{cc_path}/", expect=404, error="not_found")
        assert read(outsider, "proceedings/criminal-cases/")["results"] == []

    # Must 3: protection and support go on in the girls' own cases meanwhile.
    record(
        border,
        mai,
        "consents",
        {
            "recipient_kind": "health_department",
            "purpose": "reception",
            "status": "given",
            "informed_how": "orally",
            "informed_language": "vi",
        },
    )
    act(social, refer(border, mai, "lc-health_department", "reception"), "accept")
    record(social, mai, "protections", {"kind": "shelter", "details": "Trung tâm CTXH Lào Cai"})
    move(border, mai, "start_protection")
    record(social, mai, "services", {"kind": "psychological"})
    assert move(social, mai, "start_support")["state"] == "support"
    assert read(police, f"{cc_path}/")["state"] == "investigation"

    # 15/6: the investigation concludes; 10/7: the Procuracy indicts both; 22/9: the trial.
    send(
        police,
        f"{cc_path}/transitions/",
        {"transition": "conclude_investigation", "at": "2026-06-15T10:00:00+07:00"},
        expect=200,
    )
    read(court, f"{cc_path}/", expect=404, error="not_found")
    indicted = send(
        procuracy,
        f"{cc_path}/transitions/",
        {
            "transition": "indict",
            "at": "2026-07-10T10:00:00+07:00",
            "court_unit": "lc-court",
            "number": "12/CT-VKS",
        },
        expect=200,
    )
    assert indicted["state"] == "trial" and all(o["indicted"] for o in indicted["offenders"])
    offenders = {o["role"]: o for o in read(court, f"{cc_path}/")["offenders"]}
    assert offenders["recruiter"]["id_number"] == HOA_ID  # the Court now sees them
    verdict = send(
        court,
        f"{cc_path}/transitions/",
        {
            "transition": "adjudicate",
            "at": "2026-09-22T16:00:00+07:00",
            "number": "45/2026/HS-ST",
            "verdicts": [
                {
                    "offender": offenders["recruiter"]["id"],
                    "verdict": "convicted",
                    "sentence_months": 144,
                },
                {
                    "offender": offenders["transporter"]["id"],
                    "verdict": "convicted",
                    "sentence_months": 96,
                },
            ],
        },
        expect=200,
    )
    assert verdict["state"] == "adjudicated"
    assert sorted(o["sentence_months"] for o in verdict["offenders"]) == [96, 144]
    assert read(social, f"cases/{mai}/")["state"] == "support"  # her case stays her own

    # Must 4: the 2026-Q1 report: one tip received and resolved, one criminal case opened,
    # three victims identified and rescued, abroad in China, in the forms recorded.
    quarter = _report(supervisor, "2026-Q1")
    for key, total in (
        ("tips_received", 1),
        ("tips_resolved", 1),
        ("tips_resolved_on_time", 1),
        ("criminal_cases_opened", 1),
        ("identified", 3),
        ("rescued", 3),
    ):
        assert quarter["figures"][key]["total"] == total, key
    for key in ("identified", "rescued"):
        assert _values(quarter, key, "destination_country") == {"CN": 3}
        assert _values(quarter, key, "purpose") == {"sexual_exploitation": 2, "forced_marriage": 1}
    assert _values(quarter, "criminal_cases_opened", "destination_country") == {"CN": 1}
    assert _values(quarter, "criminal_cases_opened", "sector") == {"sex_industry": 1}
    # The 2026 report also counts the prosecution, the trial, two offenders convicted, and
    # the plan's targets with their achieved rates.
    year = _report(supervisor, "2026")
    for key, total in (
        ("criminal_cases_prosecuted", 1),
        ("criminal_cases_tried", 1),
        ("offenders_prosecuted", 2),
        ("offenders_convicted", 2),
    ):
        assert year["figures"][key]["total"] == total, key
    assert _values(year, "offenders_convicted", "offender_role") == {
        "recruiter": 1,
        "transporter": 1,
    }
    for key, percent in (
        ("received_and_processed", 100),
        ("resolved", 90),
        ("investigated", 90),
        ("prosecuted", 95),
        ("tried", 90),
    ):
        row = year["targets"][key]
        assert row["target_percent"] == percent and row["citation"].startswith("Plan 19")
        assert (row["numerator"], row["denominator"], row["achieved_percent"]) == (1, 1, 100.0)
        assert row["status"] == "met" and row["previous"]["period"] == "2025"
    # Suspects never appear in any report.
    for period in ("2026-Q1", "2026"):
        for file_format in ("json", "csv", "xlsx"):
            body = supervisor.get(
                "/api/v1/reports/periodic/", {"period": period, "format": file_format}
            ).content
            for secret in (HOA, HUNG, HOA_ID, "Chị Hoa"):
                assert secret.encode() not in body

    # Must 5: the signed PDF, suppression in every file, the HTCDS export.
    _must_5_pdf_suppression_and_htcds(api(cast.supervisor, language="vi"))


SECRETS = (MAI, HOA, HUNG, HOA_ID, "Chị Hoa", "Thào Thị Dợ", "Sùng Thị Mỷ", "GXN-LC-26")


def _must_5_pdf_suppression_and_htcds(supervisor) -> None:
    """The annual report as a PDF in Vietnamese; every cell under 3 victims suppressed in the
    files; the HTCDS export holds three victims and two perpetrators, pseudonymised."""
    pdf = supervisor.get("/api/v1/reports/periodic/", {"period": "2026", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for words in ("BÁO CÁO ĐỊNH KỲ", "Ban Chỉ đạo 138", "Nạn nhân được giải cứu", "Lào Cai"):
        assert words in text, words
    assert not [s for s in SECRETS if s in text]

    report = read(supervisor, "reports/periodic/?period=2026-Q1")
    victim_labels = {f["label"] for f in report["figures"] if counts_victims(f["key"])}
    csv_rows = list(
        csv.reader(
            io.StringIO(
                supervisor.get(
                    "/api/v1/reports/periodic/", {"period": "2026-Q1", "format": "csv"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    xlsx = load_workbook(
        io.BytesIO(
            supervisor.get(
                "/api/v1/reports/periodic/", {"period": "2026-Q1", "format": "xlsx"}
            ).content
        )
    )
    for rows in (csv_rows, list(xlsx.worksheets[1].iter_rows(values_only=True))):
        victim_rows = [r for r in rows if len(r) > 5 and r[1] in victim_labels]
        assert victim_rows
        assert not [r for r in victim_rows if str(r[5]) in ("1", "2")]
        identified = {r[3] or "": r[5] for r in victim_rows if r[1] == "Nạn nhân được xác định"}
        assert identified[""] in (3, "3")  # the total: three girls
        assert identified["sexual_exploitation"] == identified["forced_marriage"] == "<3"

    htcds = supervisor.get("/api/v1/reports/htcds/", {"period": "2026"})
    assert htcds.status_code == 200 and htcds["Content-Type"] == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(htcds.content)) as archive:
        archive.setpassword(htcds["X-Archive-Password"].encode())
        files = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(files["htcds.json"])
    assert len(data["victims"]) == 3 and len(data["perpetrators"]) == 2
    assert {v["vic_TraffickingStatus"] for v in data["victims"]} == {"ActualVictimOfTrafficking"}
    roles = {p["per_RoleInProcess"] for p in data["perpetrators"]}
    assert roles == {"RecruiterOrIntermediary", "Transporter"}
    girls = {v["cas_PseudonymId"] for v in data["victims"]}
    for perpetrator in data["perpetrators"]:
        assert set(perpetrator["cas_PseudonymId"].split(";")) == girls
    blob = b"".join(files.values()).decode("utf-8-sig")
    assert not [s for s in SECRETS if s in blob]


def _report(supervisor, period: str) -> dict:
    report = read(supervisor, f"reports/periodic/?period={period}")
    return {
        "figures": {f["key"]: f for f in report["figures"]},
        "targets": {t["key"]: t for t in report["targets"]},
    }


def _values(report: dict, key: str, dimension: str) -> dict[str, int]:
    breakdown = next(b for b in report["figures"][key]["breakdowns"] if b["dimension"] == dimension)
    return {v["code"]: v["count"] for v in breakdown["values"] if v["count"]}


def test_story_06_had_the_tip_been_late_it_would_have_escalated_like_a_referral(api, cast):
    police, supervisor = api(cast.police), api(cast.supervisor)
    tip = send(
        police,
        "proceedings/tips/",
        {"kind": "report", "reported_at": "2026-02-11T08:00:00+07:00", "offence": "art150"},
    )
    assert tip["state"] == "received" and tip["due_at"].startswith("2026-03-03")
    assert sweep_deadlines()["overdue_tips"] == 1  # the beat's one sweep, now past the limit
    assert sweep_deadlines()["overdue_tips"] == 0  # once
    late = read(police, f"proceedings/tips/{tip['id']}/")
    assert late["overdue"] is True
    assert set(late["escalations"]) == {"unit_supervisor", "procuracy", "provincial_supervisor"}
    told = read(supervisor, "notifications/")
    subjects = [n["subject"] for n in told.get("results", told)]
    assert any("Công an" in s or "Police" in s for s in subjects), subjects
