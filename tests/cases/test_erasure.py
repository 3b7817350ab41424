"""Erasure (crypto-shredding): a destroyed data key makes the victim unreadable, audited."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case, Person
from security.crypto import DataErased
from security.models import AuditEvent
from tests.cast import open_case
from tests.test_plaintext_hunt import FREE_TEXT_FIELDS, seed_case_with_markers

pytestmark = pytest.mark.django_db


def test_erased_case_shows_no_identity_and_never_fails(api, cast):
    border = api(cast.border_guard)
    case_id = open_case(border)["id"]
    number = Case.objects.get(uuid=case_id).number
    call_command(
        "erase_identity", number, reason="request of the victim", administrator="demo-admin"
    )
    person = Person.objects.get(case__uuid=case_id, role="victim")
    with pytest.raises(DataErased):
        person.full_name  # noqa: B018
    assert person.name_year_index == "" and person.phone_index == ""
    detail = border.get(f"/api/v1/cases/{case_id}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["identity_erased"] is True
    assert "full_name" not in body["people"][0]
    assert border.get(f"/api/v1/cases/{case_id}/timeline/").status_code == 200
    assert AuditEvent.objects.filter(action="key.destroy").count() == 1
    assert AuditEvent.objects.filter(action="case.erase", reason="request of the victim").exists()


def test_only_administrators_erase(cast, api):
    case_id = open_case(api(cast.border_guard))["id"]
    number = Case.objects.get(uuid=case_id).number
    with pytest.raises(CommandError):
        call_command("erase_identity", number, reason="x", administrator="demo-supervisor")
    with pytest.raises(CommandError):
        call_command("erase_identity", number, reason=" ", administrator="demo-admin")


def test_erasure_makes_every_free_text_field_unreadable(api, cast):
    """Crypto-shredding reaches the free text too: notes, findings, reasons (issue 9, 4)."""
    seed_case_with_markers(api, cast)
    case = Case.objects.get()
    call_command("erase_identity", case.number, reason="retention", administrator="demo-admin")
    unread = []
    for name in FREE_TEXT_FIELDS:
        model_name, field = name.split(".")
        model = apps.get_model("referrals" if model_name == "Referral" else "cases", model_name)
        for record in model.objects.filter(case=case):
            try:
                getattr(record, field)
            except DataErased:
                continue
            unread.append(name)
    assert not unread, f"still readable after erasure: {unread}"
    social = api(cast.named("ht-health_department-caseworker"))
    border = api(cast.named("ht-border_guard-caseworker"))
    assert border.get(f"/api/v1/cases/{case.uuid}/timeline/").status_code == 200
    referrals = social.get("/api/v1/referrals/")
    assert referrals.status_code == 200
    assert all(not r["reason"] for r in referrals.json()["results"])
