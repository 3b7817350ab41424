"""Sign-in lockout: per username and address, per address, a fixed cool-off, the answer shown."""

import datetime

import pytest
from django.contrib.auth import views as auth_views
from django.urls import path, reverse
from django.utils import timezone

from agencies.models import Role
from config.urls import urlpatterns as project_urlpatterns

PASSWORD = "x-Test-pass-42"
HOME_OFFICE = "203.0.113.10"
OTHER_OFFICE = "198.51.100.20"

# The project's URLs plus a sign-in endpoint under /api/ (for the JSON lockout answer).
urlpatterns = [
    *project_urlpatterns,
    path("api/test-login/", auth_views.LoginView.as_view(), name="api-test-login"),
]


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.ROOT_URLCONF = __name__
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOIVE_LOCKOUT_IP_FAILURES = 8
    settings.LANGUAGE_CODE = "vi"
    return settings


@pytest.fixture
def clock(monkeypatch):
    """Axes stamps each attempt (and computes the cool-off) from axes.handlers.proxy.now."""

    class Clock:
        current = timezone.now()

        def advance(self, **delta) -> None:
            self.current += datetime.timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: clock.current)
    return clock


@pytest.fixture
def officer(police_unit, make_user):
    return make_user(police_unit, Role.CASEWORKER, username="officer")


def attempt(client, username, password=PASSWORD, ip=HOME_OFFICE, url=None):
    client.logout()
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def fail(client, username, times=1, ip=HOME_OFFICE, url=None):
    for _ in range(times):
        response = attempt(client, username, "wrong-pass", ip=ip, url=url)
        assert not signed_in(response)
    return response


def test_a_locked_username_stays_usable_from_another_address(client, officer):
    fail(client, "officer", times=5)
    locked = attempt(client, "officer")
    assert locked.status_code == 429 and not signed_in(locked)
    assert signed_in(attempt(client, "officer", ip=OTHER_OFFICE))


def test_the_fifth_failure_locks_not_the_fourth(client, officer):
    fail(client, "officer", times=4)
    assert signed_in(attempt(client, "officer"))


def test_attempts_while_locked_do_not_extend_the_cool_off(client, officer, clock):
    fail(client, "officer", times=5)
    for _ in range(3):  # someone keeps trying, to keep the account locked
        clock.advance(minutes=19)
        assert fail(client, "officer").status_code == 429
    clock.advance(minutes=2)  # 59 minutes after the lock
    assert attempt(client, "officer").status_code == 429
    clock.advance(minutes=2)  # 61 minutes after the lock, 4 after the last attempt
    assert signed_in(attempt(client, "officer"))


def test_one_address_spraying_many_usernames_is_locked(client, officer):
    for number in range(8):  # one failure per username: no username reaches its own limit
        fail(client, f"guess-{number}")
    refused = attempt(client, "officer")
    assert refused.status_code == 429 and not signed_in(refused)
    assert signed_in(attempt(client, "officer", ip=OTHER_OFFICE))


def test_the_address_limit_is_higher_than_the_username_limit(client, officer):
    for number in range(7):
        fail(client, f"guess-{number}")
    assert signed_in(attempt(client, "officer"))


def test_a_successful_sign_in_does_not_reset_the_address_count(client, officer):
    for number in range(7):
        fail(client, f"guess-{number}")
    assert signed_in(attempt(client, "officer"))  # an accomplice's valid account
    fail(client, "guess-7")
    assert attempt(client, "officer").status_code == 429


def test_the_lockout_page_is_vietnamese_in_the_products_look(client, officer):
    fail(client, "officer", times=5)
    response = attempt(client, "officer")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'class="topbar"' in page and "loive.css" in page  # templates/base.html
    assert "Tạm dừng đăng nhập" in page
    assert "Đăng nhập sai quá nhiều lần" in page and "60 phút" in page
    assert "Account locked" not in page and "Too many" not in page


def test_the_lockout_answer_on_the_api_is_json(client, officer):
    url = reverse("api-test-login")
    fail(client, "officer", times=5, url=url)
    response = attempt(client, "officer", url=url)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "locked_out"
    assert "Đăng nhập sai quá nhiều lần" in body["detail"]


def test_behind_a_proxy_the_forwarded_client_address_is_used(client, officer, settings):
    settings.LOIVE_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "officer", "password": "wrong-pass"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME_OFFICE}",  # the left part is the client's
        )
    from_home = client.post(
        reverse("login"),
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"9.9.9.9, {HOME_OFFICE}",  # a forged left part changes nothing
    )
    assert from_home.status_code == 429
    client.logout()
    from_elsewhere = client.post(
        reverse("login"),
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=OTHER_OFFICE,
    )
    assert signed_in(from_elsewhere)
