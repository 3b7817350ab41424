"""The session engine (security.sessions, issue 15): Django's database sessions read by a
compiled query, which finds what Django's engine finds and nothing it would not."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from security.sessions import SessionStore
from tests.cast import api

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"


def test_a_session_reads_as_django_s_engine_reads_it(cast, django_assert_num_queries):
    client = api(cast.supervisor)
    key = client.cookies["sessionid"].value
    with django_assert_num_queries(1):
        ours = SessionStore(key).load()
    assert ours == DjangoStore(key).load() and ours["_auth_user_id"] == str(cast.supervisor.pk)
    assert client.get(CASES).status_code == 200


def test_an_expired_session_signs_its_user_out(cast):
    client = api(cast.supervisor)
    key = client.cookies["sessionid"].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None  # the next save makes a new key
    assert client.get(CASES).status_code == 401


def test_an_unknown_key_reads_nothing(cast):
    api(cast.supervisor)
    store = SessionStore("x" * 32)
    assert store.load() == {} and store.session_key is None
