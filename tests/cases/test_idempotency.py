"""Idempotency-Key on intakes, per the IETF draft (issue 9, point 9): the same key with the
same body replays the first answer; with another body it is 422 `idempotency_key_reused`;
the key is stored only hashed, scoped to the user, with the request's fingerprint."""

import hashlib
import hmac
import json
from datetime import date

import pytest

from cases.models import Case, Intake
from security.blind_index import purpose_key
from security.idempotency import canonical_json, fingerprint, key_digest

from .test_intake_api import CALL, post_intake

pytestmark = pytest.mark.django_db

KEY = {"HTTP_IDEMPOTENCY_KEY": "call-2025-11-03-0042"}


def test_the_same_key_with_another_body_is_refused_and_nothing_is_dropped_silently(api, cast):
    client = api(cast.named("demo-hotline"))
    assert post_intake(client, **KEY).status_code == 201
    other_report = {**CALL, "narrative": "Một cuộc gọi khác: em gái bị lừa sang Myanmar"}
    response = post_intake(client, other_report, **KEY)
    assert response.status_code == 422, response.json()
    assert response.json()["error"] == "idempotency_key_reused"
    assert set(response.json()) == {"error", "detail"}
    assert Intake.objects.count() == 1
    # Without the reused key, the second report is taken.
    assert post_intake(client, other_report).status_code == 201


def test_the_same_body_in_another_order_is_the_same_request(api, cast):
    client = api(cast.named("demo-hotline"))
    first = post_intake(client, **KEY)
    reordered = json.loads(json.dumps(dict(reversed(list(CALL.items())))))
    again = post_intake(client, reordered, **KEY)
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert Case.objects.count() == 1


def test_a_key_is_scoped_to_the_user_who_sent_it(api, cast):
    post_intake(api(cast.named("demo-hotline")), **KEY)
    other = post_intake(api(cast.named("demo-borderguard")), **KEY)
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Intake.objects.count() == 2


def test_the_key_and_the_body_are_stored_only_as_digests(api, cast):
    post_intake(api(cast.named("demo-hotline")), **KEY)
    intake = Intake.objects.get()
    raw_key = KEY["HTTP_IDEMPOTENCY_KEY"]
    assert raw_key not in intake.idempotency_key
    assert len(intake.idempotency_key) == len(intake.idempotency_fingerprint) == 64
    body = json.dumps(CALL, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # A keyed hash: not the plain SHA-256 anyone could compute from a guessed body.
    assert intake.idempotency_fingerprint != hashlib.sha256(body.encode()).hexdigest()


# --- the stored forms: a key sent before an upgrade must still be found after it -------------


def test_the_key_digest_is_the_sha256_of_user_and_key():
    assert key_digest(7, "k-1") == hashlib.sha256(b"7:k-1").hexdigest()
    assert key_digest(7, "k-1") != key_digest(8, "k-1")


def test_the_canonical_body_is_sorted_compact_utf8_json():
    body = {"victim": {"full_name": "Vàng Thị Mai", "age": 17}, "channel": "hotline"}
    assert canonical_json(body) == (
        '{"channel":"hotline","victim":{"age":17,"full_name":"Vàng Thị Mai"}}'.encode()
    )
    assert canonical_json({"received_at": date(2025, 11, 3)}) == b'{"received_at":"2025-11-03"}'


def test_the_fingerprint_is_an_hmac_of_the_canonical_body_under_its_own_key():
    body = {"channel": "hotline"}
    expected = hmac.new(purpose_key("idempotency-fingerprint"), canonical_json(body), "sha256")
    assert fingerprint(body) == expected.hexdigest()
