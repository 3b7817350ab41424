"""The demo's units carry the Vietnamese names their staff and partners use."""

import pytest
from django.utils import translation

from agencies.models import AgencyKind, Unit

pytestmark = pytest.mark.django_db


def test_demo_units_are_named_in_vietnamese(demo_org):
    with translation.override("en"):
        english = [str(label) for label in AgencyKind.labels]
    with_english = [u.name for u in Unit.objects.all() if any(e in u.name for e in english)]
    assert with_english == []
    assert Unit.objects.get(code="lc-police").name == "Công an tỉnh Lào Cai"


def test_a_border_guard_sees_the_name_of_its_post(client_for):
    page = client_for("demo-borderguard").get("/").content.decode()
    assert "Đồn Biên phòng Cửa khẩu Quốc tế Lào Cai" in page
    assert "Border Guard" not in page
