"""Where each role may go from the landing page. The pages check the same table, so a link
is shown exactly where following it is allowed."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.models import Role, User
from proceedings.permissions import CRIMINAL_TRACK_KINDS


@dataclass(frozen=True)
class Area:
    code: str
    url_name: str
    label: Promise
    roles: frozenset[str]
    kinds: frozenset[str] = frozenset()  # empty: units of every kind


W, H, S, A = Role.CASEWORKER, Role.HOTLINE_OPERATOR, Role.SUPERVISOR, Role.ADMINISTRATOR
AREAS = [
    Area("intake", "web:intake", _("Take a call"), frozenset({H})),
    Area("inbox", "web:inbox", _("Inbox"), frozenset({W, H})),
    Area("cases", "web:cases", _("Cases"), frozenset({W, H, S})),
    Area("search", "web:search", _("Search"), frozenset({W, H, S})),
    Area("notifications", "web:notifications", _("Notifications"), frozenset({W, H, S, A})),
    Area("routing", "web:routing", _("Routing"), frozenset({S})),
    Area(
        "proceedings",
        "web:tips",
        _("Criminal proceedings"),
        frozenset({W}),
        frozenset(CRIMINAL_TRACK_KINDS),
    ),
    Area("supervision", "supervision:overdue", _("Supervision"), frozenset({S})),
    Area("reports", "web:reports", _("Reports"), frozenset({S})),
    Area("providers", "web:providers-occupancy", _("Service providers"), frozenset({S})),
    Area("admin", "admin:index", _("Administration"), frozenset({A})),
]
BY_CODE = {area.code: area for area in AREAS}


def areas_for(user: User) -> list[Area]:
    if not user.is_authenticated:
        return []
    return [area for area in AREAS if may_visit(user, area.code)]


def may_visit(user: User, code: str) -> bool:
    area = BY_CODE[code]
    if code == "admin":
        return user.is_active and user.is_staff and user.role in area.roles
    return (
        user.is_active
        and user.role in area.roles
        and (user.unit_id is not None or code == "notifications")
        and (not area.kinds or (user.unit_id is not None and user.unit.kind in area.kinds))
    )
