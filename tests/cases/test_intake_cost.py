"""What one intake costs the database (issue 15): a fixed number of queries, whatever the
volume of cases, persons and possible duplicates already there."""

from datetime import timedelta

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Role
from tests.cast import INTAKE, api, open_case

pytestmark = pytest.mark.django_db

# Session and sign-in checks, the duplicate search, the case number, the case, its data key,
# holding, people, intake, the audit events and the outbox row of its process. 49 before issue
# 15's work on the intake path: the audit events no longer lock and update the ledger's head
# (-4), the new case's data key is never locked (its insert holds it) and other keys once per
# transaction (-4), the process of a case just opened starts without locking the case and
# looking for a run twice (-8): 33; then the process is started by the dispatcher from one
# outbox row (-14), the people go in one INSERT (-1), the number is taken without a
# transaction of its own (-2) and the rulebook is remembered (-1): 15; then the audit events
# go in one INSERT (-1): 14; then the signed-in user comes with their unit and its province,
# which name the case number, not read lazily (-1 with a session, agencies.backends; -2 with
# a token, security.api_access): 13. Through an integration account's token: the token with
# its account in one query, not the account's other tokens on every call (-1 on the session's
# two).
MAX_QUERIES = 13
MAX_QUERIES_WITH_TOKEN = 12
CALL = {**INTAKE, "reporter": {"full_name": "Người gọi", "phone": "0912345678"}}


def test_an_intake_costs_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    hotline = api(cast.hotline)
    open_case(hotline, CALL)  # warm: session, content types, the year's case counter
    with django_assert_max_num_queries(MAX_QUERIES):
        open_case(hotline, CALL)
    for _ in range(3):  # more cases sharing the caller's phone: possible duplicates
        open_case(hotline, CALL)
    with django_assert_max_num_queries(MAX_QUERIES):
        open_case(hotline, CALL)


def test_an_intake_through_a_token_costs_a_fixed_number_of_queries(
    demo_org, make_user, django_assert_max_num_queries
):
    telephony = make_user(demo_org["hotline-111"], Role.INTEGRATION, username="telephony")
    for _ in range(2):  # other tokens of the account, expired
        AuthToken.objects.create(user=telephony, expiry=timedelta(days=-1))
    client = APIClient(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=telephony)[1]}")
    open_case(client, CALL)
    for _ in range(2):
        with django_assert_max_num_queries(MAX_QUERIES_WITH_TOKEN):
            open_case(client, CALL)
