"""Reading provinces as they were on a date (Resolution 202/2025/QH15 as data)."""

import math
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import NotFound

from .models import VIETNAM_TZ, Province


def provinces_on(day: date) -> QuerySet[Province]:
    """The provinces (tỉnh, thành phố) that existed on the given day."""
    return Province.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )


def province_as_of(code: str, day: date) -> Province:
    """The province that `code` was, or had become by merger, on the given day.

    Raises NotFound for an unknown code or a province created after that day.
    """
    try:
        province = Province.objects.select_related("merged_into").get(code=code)
    except Province.DoesNotExist:
        raise NotFound(_("Unknown province."), "no_province") from None
    if province.valid_from and day < province.valid_from:
        raise NotFound(_("The province did not exist on that day."), "no_province")
    return province.as_of(day)


def current_province(code: str) -> Province:
    """The province `code` is part of today (Vietnam date)."""
    return province_as_of(code, timezone.localdate(timezone=VIETNAM_TZ))


def old_to_new_map() -> dict[str, str]:
    """Every province that existed before the 2025 merger → the province it is part of today.

    Unchanged provinces map to themselves, e.g. "15" (Yên Bái) → "n-lao-cai", "42" → "42".
    """
    today = timezone.localdate(timezone=VIETNAM_TZ)
    old = Province.objects.filter(valid_from__isnull=True).select_related("merged_into")
    return {province.code: province.as_of(today).code for province in old}


def province_on_date(province: Province, day: date) -> Province:
    """The province as it was on `day`, for a place known by its province of today.

    Before the 2025 merger a new province did not exist: the place was in the old province
    of the same name (Lào Cai for today's Lào Cai), or else the first one merged into it.
    """
    if not province.valid_from or day >= province.valid_from:
        return province
    predecessors = list(province.merged_from.order_by("code"))
    same_name = [old for old in predecessors if old.name == province.name]
    return (same_name or predecessors or [province])[0]


EARTH_RADIUS_KM = 6371.0


def seat_distance_km(a: Province, b: Province) -> float | None:
    """Great-circle distance between two provinces' seats; None when either is unknown."""
    if None in (a.seat_latitude, a.seat_longitude, b.seat_latitude, b.seat_longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians,
        map(float, (a.seat_latitude, a.seat_longitude, b.seat_latitude, b.seat_longitude)),
    )
    half = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(half))
