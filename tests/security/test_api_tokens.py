"""API tokens only for integration accounts (issue 9, point 10): knox tokens stored as
digests with an expiry, shown once; scoped to intake creation and case status; people's
tokens refused (they would skip the second factor); supervisors need two factors on the API
too."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Role
from cases.models import Case
from tests.cast import api as signed_in

pytestmark = pytest.mark.django_db

CALL = {
    "channel": "hotline",
    "received_at": "2025-11-03T22:10:00+07:00",
    "narrative": "Gọi từ tổng đài: con gái bị giữ ở Myanmar",
    "victim": {"full_name": "Lò Thị Mai", "birth_year": 2004, "sex": "female"},
}


@pytest.fixture
def telephony(demo_org, make_user):
    return make_user(demo_org["hotline-111"], Role.INTEGRATION, username="telephony-111")


def issue(username: str, *args) -> str:
    out = StringIO()
    call_command("issue_token", username, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_an_integration_token_files_an_intake_and_reads_its_status_and_nothing_else(
    telephony, cast
):
    client = with_token(issue(telephony.username))
    created = client.post("/api/v1/intakes/", CALL, format="json")
    assert created.status_code == 201, created.json()
    case_id = created.json()["case"]["id"]
    status = client.get(f"/api/v1/cases/{case_id}/status/")
    assert (status.status_code, status.json()["state"]) == (200, "intake")
    assert "people" not in status.json()
    for method, path in [
        ("get", f"/api/v1/cases/{case_id}/"),
        ("get", "/api/v1/cases/"),
        ("get", f"/api/v1/cases/{case_id}/timeline/"),
        ("get", "/api/v1/referrals/"),
        ("post", "/api/v1/referrals/"),
        ("get", "/api/v1/reports/periodic/?period=2025-Q4"),
        ("post", "/api/v1/intakes/duplicates/"),
        ("post", f"/api/v1/cases/{case_id}/transitions/"),
    ]:
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 403, (method, path, response.status_code)
    # Another account's case: not even its status.
    other = signed_in(cast.named("demo-hotline")).post("/api/v1/intakes/", CALL, format="json")
    other_id = other.json()["case"]["id"]
    assert client.get(f"/api/v1/cases/{other_id}/status/").status_code == 404


def test_a_persons_token_is_refused(cast):
    supervisor = cast.named("demo-supervisor")
    with pytest.raises(CommandError):
        issue(supervisor.username)
    _, key = AuthToken.objects.create(user=supervisor)  # made behind the command's back
    response = with_token(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_a_token_with_the_right_key_but_a_wrong_secret_is_refused(telephony):
    """The stored key is only the token's first characters: the rest must match the digest."""
    key = issue(telephony.username)
    forged = key[:-4] + ("0000" if key[-4:] != "0000" else "1111")
    before = Case.objects.count()
    response = with_token(forged).post("/api/v1/intakes/", CALL, format="json")
    assert response.status_code == 401
    assert Case.objects.count() == before
    assert with_token(key).post("/api/v1/intakes/", CALL, format="json").status_code == 201


def test_an_expired_token_is_refused(telephony):
    key = issue(telephony.username)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = with_token(key).post("/api/v1/intakes/", CALL, format="json")
    assert response.status_code == 401


def test_issuing_a_token_deletes_the_account_s_expired_ones_only(telephony, make_user):
    """The API refuses an expired token without sweeping the account's others on every
    call (security.api_access); issue_token removes them."""
    other = make_user(telephony.unit, Role.INTEGRATION, username="dashboard")
    expired = [
        AuthToken.objects.create(user=u, expiry=timedelta(days=-1))[0] for u in (telephony, other)
    ]
    live = AuthToken.objects.create(user=telephony)[0]
    issue(telephony.username)
    left = set(AuthToken.objects.values_list("digest", flat=True))
    assert expired[0].digest not in left
    assert {expired[1].digest, live.digest} <= left
    assert AuthToken.objects.filter(user=telephony).count() == 2


def test_a_token_is_stored_only_as_a_digest_with_an_expiry(telephony):
    key = issue(telephony.username, "--days", "30")
    stored = AuthToken.objects.get()
    assert key not in stored.digest
    assert stored.digest != key
    assert key[len(stored.token_key) :] not in str(list(AuthToken.objects.values()))
    assert timedelta(days=29) < stored.expiry - timezone.now() <= timedelta(days=30)


def test_tokens_are_not_readable_in_the_admin(telephony, make_user):
    """Neither the key nor its prefix; the row's id is knox's digest, a one-way hash."""
    key = issue(telephony.username)
    admin_user = make_user(None, Role.ADMINISTRATOR, username="root-admin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user, backend="agencies.backends.MemberBackend")
    session = signed_in(admin_user).session  # a verified second factor
    client.cookies["sessionid"] = session.session_key
    stored = AuthToken.objects.get()
    assert client.get(f"/admin/knox/authtoken/{stored.pk}/change/").status_code == 404
    page = client.get(f"/admin/security/apitoken/{stored.pk}/change/")
    listing = client.get("/admin/security/apitoken/")
    assert page.status_code == listing.status_code == 200
    for html in (page.content.decode(), listing.content.decode()):
        assert key not in html
        assert stored.token_key not in html
        assert "telephony-111" in html
    assert client.get("/admin/security/apitoken/add/").status_code == 403


def test_the_api_does_not_let_a_supervisor_skip_the_second_factor(cast):
    half_signed_in = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    half_signed_in.force_login(cast.named("demo-supervisor"))
    response = half_signed_in.get("/api/v1/cases/")
    assert (response.status_code, response.json()["error"]) == (403, "otp_required")
    assert signed_in(cast.named("demo-supervisor")).get("/api/v1/cases/").status_code == 200


def test_the_session_api_checks_csrf_on_writes(cast):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.named("demo-hotline"), backend="agencies.backends.MemberBackend")
    response = client.post("/api/v1/intakes/", CALL, format="json")
    assert response.status_code == 403
    assert "CSRF" in str(response.json()["detail"])


def test_the_integration_role_has_its_group(db):
    assert Group.objects.filter(name=Role.INTEGRATION).exists()


def test_a_refused_token_is_logged_as_one_line_without_a_traceback(cast, caplog):
    _, key = AuthToken.objects.create(user=cast.named("demo-police"))
    with caplog.at_level("DEBUG"):
        with_token(key).get("/api/v1/cases/")
    assert all(record.exc_info is None for record in caplog.records)
