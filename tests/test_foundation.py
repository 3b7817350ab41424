"""The skeleton works: settings, the login page in Vietnamese, roles as groups."""

import subprocess
import sys

import pytest
from django.urls import reverse

from agencies.models import Role


def test_login_page_is_vietnamese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_login_page_in_english_on_request(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in response.content.decode()


def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_user_role_is_a_group(police_unit, make_user):
    user = make_user(police_unit, Role.SUPERVISOR)
    assert list(user.groups.values_list("name", flat=True)) == [Role.SUPERVISOR]


@pytest.mark.django_db
def test_sign_in_with_password(client, police_unit, make_user):
    make_user(police_unit, Role.CASEWORKER, username="officer")
    response = client.post(reverse("login"), {"username": "officer", "password": "x-Test-pass-42"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
