"""Reads of the organisation."""

from config.sql import CompiledRead, Slot, columns_of, instance_of
from places.models import Province

from .models import Unit, User


def unit_names() -> dict[str, str]:
    """Unit code → name, for pages that show units by name (one query)."""
    return dict(Unit.objects.values_list("code", "name"))


def member_columns(path: str = "") -> list[str]:
    """The columns of a signed-in user with their unit and its province, reached through
    `path` from the model a read starts at (member_from builds them back)."""
    unit = f"{path}unit__"
    return [
        *columns_of(User, path),
        *columns_of(Unit, unit),
        *columns_of(Province, f"{unit}province__"),
    ]


def member_from(row: dict, path: str = "") -> User:
    """The user whose member_columns(path) `row` holds, their unit and its province read
    with them."""
    user = instance_of(User, row, path)
    unit = instance_of(Unit, row, f"{path}unit__")
    if unit is not None:
        Unit.province.field.set_cached_value(
            unit, instance_of(Province, row, f"{path}unit__province__")
        )
    User.unit.field.set_cached_value(user, unit)
    return user


_MEMBER = CompiledRead(
    lambda: User.objects.filter(pk=Slot("id", User._meta.pk)).values(*member_columns())
)


def member(user_id: int) -> User | None:
    """The user with their unit and its province, in one query compiled once: nearly every
    request reads them next (what the person may see, the unit that acts, the case number's
    province), each a query of its own when read lazily, and compiling the three-table read
    through the ORM on every request cost more than running it (issue 15)."""
    rows = _MEMBER.rows(id=user_id)
    return member_from(rows[0]) if rows else None
