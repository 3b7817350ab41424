"""The people every test stands on, and the one way tests drive the API.

Like healthchecks' `hc/test.py`: a fixed cast of users, each with a role and a unit in the demo
organisation (Lào Cai, Quảng Trị, Hà Tĩnh and the national bodies), and `api(user)`, an API
client signed in as that user with a session, as a person at a desk is. Tokens are for
integrations only; no test signs a person in with one.

The steps below (`open_case`, `record`, `move`, ...) call the API with such a client and check
the status. A step expected to fail must also name the JSON error code it expects
(`expect=409, error="conflict"`, DESIGN.md §4); `refused()` checks the same of a raw response.
"""

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import AgencyKind, Role, Unit, UnitLevel, User
from agencies.services import create_user
from cases.inputs import IntakeData, PersonData
from cases.models import Case, CaseHolding
from cases.serializers import CaseSummarySerializer
from cases.services import create_intake
from config.renderers import VietnamTimeJSONRenderer
from demo import organisation
from places.models import VIETNAM_TZ
from referrals.models import Referral
from referrals.selectors import consent_withdrawn
from referrals.serializers import ReferralSerializer
from security.fields import unless_erased
from security.testing import force_verified_login
from security.two_factor import SECOND_FACTOR_ROLES

PASSWORD = "x-Test-pass-42"
API = "/api/v1/"

INTAKE = {
    "channel": "border_handover",
    "received_at": "2025-09-14T09:30:00+07:00",
    "purposes": ["forced_marriage"],
    "destination_country": "CN",
    "victim": {
        "full_name": "Giàng Thị Mỷ",
        "stated_age": 16,
        "birth_year": 2009,
        "sex": "female",
        "language": "Hmong",
        "interpreter_needed": True,
    },
}


@dataclass(frozen=True)
class Cast:
    """Who is who. Every other demo user (one per role per unit) is `cast.named(username)`."""

    hotline: User  # national hotline 111 operator
    police: User  # Lào Cai police caseworker
    border_guard: User  # Lào Cai border guard caseworker
    social: User  # Lào Cai social-protection caseworker (health department since law-2024)
    justice: User  # Lào Cai justice / legal-aid caseworker
    foreign: User  # Ministry of Foreign Affairs consular department caseworker
    supervisor: User  # Lào Cai Steering Committee supervisor (provincial)
    national_supervisor: User  # Steering Committee 138/CP supervisor (central)
    admin: User

    @staticmethod
    def named(username: str) -> User:
        return User.objects.select_related("unit").get(username=username)


def seed_cast() -> Cast:
    """The demo organisation's units and users, and a central Steering Committee supervisor."""
    units = organisation.seed_units()
    organisation.seed_users(units, PASSWORD)
    central = Unit.objects.get_or_create(
        code="bcd138-central",
        defaults={
            "name": "Ban Chỉ đạo 138/CP",
            "kind": AgencyKind.STEERING_COMMITTEE,
            "level": UnitLevel.CENTRAL,
        },
    )[0]
    if not User.objects.filter(username="bcd138-central-supervisor").exists():
        create_user(
            username="bcd138-central-supervisor",
            password=PASSWORD,
            role=Role.SUPERVISOR,
            unit=central,
        )
    named = Cast.named
    return Cast(
        hotline=named("demo-hotline"),
        police=named("demo-police"),
        border_guard=named("demo-borderguard"),
        social=named("demo-social"),
        justice=named("demo-justice"),
        foreign=named("demo-foreign"),
        supervisor=named("demo-supervisor"),
        national_supervisor=named("bcd138-central-supervisor"),
        admin=named("demo-admin"),
    )


def cast_user(username: str) -> User:
    """A user of the demo organisation or the cast, with its unit, for calling services directly."""
    return User.objects.select_related("unit").get(username=username)


def drf_writes(serializer_class, instance, **computed) -> dict:
    """What DRF's own fields write for `instance`, the oracle the fast row writers are held to
    (the serializers delegate to those writers, so comparing with a serializer's output would
    compare a writer with itself). Fields that read no attribute of the model are given in
    `computed`. As DRF's Serializer.to_representation, then rendered as the API renders."""
    written = {}
    for name, field in serializer_class().fields.items():
        if name in computed:
            written[name] = computed[name]
            continue
        attribute = field.get_attribute(instance)
        written[name] = None if attribute is None else field.to_representation(attribute)
    return json.loads(VietnamTimeJSONRenderer().render(written))


def drf_case_summary(case: Case) -> dict:
    """CaseSummarySerializer's fields as DRF writes them, in English (drf_writes)."""
    day = case.received_at.astimezone(VIETNAM_TZ).date().isoformat()
    reason = f"Received on {day}: the rulebook in force on that date applies."
    return drf_writes(CaseSummarySerializer, case, rulebook_reason=reason)


def drf_referral(referral: Referral) -> dict:
    """ReferralSerializer's fields as DRF writes them (drf_writes)."""
    return drf_writes(
        ReferralSerializer,
        referral,
        overdue=referral.overdue_at is not None,
        consent_withdrawn=consent_withdrawn(referral),
        reason=unless_erased(referral, "reason", erased=None) or "",
        justification=unless_erased(referral, "justification", erased=None) or "",
    )


def api(user, language: str = "en") -> APIClient:
    """An API client signed in as `user` with a session (two-factor verified where required)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user.role in SECOND_FACTOR_ROLES or user.is_superuser:
        force_verified_login(client, user)
    else:
        client.force_login(user)
    client.user = user
    return client


def serve(client, path: str) -> HttpResponse:
    """A GET answered as a WSGI server has it answered, with the client's cookies: its body
    read and the response closed, without the ties the test client adds to a response. As
    the test client does, the connection is kept open across the request: it holds the
    test's transaction."""
    environ = client._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: None)
        assert response.status_code == 200 and b"".join(response), response.status_code
        response.close()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)
    return response


@contextmanager
def without_collections() -> Iterator[None]:
    """Only reference counting frees objects meanwhile: what a reference cycle holds stays."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def refused(response, status: int, error: str) -> dict:
    """The response is the JSON error `{"error": error, "detail": ...}` with this status."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body.get("error") == error, body
    assert "detail" in body, body
    return body


def _checked(response, path: str, expect: int, error: str | None) -> dict:
    if expect >= 400:
        if error is None:
            raise TypeError(f"{path}: a step expected to fail ({expect}) must name its error code")
        return refused(response, expect, error)
    assert error is None, "an error code for a step expected to succeed"
    assert response.status_code == expect, (path, response.content[:500])
    return response.json()


# Steps: paths are relative to /api/v1/.


def send(
    client, path: str, body: dict | None = None, expect: int = 201, error: str | None = None
) -> dict:
    response = client.post(f"{API}{path}", body or {}, format="json")
    return _checked(response, path, expect, error)


def read(client, path: str, expect: int = 200, error: str | None = None) -> dict:
    return _checked(client.get(f"{API}{path}"), path, expect, error)


def open_case(client, body: dict = INTAKE) -> dict:
    """The case an intake opens."""
    return send(client, "intakes/", body)["case"]


def record(
    client, case_id: str, kind: str, body: dict, expect: int = 201, error: str | None = None
) -> dict:
    return send(client, f"cases/{case_id}/{kind}/", body, expect, error)


def move(
    client, case_id: str, transition: str, expect: int = 200, error: str | None = None, **extra
) -> dict:
    body = {"transition": transition, **extra}
    return send(client, f"cases/{case_id}/transitions/", body, expect, error)


def give_consent(
    client, case_id: str, kind: str, status: str = "given", purpose: str = "reception"
) -> None:
    """The victim's decision for one recipient kind and purpose, told orally in Vietnamese."""
    body = {
        "recipient_kind": kind,
        "purpose": purpose,
        "status": status,
        "informed_how": "orally",
        "informed_language": "vi",
    }
    send(client, f"cases/{case_id}/consents/", body)


def refer(
    client,
    case_id: str,
    to_unit: str | None = "ht-health_department",
    purpose: str = "reception",
    expect: int = 201,
    error: str | None = None,
    **extra,
) -> dict:
    """Refer the case; by default, scenario 04's reception by Hà Tĩnh's social-protection body."""
    body = {"case": case_id, "to_unit": to_unit, "purpose": purpose, **extra}
    return send(client, "referrals/", body, expect, error)


def act(
    client,
    referral: dict | str,
    action: str,
    expect: int = 200,
    error: str | None = None,
    **body,
) -> dict:
    """accept, reject, complete or withdraw a referral (the path as DESIGN.md §4 writes it)."""
    referral_id = referral["id"] if isinstance(referral, dict) else referral
    return send(client, f"referrals/{referral_id}/{action}", body, expect, error)


def police_held_case() -> Case:
    """A case taken by demo-hotline (the lead unit) in Lào Cai, which the police hold too:
    for tests of the rules themselves, called without the API."""
    intake = IntakeData(
        channel="hotline", victim=PersonData(full_name="Người bị hại", province_id="n-lao-cai")
    )
    case = create_intake(Cast.named("demo-hotline"), intake).case
    CaseHolding.objects.create(
        case=case, unit=Cast.named("demo-police").unit, basis="referral", since=timezone.now()
    )
    return Case.objects.get(pk=case.pk)
