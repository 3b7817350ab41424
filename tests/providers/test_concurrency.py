"""Eight acceptances of eight victims into a shelter with one bed, at once: one bed, one
victim; the others are refused with provider_full and nothing of theirs changes.

Through the API, every acceptance also appends to the audit ledger, whose head row lock
already serialises them; the second test takes the places without that lock in front, so
that only the provider's own guard (one conditional UPDATE) stands between them.
"""

import threading

import pytest
from django.db import connection, transaction

from config.errors import Conflict
from providers.models import Placement, Provider
from providers.services import follow_referral
from referrals.models import Referral
from tests.cast import api, give_consent, send
from tests.providers.conftest import SECOND_GIRL

VICTIMS = 8


POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers: concurrent updates need PostgreSQL (DATABASE_URL)",
)


def eight_placements(border, screened_case) -> list[str]:
    """Eight girls referred to the one-bed shelter in Lào Cai; their referrals' ids."""
    referrals = []
    for n in range(VICTIMS):
        case_id = screened_case(
            {**SECOND_GIRL, "victim": {**SECOND_GIRL["victim"], "full_name": f"Girl {n}"}}
        )
        give_consent(border, case_id, "health_department", purpose="shelter")
        body = {"case": case_id, "provider": "lc-shelter-t"}
        referrals.append(send(border, "providers/placements/", body)["referral"])
    return referrals


def at_once(work, items: list) -> None:
    barrier = threading.Barrier(len(items))

    def run(item) -> None:
        try:
            barrier.wait()
            work(item)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_simultaneous_acceptances_of_the_last_bed_one_wins(
    cast, shelters, border, screened_case
):
    referrals = eight_placements(border, screened_case)
    worker = cast.named("lc-shelter-t-caseworker")
    clients = [api(worker) for _ in referrals]
    answers: list[tuple[int, str | None]] = []

    def accept(pair) -> None:
        client, referral_id = pair
        response = client.post(f"/api/v1/referrals/{referral_id}/accept")
        answers.append((response.status_code, response.json().get("error")))

    at_once(accept, list(zip(clients, referrals, strict=True)))

    assert sorted(answers, key=str) == [(200, None)] + [(409, "provider_full")] * (VICTIMS - 1)
    assert Provider.objects.get(pk=shelters["lc"].pk).occupied == 1
    assert Placement.objects.filter(place_taken_at__isnull=False).count() == 1
    assert Referral.objects.filter(status="accepted").count() == 1


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_places_are_never_overbooked_even_without_the_ledger_lock(
    cast, shelters, border, screened_case
):
    referrals = list(Referral.objects.filter(uuid__in=eight_placements(border, screened_case)))
    outcomes: list[str] = []

    def take(referral: Referral) -> None:
        try:
            with transaction.atomic():
                follow_referral(Referral, referral=referral, action="accept")
            outcomes.append("taken")
        except Conflict as refused:
            outcomes.append(refused.code)

    at_once(take, referrals)

    assert sorted(outcomes) == ["provider_full"] * (VICTIMS - 1) + ["taken"]
    assert Provider.objects.get(pk=shelters["lc"].pk).occupied == 1
    assert Placement.objects.filter(place_taken_at__isnull=False).count() == 1
