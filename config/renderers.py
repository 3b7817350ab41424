"""The API's JSON: every datetime in Viet Nam time, ISO 8601 with its +07:00 offset.

Serializer fields already write the current time zone (Asia/Ho_Chi_Minh); datetimes placed in
plain dicts (case records, the timeline) went through DRF's encoder as stored (UTC from
PostgreSQL) and came out as "...Z". This encoder converts them first, so one response never
mixes offsets.
"""

import datetime

from django.utils import timezone
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


class VietnamTimeEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, datetime.datetime) and obj.tzinfo is not None:
            # TIME_ZONE, Asia/Ho_Chi_Minh (places.VIETNAM_TZ; config sits below places).
            obj = obj.astimezone(timezone.get_default_timezone())
        return super().default(obj)


class VietnamTimeJSONRenderer(JSONRenderer):
    encoder_class = VietnamTimeEncoder
