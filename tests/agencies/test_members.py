"""A signed-in user as each request reads them (agencies.selectors.member, issue 15): the
user the ORM would read, with their unit and its province, in one query."""

import pytest
from django.forms.models import model_to_dict

from agencies.backends import MemberBackend
from agencies.models import Role, User
from agencies.selectors import member

pytestmark = pytest.mark.django_db


def _as_stored(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_a_member_is_the_stored_user_with_unit_and_province(demo_org, django_assert_num_queries):
    stored = User.objects.select_related("unit__province").get(username="demo-borderguard")
    assert stored.unit.province is not None
    with django_assert_num_queries(1):
        read = member(stored.pk)
        unit, province = read.unit, read.unit.province
    assert _as_stored(read) == _as_stored(stored)
    assert _as_stored(unit) == _as_stored(stored.unit)
    assert _as_stored(province) == _as_stored(stored.unit.province)
    assert not read._state.adding and read._state.db == "default"  # saved as an update
    assert model_to_dict(read) == model_to_dict(stored)


def test_a_member_without_unit_or_province(demo_org, make_user, django_assert_num_queries):
    national = next(unit for unit in demo_org.values() if unit.province_id is None)
    central = make_user(national, Role.SUPERVISOR, username="central")
    admin = make_user(None, Role.SUPERVISOR, username="no-unit")
    with django_assert_num_queries(2):
        assert member(central.pk).unit.province is None
        assert member(admin.pk).unit is None
    assert member(admin.pk + 1000) is None


def test_an_inactive_member_is_signed_out(demo_org):
    user = User.objects.get(username="demo-borderguard")
    assert MemberBackend().get_user(user.pk) == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert MemberBackend().get_user(user.pk) is None
