"""Issue 12 (part 2), "done means": a victim goes from screening to a matched shelter with a
place, fills it, and the next victim is matched elsewhere; completing frees the place."""

from providers.models import Provider
from security.models import AuditEvent
from tests.cast import act, api, give_consent, read, send
from tests.providers.conftest import SECOND_GIRL


def suggested(client, case_id: str) -> list[str]:
    body = read(client, f"providers/suggestions/?case={case_id}")
    return [match["provider"]["code"] for match in body["matches"]]


def place(client, case_id: str, provider: str, expect: int = 201, error: str | None = None):
    body = {"case": case_id, "provider": provider}
    return send(client, "providers/placements/", body, expect, error)


def test_a_victim_fills_the_last_bed_and_the_next_is_matched_elsewhere(
    cast, shelters, border, screened_case
):
    first = screened_case()
    suggestions = read(border, f"providers/suggestions/?case={first}")
    # Needs from the screening (deception, restriction of movement) and the interpreter.
    assert suggestions["needs"] == ["essential_needs", "interpretation", "legal_counselling"]
    codes = [match["provider"]["code"] for match in suggestions["matches"]]
    # Nearest and Hmong-speaking first; further by distance; the men's shelter never.
    assert codes == ["lc-shelter-t", "ht-shelter-t", "qt-shelter-t", "lc-legal-t"]
    best = suggestions["matches"][0]
    assert best["speaks_language"] is True and best["distance_km"] == 0.0
    assert best["covers"] == ["essential_needs", "interpretation"]

    give_consent(border, first, "health_department", purpose="shelter")
    placement = place(border, first, "lc-shelter-t")
    assert (placement["purpose"], placement["status"]) == ("shelter", "sent")
    assert placement["needs"] == ["essential_needs", "interpretation"]
    assert shelters["lc"].__class__.objects.get(pk=shelters["lc"].pk).occupied == 0

    shelter_worker = api(cast.named("lc-shelter-t-caseworker"))
    act(shelter_worker, placement["referral"], "accept")
    lc = Provider.objects.get(pk=shelters["lc"].pk)
    assert (lc.capacity, lc.occupied, lc.open_places) == (1, 1, 0)

    second = screened_case(SECOND_GIRL)
    assert suggested(border, second)[:2] == ["ht-shelter-t", "qt-shelter-t"]
    give_consent(border, second, "health_department", purpose="shelter")
    place(border, second, "lc-shelter-t", expect=409, error="provider_full")
    elsewhere = place(border, second, "ht-shelter-t")
    act(api(cast.named("ht-shelter-t-caseworker")), elsewhere["referral"], "accept")
    assert Provider.objects.get(pk=shelters["ht"].pk).occupied == 1

    act(shelter_worker, placement["referral"], "complete")
    assert Provider.objects.get(pk=shelters["lc"].pk).occupied == 0
    assert suggested(border, second)[0] == "lc-shelter-t"
    actions = AuditEvent.objects.filter(action__startswith="placement.")
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "placement.request",
        "placement.take_place",
        "placement.request",
        "placement.take_place",
        "placement.free_place",
    ]


def test_a_referral_accepted_into_a_full_provider_is_refused_and_changes_nothing(
    cast, shelters, border, screened_case
):
    """Two victims referred while the bed was free: the second acceptance finds it taken,
    however the referral was sent (here a plain referral to the shelter's unit)."""
    first, second = screened_case(), screened_case(SECOND_GIRL)
    for case_id in (first, second):
        give_consent(border, case_id, "health_department", purpose="shelter")
    placed = place(border, first, "lc-shelter-t")
    plain = send(
        border, "referrals/", {"case": second, "to_unit": "lc-shelter-t", "purpose": "shelter"}
    )
    worker = api(cast.named("lc-shelter-t-caseworker"))
    act(worker, placed["referral"], "accept")
    act(worker, plain, "accept", expect=409, error="provider_full")
    assert read(worker, f"referrals/{plain['id']}/")["status"] == "sent"
    assert Provider.objects.get(pk=shelters["lc"].pk).occupied == 1
    # Withdrawn after acceptance, the first frees the bed; the second can then be accepted.
    act(border, placed["referral"], "withdraw", reason="moved to relatives")
    act(worker, plain, "accept")
    assert Provider.objects.get(pk=shelters["lc"].pk).occupied == 1
