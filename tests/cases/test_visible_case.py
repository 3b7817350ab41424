"""get_visible_case reads a case with its lead unit, province and data key in one query
compiled once (config.sql.CompiledRead): the instances must be what the ORM builds."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.selectors import get_visible_case
from config.errors import NotFound
from tests.cast import api, open_case

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_case_and_what_is_read_with_it_are_the_orms(cast):
    opened = open_case(api(cast.border_guard))
    with CaptureQueriesContext(connection) as captured:
        case = get_visible_case(cast.border_guard, opened["id"])
        related = case.lead_unit, case.province, case.data_key
    assert len(captured.captured_queries) == 1
    stored = Case.objects.select_related("lead_unit", "province", "data_key").get(pk=case.pk)
    assert _fields(case) == _fields(stored)
    expected = stored.lead_unit, stored.province, stored.data_key
    assert [_fields(r) for r in related] == [_fields(r) for r in expected]
    assert case.province is not None and not case._state.adding
    case.save()  # an instance the ORM can write back, as one it loaded
    assert Case.objects.get(pk=case.pk).version == stored.version


@pytest.mark.parametrize("case_id", [17, None, uuid.uuid4()])
def test_an_id_of_no_case_is_not_found(cast, case_id):
    open_case(api(cast.border_guard))
    with pytest.raises(NotFound):
        get_visible_case(cast.border_guard, case_id)


@pytest.mark.parametrize("case_id", ["not-a-uuid", ""])
def test_what_is_not_an_id_is_bad_input(cast, case_id):
    with pytest.raises(ValidationError):
        get_visible_case(cast.border_guard, case_id)


def test_a_case_of_another_unit_is_not_found(cast):
    opened = open_case(api(cast.border_guard))
    with pytest.raises(NotFound):
        get_visible_case(cast.named("qt-police-caseworker"), opened["id"])
