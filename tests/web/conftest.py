"""Pages as each demo role sees them: a signed-in client per user (supervisors verified)."""

import pytest
from django.test import Client

from agencies.models import Role
from security.testing import force_verified_login

CALL = {
    "caller_name": "Trần Thị Hoa",
    "caller_phone": "0912 345 678",
    "caller_relationship": "mẹ",
    "victim_name": "Nguyễn Văn Nam",
    "victim_age": "24",
    "victim_birth_year": "2001",
    "victim_sex": "male",
    "victim_phone": "+855 12 345 678",
    "narrative": "Bị giữ hộ chiếu ở Sihanoukville, bị đánh, đòi 8.000 USD.",
    "purposes": ["forced_labour", "forced_crime"],
    "province": "Lào Cai",
    "destination_country": "KH",
    "is_abroad": "on",
    "indicators": [
        "retention_of_documents",
        "restriction_of_movement",
        "physical_sexual_violence",
        "debt_bondage",
        "deception",
    ],
    "consent": "given",
    "consent_given_by": "reporter",
}


# The victim's consent to legal aid, as the case page's consent form sends it.
LEGAL_AID_CONSENT = {
    "recipient_kind": "justice_legal_aid",
    "purpose": "legal_aid",
    "status": "given",
    "given_by": "victim",
    "informed_how": "orally",
    "informed_language": "vi",
}


@pytest.fixture
def client_for(user_named):
    def make(username: str) -> Client:
        user = user_named(username)
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        if user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
            force_verified_login(client, user)
        else:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def hotline_case(client_for, user_named):
    """Story 02 taken through the intake page: the case handed to Lào Cai police."""
    from cases.models import Case

    response = client_for("demo-hotline").post("/intake/", CALL)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(uuid=response.url.rstrip("/").split("/")[-1])
