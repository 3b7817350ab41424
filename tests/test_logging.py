"""Logs: JSON lines carrying the request's X-Request-ID, and never a victim's name or number."""

import io
import json
import logging
import uuid

import pytest

from tests.cast import API, INTAKE, open_case, refused

pytestmark = pytest.mark.django_db

NAME = "Vừ Thị Sớm"
PHONE = "0987654321"
ID_NUMBER = "001204012345"


@pytest.fixture
def console():
    """What the configured console handler (settings.LOGGING) writes, while the test runs."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def log_lines(console) -> list[dict]:
    """The JSON objects the console handler wrote (every non-JSON line fails the test)."""
    return [json.loads(line) for line in console.getvalue().splitlines()]


def test_a_request_gets_an_id_returned_and_written_on_its_log_lines(client, console):
    response = client.get(f"{API}no-such-thing/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    lines = [line for line in log_lines(console) if line["request_id"] == request_id]
    assert [line["message"] for line in lines] == [f"Not Found: {API}no-such-thing/"]
    assert lines[0]["level"] == "WARNING" and lines[0]["status_code"] == 404


def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(client):
    given = str(uuid.uuid4())
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given

    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level": "CRITICAL"')
    assert "\n" not in forged["X-Request-ID"] and len(forged["X-Request-ID"]) == 32


def test_an_intake_leaves_no_name_or_number_in_the_logs(cast, api, console):
    logging.getLogger().setLevel(logging.DEBUG)  # every library's debug lines too
    operator = api(cast.hotline)
    victim = {**INTAKE["victim"], "full_name": NAME, "phone": PHONE, "id_number": ID_NUMBER}
    try:
        open_case(operator, {**INTAKE, "victim": victim})
        operator.post(f"{API}intakes/duplicates/", {**INTAKE, "victim": victim}, format="json")
        bad = {**INTAKE, "victim": {**victim, "birth_year": "năm " + PHONE}}
        refused(operator.post(f"{API}intakes/", bad, format="json"), 400, "invalid")
        operator.get(f"{API}no-such-list/?phone={PHONE}&name={NAME}")  # a 404, logged
    finally:
        logging.getLogger().setLevel(logging.INFO)

    lines = log_lines(console)
    assert any(line["request_id"] for line in lines), "no request was logged at all"
    written = json.dumps(lines, ensure_ascii=False)
    for secret in (NAME, PHONE, ID_NUMBER, "Vừ Thị"):
        assert secret not in written
