"""The API's JSON renderer (config.renderers.VietnamTimeJSONRenderer) encodes with orjson
(issue 15) and must write what DRF's renderer with VietnamTimeEncoder writes, byte for byte."""

import datetime
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from cases.models import Case, CaseState
from config.renderers import VietnamTimeEncoder, VietnamTimeJSONRenderer, choice_labels

UTC = datetime.UTC


class _DRFRenderer(JSONRenderer):
    """What the API wrote before orjson: DRF's renderer with the Viet Nam time encoder."""

    encoder_class = VietnamTimeEncoder


PAYLOAD = {
    "stored": datetime.datetime(2026, 12, 4, 1, 30, 5, 123456, tzinfo=UTC),
    "whole_second": datetime.datetime(2026, 12, 4, 17, 0, tzinfo=UTC),
    "in_paris": datetime.datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),
    "naive": datetime.datetime(2026, 12, 4, 8, 0),
    "day": datetime.date(2026, 12, 4),
    "time": datetime.time(9, 30),
    "label": gettext_lazy("Intake"),
    "stage": CaseState.INTAKE,
    "amount": Decimal("1500000.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "name": "Nguyễn Thị Hoa — “đi làm” ở Trung Quốc",
    "separators": "a\u2028b\u2029c",
    "nested": [{"n": 1, "f": 0.25, "none": None, "yes": True}, (1, 2)],
    7: "an integer key",
}


def test_it_writes_what_drfs_renderer_wrote():
    ours, drf = VietnamTimeJSONRenderer().render(PAYLOAD), _DRFRenderer().render(PAYLOAD)
    assert ours == drf
    written = json.loads(ours)
    assert written["stored"] == "2026-12-04T08:30:05.123456+07:00"  # Viet Nam time
    assert written["in_paris"] == "2026-07-01T14:00:00+07:00"
    assert written["separators"] == "a\u2028b\u2029c"
    assert b"\\u2028" in ours and "\u2028".encode() not in ours  # escaped for JavaScript


def test_it_encodes_with_orjson(monkeypatch):
    """The fast path is the one taken: json's encoder is not called for a plain payload."""

    def refuse(*args, **kwargs):
        raise AssertionError("json's encoder was used")

    monkeypatch.setattr(json, "dumps", refuse)
    assert VietnamTimeJSONRenderer().render({"a": [1, "b"]}) == b'{"a":[1,"b"]}'


@pytest.mark.parametrize(
    ("data", "media_type", "context"),
    [
        ({"big": 2**70}, None, None),  # beyond orjson's 64 bits
        ({"a": 1}, "application/json; indent=4", None),
        ({"a": 1}, None, {"indent": 2}),
        (None, None, None),
    ],
)
def test_what_orjson_cannot_write_goes_through_drf(data, media_type, context):
    rendered = VietnamTimeJSONRenderer().render(data, media_type, context)
    assert rendered == _DRFRenderer().render(data, media_type, context)


def test_choice_labels_are_the_display_values_in_the_active_language():
    """Each language its own labels, as get_FOO_display writes them, translated once."""
    field = Case._meta.get_field("state")
    for language in ("vi", "en"):
        with translation.override(language):
            labels = choice_labels(field)
            expected = {value: Case(state=value).get_state_display() for value in CaseState}
            assert labels == expected
            assert choice_labels(field) is labels
    with translation.override("vi"):
        vietnamese = choice_labels(field)[CaseState.INTAKE]
    with translation.override("en"):
        assert choice_labels(field)[CaseState.INTAKE] != vietnamese
