"""The criminal track's organisation: Lào Cai's police, Procuracy, Court and Committee."""

from datetime import datetime

import pytest

from agencies.models import AgencyKind, Role
from places.models import VIETNAM_TZ


def vn(*parts) -> datetime:
    return datetime(*parts, tzinfo=VIETNAM_TZ)


@pytest.fixture
def track(make_unit, make_user):
    units = {
        kind: make_unit(kind)
        for kind in (
            AgencyKind.POLICE,
            AgencyKind.PROCURACY,
            AgencyKind.COURT,
            AgencyKind.HEALTH_DEPARTMENT,
            AgencyKind.STEERING_COMMITTEE,
        )
    }
    people = {kind: make_user(unit) for kind, unit in units.items()}
    people["police_supervisor"] = make_user(units[AgencyKind.POLICE], Role.SUPERVISOR)
    people["committee"] = make_user(units[AgencyKind.STEERING_COMMITTEE], Role.SUPERVISOR)
    return units, people
