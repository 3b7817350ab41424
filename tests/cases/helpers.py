"""Shared steps for case tests: open a case through the API and move it on."""

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


def open_case(client, body=INTAKE) -> dict:
    response = client.post("/api/v1/intakes/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["case"]


def record(client, case_id: str, kind: str, body: dict, expect: int = 201) -> dict:
    response = client.post(f"/api/v1/cases/{case_id}/{kind}/", body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def move(client, case_id: str, transition: str, expect: int = 200, **extra) -> dict:
    response = client.post(
        f"/api/v1/cases/{case_id}/transitions/", {"transition": transition, **extra}, format="json"
    )
    assert response.status_code == expect, response.json()
    return response.json()
