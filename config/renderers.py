"""The API's JSON: every datetime in Viet Nam time, ISO 8601 with its +07:00 offset.

Serializer fields already write the current time zone (Asia/Ho_Chi_Minh); datetimes placed in
plain dicts (case records, the timeline) went through DRF's encoder as stored (UTC from
PostgreSQL) and came out as "...Z". This encoder converts them first, so one response never
mixes offsets.
"""

import datetime
from functools import lru_cache

import orjson
from django.db.models import Field
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


def api_datetime(
    value: datetime.datetime | None, zone: datetime.tzinfo | None = None
) -> str | None:
    """A moment as a DRF DateTimeField writes it: ISO 8601 in the current time zone, "Z" for
    UTC. For the rows the fast lists write without DRF's fields (issue 15). A list passes the
    current zone, `zone`, looked up once: looking it up cost ~10 µs a value."""
    if value is None:
        return None
    if zone is None:
        zone = timezone.get_current_timezone()
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def choice_labels(field: Field) -> dict[str, str]:
    """Each value of a model field's choices with its label in the active language, as
    get_FOO_display writes it: for the rows the fast lists write (issue 15), translated once
    per field and language (every list page paid ~70 µs for the referrals' 18). Read-only:
    the dict is shared."""
    return _labels(field, translation.get_language())


@lru_cache(maxsize=128)
def _labels(field: Field, language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in field.flatchoices}


class VietnamTimeEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, datetime.datetime) and obj.tzinfo is not None:
            # TIME_ZONE, Asia/Ho_Chi_Minh (places.VIETNAM_TZ; config sits below places).
            obj = obj.astimezone(timezone.get_default_timezone())
        return super().default(obj)


class VietnamTimeJSONRenderer(JSONRenderer):
    """DRF's JSON, encoded by orjson: a 52 KB page of the overdue list took 0.84 ms through
    json's encoder and takes 0.04 ms (issue 15). What orjson does not write as DRF does goes
    to DRF's encoder, VietnamTimeEncoder: datetimes, dates and times, lazy translations,
    decimals; pretty-printed JSON (?indent=, the browsable API), and what orjson refuses (an
    integer beyond 64 bits), are written by DRF's renderer itself. One difference: a NaN,
    which DRF's strict JSON refuses with an error, orjson writes as null."""

    encoder_class = VietnamTimeEncoder
    _default = VietnamTimeEncoder().default
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=self._default, option=self._options)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF's: the two line terminators JSON allows and JavaScript does not, escaped.
        return text.replace(_LINE_SEPARATOR, rb"\u2028").replace(_PARAGRAPH_SEPARATOR, rb"\u2029")


_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()
