"""The intake's input serializer shares its fields between calls (SharedFields) and answers
exactly as DRF's own per-instance fields would."""

import pytest
from rest_framework import serializers

from cases.serializers import IntakeInputSerializer, SharedFields

pytestmark = pytest.mark.django_db

VICTIM = {"full_name": "Nguyễn Văn Nam", "phone": "0912 345 678"}
BODIES = [
    {},
    [],
    None,
    {"channel": "fax"},
    {"channel": "hotline", "victim": None},
    {"channel": "hotline", "victim": "Nam"},
    {
        "channel": "hotline",
        "victim": {
            "birth_year": 3000,
            "assessed_min_age": 9,
            "assessed_max_age": 3,
            "sex": "x",
            "languages": ["VI"],
            "province": "nowhere",
        },
    },
    {"channel": "hotline", "victim": {"assessed_min_age": 9, "assessed_max_age": 3}},
    {"channel": "hotline", "victim": VICTIM, "reporter": {"phone": 12, "sex": "x"}},
    {"channel": "hotline", "victim": VICTIM, "relatives": [VICTIM] * 21},
    {"channel": "hotline", "victim": VICTIM, "relatives": [VICTIM, {"sex": "x"}, "Hoa"]},
    {"channel": "hotline", "victim": VICTIM, "relatives": None},
    {
        "channel": "hotline",
        "victim": VICTIM,
        "received_at": "2999-01-01T00:00:00Z",
        "purposes": ["none"],
        "destination_country": "kh",
        "link_to_case": "x",
    },
    {
        "channel": "hotline",
        "victim": {**VICTIM, "birth_year": 2001, "sex": "male", "languages": ["vi", "lo"]},
        "reporter": VICTIM,
        "relatives": [VICTIM],
        "received_at": "2025-11-03T22:10:00+07:00",
        "purposes": ["forced_labour"],
    },
]


def _answers() -> list:
    answers = []
    for body in BODIES:
        serializer = IntakeInputSerializer(data=body)
        valid = serializer.is_valid()
        answers.append(serializer.validated_data if valid else serializer.errors)
        if not valid:  # the codes too, not only the messages
            answers.append(serializers.ValidationError(serializer.errors).get_full_details())
    return answers


def test_errors_and_data_are_those_of_drf_own_fields(monkeypatch):
    shared = _answers()
    monkeypatch.setattr(SharedFields, "fields", serializers.Serializer.fields)
    assert shared == _answers()


def test_the_fields_are_built_once_not_for_every_call(monkeypatch):
    _answers()  # the prototypes' fields, built once
    built = []
    drf_get_fields = serializers.Serializer.get_fields  # DRF's deep copy of the declared fields
    monkeypatch.setattr(
        serializers.Serializer,
        "get_fields",
        lambda self: built.append(type(self).__name__) or drf_get_fields(self),
    )
    _answers()
    assert built == []
