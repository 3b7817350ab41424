"""Sign-in hardening: TOTP for supervisors and administrators, lockout, deployment checks."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role
from security.models import AuditEvent
from tests.production import run_under_production

PASSWORD = "x-Test-pass-42"
MIDDLEWARE = "security.middleware.RequireTwoFactorMiddleware"


@pytest.fixture(autouse=True)
def two_factor_enabled(settings):
    settings.ROOT_URLCONF = "tests.security.urls"
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


def sign_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_enrolment_then_verification_is_required(client, police_unit, make_user, role, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off wait after the wrong code below
    make_user(police_unit, role, username="chief")
    sign_in(client, "chief")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:two_factor"))

    page = client.get(response["Location"]).content.decode()
    assert "otpauth://totp/" in page and "<svg" in page
    device = TOTPDevice.objects.get(user__username="chief", confirmed=False)

    wrong = client.post(reverse("security:two_factor"), {"token": "000000", "next": "/"})
    assert wrong.status_code == 200 and client.get(reverse("home")).status_code == 302

    right = client.post(reverse("security:two_factor"), {"token": code_for(device), "next": "/"})
    assert right.status_code == 302 and right["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"auth.otp_failed", "auth.otp_enrolled", "auth.otp_verified"} <= actions


def test_enrolled_user_enters_a_code_without_seeing_the_secret_again(
    client, police_unit, make_user
):
    user = make_user(police_unit, Role.SUPERVISOR, username="chief")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "chief")
    page = client.get(reverse("security:two_factor")).content.decode()
    assert "otpauth://" not in page and "<svg" not in page
    client.post(reverse("security:two_factor"), {"token": code_for(device)})
    assert client.get(reverse("home")).status_code == 200


def test_unverified_supervisor_gets_json_403_from_the_api(client, police_unit, make_user):
    make_user(police_unit, Role.SUPERVISOR, username="chief")
    sign_in(client, "chief")
    response = client.get("/api/schema/")
    assert response.status_code == 403
    assert response.json()["error"] == "otp_required"


def test_guessing_is_throttled(client, police_unit, make_user):
    user = make_user(police_unit, Role.SUPERVISOR, username="chief")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "chief")
    client.post(reverse("security:two_factor"), {"token": "000000"})
    client.post(reverse("security:two_factor"), {"token": code_for(device)})
    assert client.get(reverse("home")).status_code == 302


def test_next_cannot_point_off_site(client, police_unit, make_user):
    user = make_user(police_unit, Role.SUPERVISOR, username="chief")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "chief")
    response = client.post(
        reverse("security:two_factor"), {"token": code_for(device), "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("home")


def test_helper_signs_in_a_verified_supervisor_for_other_tests(client, police_unit, make_user):
    from security.testing import force_verified_login

    force_verified_login(client, make_user(police_unit, Role.SUPERVISOR))
    assert client.get(reverse("home")).status_code == 200


def test_caseworkers_and_operators_are_not_asked(client, police_unit, make_user):
    make_user(police_unit, Role.CASEWORKER, username="officer")
    sign_in(client, "officer")
    assert client.get(reverse("home")).status_code == 200


def test_the_sixth_attempt_is_locked_out_even_with_the_right_password(
    client, police_unit, make_user
):
    make_user(police_unit, Role.CASEWORKER, username="officer")
    for _ in range(5):
        client.post(reverse("login"), {"username": "officer", "password": "wrong-pass"})
    response = sign_in(client, "officer")
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_under_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "no issues" in output


@pytest.mark.parametrize(
    ("urlconf", "errors"), [("tests.security.urls", 0), ("tests.security.urls_bare", 1)]
)
def test_two_factor_middleware_without_its_page_is_a_check_error(settings, urlconf, errors):
    from security.checks import check_two_factor_page

    settings.ROOT_URLCONF = urlconf
    assert len(check_two_factor_page(None)) == errors


def test_without_the_page_the_middleware_refuses_rather_than_lets_through(
    client, settings, police_unit, make_user
):
    make_user(police_unit, Role.SUPERVISOR, username="chief")
    sign_in(client, "chief")
    settings.ROOT_URLCONF = "tests.security.urls_bare"
    assert client.get("/").status_code == 403


@pytest.fixture
def verified_admin(client, make_user):
    admin_user = make_user(None, Role.ADMINISTRATOR, username="root")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    from security.testing import force_verified_login

    force_verified_login(client, admin_user)
    return admin_user


def test_the_admin_never_shows_nor_edits_a_totp_secret(
    client, verified_admin, police_unit, make_user
):
    chief = make_user(police_unit, Role.SUPERVISOR, username="chief")
    device = TOTPDevice.objects.create(user=chief, name="phone", confirmed=True)
    secret = device.key
    change_url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])

    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    page = client.get(change_url)
    assert listing.status_code == 200 and page.status_code == 200
    for response in (listing, page):
        html = response.content.decode()
        assert secret not in html and secret.upper() not in html
        assert 'name="key"' not in html and "otpauth://" not in html
    for view in ("config", "qrcode"):  # django_otp's pages with the key: gone
        response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/", follow=True)
        html = response.content.decode()
        assert secret not in html and "otpauth://" not in html
        assert response["Content-Type"].startswith("text/html")  # never the QR image
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403

    client.post(change_url, {"name": "renamed", "key": "00" * 20})
    device.refresh_from_db()
    assert device.key == secret and device.name == "renamed"


def test_an_administrator_can_delete_a_lost_device(client, verified_admin, police_unit, make_user):
    chief = make_user(police_unit, Role.SUPERVISOR, username="chief")
    device = TOTPDevice.objects.create(user=chief, name="phone", confirmed=True)
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_api_schema_and_docs_need_sign_in(client, police_unit, make_user):
    assert client.get("/api/schema/").status_code in (401, 403)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code in (401, 403)
    assert schema.json()["error"] in ("not_authenticated", "forbidden")
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith(reverse("login"))

    client.force_login(make_user(police_unit, Role.CASEWORKER))
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_api_schema_and_docs_need_sign_in_with_production_settings(tmp_path):
    """The URLs and the schema's permissions as config.production loads them, anonymously."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='loive.example.org')\n"
        "for url in ('/api/schema/', '/api/docs/'):\n"
        "    r = client.get(url, secure=True)\n"
        "    print(url, r.status_code, r.get('Location', ''))\n"
    )
    result = run_under_production(["-c", script], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["/api/schema/"].split()[0] in ("401", "403"), result.stdout
    status, location = lines["/api/docs/"].split()
    assert status == "302" and location.startswith("/login/"), result.stdout
