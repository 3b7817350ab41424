"""Matching: who a provider takes, what a victim needs, how providers rank; need-to-know of
placements; occupancy for supervisors; bad input refused with nothing changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places.models import Province
from places.selectors import seat_distance_km
from providers.models import Placement, Provider
from providers.selectors import Victim, match_providers
from security.models import AuditEvent
from tests.cast import api, give_consent, open_case, read, record, send
from tests.providers.conftest import HA_TINH, LAO_CAI, QUANG_TRI, SECOND_GIRL


def victim(province: str, *, sex: str = "female", minor: bool = False, language: str = ""):
    return Victim(
        is_minor=minor,
        sex=sex,
        language=language.casefold(),
        province=Province.objects.get(code=province),
    )


def codes(matches) -> list[str]:
    return [match.provider.unit.code for match in matches]


def test_providers_rank_by_fit_then_language_then_distance(shelters):
    # From Hà Tĩnh: Hà Tĩnh itself, then Quảng Trị (about 100 km), then Lào Cai (about 380).
    nearby = match_providers(victim(HA_TINH), ["essential_needs"])
    assert codes(nearby) == ["ht-shelter-t", "qt-shelter-t", "lc-shelter-t"]
    assert [m.distance_km for m in nearby][0] == 0.0
    assert 80 < nearby[1].distance_km < nearby[2].distance_km
    # A Hmong speaker: the shelter that speaks Hmong first, however far.
    hmong = match_providers(victim(HA_TINH, language="Hmong"), ["essential_needs"])
    assert codes(hmong)[0] == "lc-shelter-t"
    # Answering more needs beats both.
    more = match_providers(victim(HA_TINH), ["essential_needs", "psychological"])
    assert codes(more)[0] == "lc-shelter-t"
    assert more[0].missing == [] and more[1].missing == ["psychological"]


def test_providers_take_only_whom_they_take(shelters):
    man = codes(match_providers(victim(LAO_CAI, sex="male"), ["essential_needs"]))
    assert "lc-men-shelter-t" in man
    girl = codes(match_providers(victim(LAO_CAI, minor=True), ["essential_needs"]))
    woman = codes(match_providers(victim(LAO_CAI), ["essential_needs"]))
    assert "lc-men-shelter-t" not in girl and "lc-men-shelter-t" not in woman
    Provider.objects.filter(pk=shelters["ht"].pk).update(takes_children=False)
    assert "ht-shelter-t" not in codes(
        match_providers(victim(LAO_CAI, minor=True), ["essential_needs"])
    )


def test_a_full_provider_is_not_suggested_an_unlimited_one_always_is(shelters):
    Provider.objects.filter(pk=shelters["lc"].pk).update(occupied=1)
    Provider.objects.filter(pk=shelters["lc_legal"].pk).update(occupied=500)
    found = codes(match_providers(victim(LAO_CAI), ["essential_needs", "legal_aid"]))
    assert "lc-shelter-t" not in found and "lc-legal-t" in found


@pytest.mark.django_db
def test_distance_between_seats():
    lao_cai, ha_tinh, quang_tri = (
        Province.objects.get(code=code) for code in (LAO_CAI, HA_TINH, QUANG_TRI)
    )
    assert 330 < seat_distance_km(lao_cai, ha_tinh) < 430
    assert seat_distance_km(ha_tinh, quang_tri) < seat_distance_km(ha_tinh, lao_cai)
    assert seat_distance_km(lao_cai, Province.objects.get(code="15")) is None  # Yên Bái, gone
    assert (
        Province.objects.filter(valid_until__isnull=True, seat_latitude__isnull=True).count() == 0
    )


def test_needs_come_from_the_case_and_medical_ones_only_to_those_who_may_know(cast, shelters):
    social = api(cast.social)  # Lào Cai social protection (health department)
    case_id = open_case(social)["id"]
    record(social, case_id, "screenings", {"indicators": ["physical_sexual_violence"]})
    record(social, case_id, "services", {"kind": "travel_costs"})
    needs = read(social, f"providers/suggestions/?case={case_id}")["needs"]
    assert needs == ["medical", "interpretation", "travel_costs", "psychological"]

    border = api(cast.border_guard)
    case_id = open_case(border)["id"]
    record(border, case_id, "screenings", {"indicators": ["physical_sexual_violence"]})
    assert read(border, f"providers/suggestions/?case={case_id}")["needs"] == ["interpretation"]
    body = {"case": case_id, "provider": "lc-shelter-t", "needs": ["psychological"]}
    send(border, "providers/placements/", body, expect=400, error="needs_not_allowed")
    # Schooling is for identified victims (Law 53/2024/QH15 Art. 37): not yet for this girl.
    body = {"case": case_id, "provider": "lc-shelter-t", "needs": ["schooling"]}
    send(border, "providers/placements/", body, expect=400, error="not_eligible")
    chosen = read(
        border,
        f"providers/suggestions/?case={case_id}&needs=legal_aid&needs=medical&needs=schooling",
    )
    assert chosen["needs"] == ["legal_aid"]
    assert [m["provider"]["code"] for m in chosen["matches"]] == ["lc-legal-t"]


def test_the_ledger_names_a_placements_medical_needs_only_by_their_number(cast, shelters):
    """The audit ledger is read by auditors who may not know a victim's medical needs."""
    social = api(cast.social)
    case_id = open_case(social)["id"]
    record(social, case_id, "screenings", {"indicators": ["physical_sexual_violence"]})
    give_consent(social, case_id, "health_department", purpose="shelter")
    body = {
        "case": case_id,
        "provider": "lc-shelter-t",
        "needs": ["essential_needs", "psychological"],
    }
    assert send(social, "providers/placements/", body)["needs"] == [
        "essential_needs",
        "psychological",
    ]
    details = AuditEvent.objects.get(action="placement.request").details
    assert (details["needs"], details["medical_needs"]) == (["essential_needs"], 1)
    assert "psychological" not in str(details)


@pytest.fixture
def placed(cast, shelters, border, screened_case) -> dict:
    """The Hmong girl referred to the Lào Cai shelter by the Border Guard."""
    case_id = screened_case()
    give_consent(border, case_id, "health_department", purpose="shelter")
    return send(border, "providers/placements/", {"case": case_id, "provider": "lc-shelter-t"})


def placements(user) -> list[str]:
    return [p["referral"] for p in read(api(user), "providers/placements/")["results"]]


def test_a_providers_staff_see_only_the_placements_sent_to_them(cast, placed):
    assert placements(cast.named("lc-shelter-t-caseworker")) == [placed["referral"]]
    assert placements(cast.named("ht-shelter-t-caseworker")) == []
    assert placements(cast.border_guard) == [placed["referral"]]
    assert placements(cast.police) == []
    assert placements(cast.supervisor) == [placed["referral"]]  # Lào Cai's Steering Committee
    assert placements(cast.admin) == []


def test_occupancy_per_province_is_for_supervisors(cast, placed, api):
    api_ = api(cast.named("lc-shelter-t-caseworker"))
    send(api_, f"referrals/{placed['referral']}/accept", {}, expect=200)
    rows = {
        row["province"]["code"]: row for row in read(api(cast.supervisor), "providers/occupancy/")
    }
    assert rows[LAO_CAI] | {"province": None} == {
        "province": None,
        "providers": 3,
        "places": 6,
        "taken": 1,
        "open_places": 5,
        "unlimited_providers": 1,
    }
    assert rows[HA_TINH]["taken"] == 0 and rows[QUANG_TRI]["places"] == 3
    read(api(cast.border_guard), "providers/occupancy/", expect=403, error="forbidden")


def test_bad_placements_are_refused_and_change_nothing(cast, shelters, border, screened_case):
    case_id = screened_case(SECOND_GIRL)
    give_consent(border, case_id, "health_department", purpose="shelter")
    path = "providers/placements/"
    send(
        border, path, {"case": case_id, "provider": "nowhere"}, expect=400, error="unknown_provider"
    )
    send(
        border,
        path,
        {"case": case_id, "provider": "lc-men-shelter-t"},
        expect=400,
        error="provider_not_suitable",
    )
    body = {"case": case_id, "provider": "lc-legal-t", "needs": ["essential_needs"]}
    send(border, path, body, expect=400, error="service_not_offered")
    body = {"case": "2f1d6c4e-0000-4000-8000-000000000000", "provider": "lc-shelter-t"}
    send(border, path, body, expect=404, error="not_found")
    send(
        api(cast.police),
        path,
        {"case": case_id, "provider": "lc-shelter-t"},
        expect=404,
        error="not_found",
    )
    read(border, "providers/suggestions/?case=not-a-uuid", expect=400, error="invalid")
    read(border, f"providers/suggestions/?case={case_id}&needs=flying", expect=400, error="invalid")
    assert not Placement.objects.exists()


def test_suggestions_cost_the_same_queries_however_many_providers(
    cast, shelters, border, screened_case, make_provider
):
    case_id = screened_case()
    path = f"/api/v1/providers/suggestions/?case={case_id}"
    border.get(path)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert border.get(path).status_code == 200
    for n in range(10):
        make_provider(f"more-{n}", HA_TINH, ["essential_needs"], 5)
    with CaptureQueriesContext(connection) as many:
        body = border.get(path).json()
    assert len(body["matches"]) == 14
    assert len(many.captured_queries) == len(few.captured_queries)
