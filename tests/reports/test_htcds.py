"""The HTCDS export: IOM's v2.0 field names, pseudonymised, k-anonymous on request, only for
the Steering Committee, only as an AES-256 archive, audited with its row counts."""

import csv
import io
import json
import struct

import pytest
import pyzipper

from cases.models import Case, Person
from reports.htcds import VICTIM_QUASI_IDENTIFIERS, k_anonymous
from security.models import AuditEvent
from tests.cast import open_case, refused

from .conftest import intake

pytestmark = pytest.mark.django_db
HTCDS = "/api/v1/reports/htcds/"
AES_EXTRA = 0x9901
AES_256 = 3


def unpack(response) -> dict[str, bytes]:
    """The archive's files, opened with the password given in the answer."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    password = response["X-Archive-Password"]
    assert len(password) >= 24
    with pyzipper.AESZipFile(io.BytesIO(response.content)) as archive:
        for info in archive.infolist():
            assert aes_strength(info.extra) == AES_256, info.filename
        archive.setpassword(password.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def aes_strength(extra: bytes) -> int | None:
    """The AES key strength in a ZIP entry's WinZip AES extra field (3 is 256 bits)."""
    while len(extra) >= 4:
        header, size = struct.unpack("<HH", extra[:4])
        if header == AES_EXTRA:
            return extra[4 + 4]
        extra = extra[4 + size :]
    return None


def table(files: dict[str, bytes], name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode("utf-8-sig"))))


def test_htcds_field_names_and_values(story, supervisor):
    files = unpack(supervisor.get(HTCDS, {"period": "2025"}))
    data = json.loads(files["htcds.json"])
    assert data["standard"] == "HTCDS 2.0" and "UNMigration/HTCDS" in data["source"]
    victims = {v["vic_TypeOfExploitation"]: v for v in data["victims"]}
    assert set(victims) == {"ForcedMarriage", "SexualExploitation", "ForcedLabour"}
    girl = victims["ForcedMarriage"]
    assert girl["prs_Gender"] == "Feminine" and girl["vic_AgeWhenTrafficked"] == "16-17"
    assert girl["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert victims["SexualExploitation"]["vic_TraffickingStatus"] == "NotAVictimOfTrafficking"
    assert victims["ForcedLabour"]["prs_Gender"] == "Masculine"
    events = {e["cas_PseudonymId"]: e for e in data["events"]}
    assert events[girl["cas_PseudonymId"]] == {
        "cas_PseudonymId": girl["cas_PseudonymId"],
        "hte_Type": "Exploitation",
        "hte_Country": "CN",
    }
    cases = {c["cas_PseudonymId"]: c for c in data["cases"]}
    assert cases[victims["SexualExploitation"]["cas_PseudonymId"]] == {
        "cas_PseudonymId": victims["SexualExploitation"]["cas_PseudonymId"],
        "cas_Status": "Closed",
        "cas_ReasonForCaseClosure": "not_a_victim",
    }
    assert [r["prs_Gender"] for r in table(files, "victims")].count("Feminine") == 2
    assert "HTCDS 2.0" in files["README.txt"].decode()


def test_no_identity_leaves_and_pseudonyms_differ_per_export(story, supervisor):
    first = unpack(supervisor.get(HTCDS, {"period": "2025"}))
    secrets = [p.full_name for p in Person.objects.all()] + [
        str(n) for n in Case.objects.values_list("number", flat=True)
    ]
    secrets += [str(u) for u in Case.objects.values_list("uuid", flat=True)]
    blob = b"".join(first.values()).decode("utf-8-sig", "replace")
    assert not [s for s in secrets if s and s in blob]
    second = json.loads(unpack(supervisor.get(HTCDS, {"period": "2025"}))["htcds.json"])
    ids = {v["prs_PseudonymId"] for v in json.loads(first["htcds.json"])["victims"]}
    assert ids.isdisjoint({v["prs_PseudonymId"] for v in second["victims"]})


def test_the_archive_does_not_open_without_its_password(story, supervisor):
    response = supervisor.get(HTCDS, {"period": "2025"})
    with pyzipper.AESZipFile(io.BytesIO(response.content)) as archive:
        archive.setpassword(b"not the password")
        with pytest.raises(RuntimeError):
            archive.read("victims.csv")
    assert b"Feminine" not in response.content and b"prs_Gender" not in response.content


@pytest.fixture
def four_girls(story, api, cast):
    """Three more girls of 16, forced marriage to China, received in Q4: four alike."""
    police = api(cast.police)
    for day in ("2025-11-02", "2025-11-03", "2025-11-04"):
        open_case(police, intake(day, "female", 16, ["forced_marriage"], "CN"))


def test_k_anonymity_holds_on_the_quasi_identifiers(four_girls, supervisor):
    plain = json.loads(unpack(supervisor.get(HTCDS, {"period": "2025"}))["htcds.json"])
    assert len(plain["victims"]) == 6
    files = unpack(supervisor.get(HTCDS, {"period": "2025", "k": 3}))
    data = json.loads(files["htcds.json"])
    assert data["k"] == 3 and len(data["victims"]) == 4  # the two unique adults left out
    events = {e["cas_PseudonymId"]: e["hte_Country"] for e in data["events"]}
    combos = [
        tuple(v[q] for q in VICTIM_QUASI_IDENTIFIERS if q != "hte_Country")
        + (events[v["cas_PseudonymId"]],)
        for v in data["victims"]
    ]
    assert all(combos.count(c) >= 3 for c in combos)
    assert {v["vic_AgeWhenTrafficked"] for v in data["victims"]} == {"0-17"}
    assert {c["cas_PseudonymId"] for c in data["cases"]} == set(events)
    # The aggregates count every victim, small cells suppressed.
    aggregates = {(a["field"], a["value"]): a["count"] for a in data["aggregates"]}
    assert aggregates[("Total", "")] == 6
    # One man: hidden, and the five women with him, or 6 - 5 would give him away.
    assert aggregates[("prs_Gender", "Masculine")] == "<3"
    assert aggregates[("prs_Gender", "Feminine")] == "*"
    assert aggregates[("hte_Country", "MY")] == "<3"
    assert aggregates[("hte_Country", "CN")] == 4  # "Unknown" (1) is hidden too


def test_k_anonymous_keeps_only_groups_of_k():
    rows = [{"a": 1, "b": 2}] * 3 + [{"a": 1, "b": 3}] * 2
    assert k_anonymous(rows, ("a", "b"), 3) == [{"a": 1, "b": 2}] * 3
    assert k_anonymous(rows, ("a",), 5) == rows


@pytest.mark.parametrize("username", ["demo-police", "lc-police-supervisor", "demo-admin"])
def test_only_steering_committee_supervisors_export_case_level_data(story, api, cast, username):
    refused(api(cast.named(username)).get(HTCDS, {"period": "2025"}), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="export").exists()
    assert AuditEvent.objects.filter(action="access.refused").exists()


def test_the_national_supervisor_exports_and_it_is_audited_without_secrets(
    story, central_supervisor, cast
):
    response = central_supervisor.get(HTCDS, {"period": "2025", "k": 11})
    unpack(response)
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor_username == cast.national_supervisor.username
    assert event.details == {
        "report": "htcds",
        "period": "2025",
        "k": 11,
        "rows": {"cases": 0, "victims": 0, "perpetrators": 0},
        "archive": "zip-aes-256",
    }
    assert response["X-Archive-Password"] not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("params", "field"), [({"period": "2025-Q9"}, "period"), ({"period": "2025", "k": 1}, "k")]
)
def test_bad_input_is_a_clear_400(story, supervisor, params, field):
    body = refused(
        supervisor.get(HTCDS, params), 400, "invalid" if field == "k" else "invalid_period"
    )
    assert field in json.dumps(body["detail"]) or body["error"] == "invalid_period"
