"""Safe defaults (issue 9, point 8; point 10's last part): DEBUG off unless asked for, static
files through WhiteNoise, error pages in the product's look and in Vietnamese, API errors always
JSON (a value that will not decrypt included), and refusals logged as one line."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory

from cases.models import Case
from config import views
from tests.cast import INTAKE, open_case

ROOT = settings.BASE_DIR


def _debug_with(env: dict) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_debug_is_off_unless_explicitly_asked_for():
    assert _debug_with({}) == "False"
    assert _debug_with({"DJANGO_DEBUG": "true"}) == "False"
    assert _debug_with({"DJANGO_DEBUG": "1"}) == "True"


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client):
    assert settings.DEBUG is False
    response = client.get("/static/loive.css")
    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_an_unknown_page_is_the_products_404_in_vietnamese_without_url_patterns(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page and "loive.css" in page
    assert "URLconf" not in page and "api/v1/" not in page


@pytest.mark.django_db
def test_unknown_api_urls_answer_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_403_and_500_pages_are_the_products_in_vietnamese_and_json_for_the_api():
    request = RequestFactory().get("/supervision/overdue/", HTTP_ACCEPT_LANGUAGE="vi")
    forbidden = views.permission_denied(request).content.decode()
    assert "Bạn không được mở trang này" in forbidden and "loive.css" in forbidden
    broken = views.server_error(RequestFactory().get("/cases/")).content.decode()
    assert "Đã xảy ra lỗi" in broken and "loive.css" in broken
    api = views.permission_denied(RequestFactory().get("/api/v1/cases/"))
    assert (api.status_code, api["Content-Type"]) == (403, "application/json")


@pytest.mark.django_db
def test_a_value_that_will_not_decrypt_answers_json_data_unreadable(api, cast):
    border = api(cast.named("demo-borderguard"))
    body = {**INTAKE, "victim": {**INTAKE["victim"], "address": "Bản Lìm, Lào Cai"}}
    case_id = open_case(border, body)["id"]
    case = Case.objects.get(uuid=case_id)
    with connection.cursor() as cursor:  # another field's ciphertext: authentication fails
        cursor.execute("UPDATE cases_person SET full_name = address WHERE case_id = %s", [case.pk])
    response = border.get(f"/api/v1/cases/{case_id}/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "data_unreadable"
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_is_logged_as_one_line_without_a_traceback(cast, caplog):
    client = Client()
    client.force_login(cast.named("demo-borderguard"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/supervision/overdue/")
    assert response.status_code == 403
    refusals = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert refusals, "the refusal is logged"
    for record in refusals:
        assert record.exc_info is None and record.exc_text is None
        assert "\n" not in logging.Formatter("%(message)s").format(record)
