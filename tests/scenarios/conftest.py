"""Helpers for the case stories of ../shared/scenarios: people act through the API."""

import pytest
from django.db import connection


class Actor:
    """One person at a desk: their API client and the calls the stories use."""

    def __init__(self, client, user):
        self.client, self.user = client, user

    def post(self, path: str, body: dict | None = None, expect: int = 201) -> dict:
        response = self.client.post(f"/api/v1/{path}", body or {}, format="json")
        assert response.status_code == expect, (path, response.json())
        return response.json()

    def get(self, path: str, expect: int = 200) -> dict:
        response = self.client.get(f"/api/v1/{path}")
        assert response.status_code == expect, (path, response.content[:300])
        return response.json()

    def intake(self, body: dict) -> dict:
        return self.post("intakes/", body)

    def record(self, case_id: str, kind: str, body: dict) -> dict:
        return self.post(f"cases/{case_id}/{kind}/", body)

    def move(self, case_id: str, transition: str, **extra) -> dict:
        return self.post(
            f"cases/{case_id}/transitions/", {"transition": transition, **extra}, expect=200
        )

    def refer(self, case_id: str, to_unit: str, purpose: str, **extra) -> dict:
        return self.post(
            "referrals/", {"case": case_id, "to_unit": to_unit, "purpose": purpose, **extra}
        )

    def accept(self, referral: dict) -> dict:
        return self.post(f"referrals/{referral['id']}/accept", expect=200)

    def complete(self, referral: dict) -> dict:
        return self.post(f"referrals/{referral['id']}/complete", expect=200)


@pytest.fixture
def actor(api_for, user_named):
    return lambda username: Actor(api_for(user_named(username)), user_named(username))


def raw_database_text() -> str:
    """Every value of every table as the database stores it, as one string to search."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    chunks.append(str(value))
    return "\n".join(chunks)
