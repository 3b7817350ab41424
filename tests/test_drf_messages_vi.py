"""Every message a user can see is in Vietnamese, Django REST framework's own included
(issue 9, point 11)."""

import pytest
from django.utils import translation
from rest_framework import fields, relations, serializers
from rest_framework.test import APIClient

from tests.cast import api
from tests.referrals.conftest import RETURNEE

# The field classes our serializers use, and their parents' messages.
FIELD_CLASSES = [
    fields.Field,
    fields.BooleanField,
    fields.CharField,
    fields.RegexField,
    fields.SlugField,
    fields.EmailField,
    fields.UUIDField,
    fields.IntegerField,
    fields.DecimalField,
    fields.DateTimeField,
    fields.DateField,
    fields.ChoiceField,
    fields.MultipleChoiceField,
    fields.ListField,
    fields.DictField,
    fields.JSONField,
    relations.PrimaryKeyRelatedField,
    relations.SlugRelatedField,
    serializers.Serializer,
]


@pytest.mark.parametrize("field_class", FIELD_CLASSES, ids=lambda c: c.__name__)
def test_drf_validation_messages_have_a_vietnamese_translation(field_class):
    messages = {}
    for klass in reversed(field_class.__mro__):
        messages.update(getattr(klass, "default_error_messages", {}))
    with translation.override("en"):
        english = {key: str(text) for key, text in messages.items()}
    with translation.override("vi"):
        untranslated = [key for key, text in messages.items() if str(text) == english[key]]
    assert untranslated == [], f"{field_class.__name__}: no Vietnamese for {untranslated}"


@pytest.fixture
def border_vi(cast) -> APIClient:
    return api(cast.named("ht-border_guard-caseworker"), language="vi")


@pytest.mark.django_db
def test_a_bad_code_or_pk_answers_in_vietnamese(border_vi):
    case_id = border_vi.post("/api/v1/intakes/", RETURNEE, format="json").json()["case"]["id"]
    bad_code = border_vi.post(
        "/api/v1/referrals/",
        {"case": case_id, "purpose": "reception", "to_unit": "no-such-unit"},
        format="json",
    )
    bad_pk = border_vi.post(
        "/api/v1/referrals/",
        {"case": case_id, "purpose": "reception", "to_kind": "police", "to_province": "zz"},
        format="json",
    )
    assert bad_code.status_code == bad_pk.status_code == 400
    assert bad_code.json()["detail"]["to_unit"] == ["Không có đối tượng nào với code=no-such-unit."]
    assert bad_pk.json()["detail"]["to_province"] == [
        "Mã “zz” không hợp lệ: không có đối tượng này."
    ]
