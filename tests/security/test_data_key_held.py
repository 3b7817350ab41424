"""A data key is locked once per transaction (issue 15), and never when the transaction
created it; a savepoint rolled back (whose row locks PostgreSQL releases) forgets it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from security.models import data_key_held
from security.services import create_data_key

pytestmark = pytest.mark.django_db


def key_reads(context: CaptureQueriesContext) -> int:
    return sum(
        'FROM "security_datakey"' in q["sql"] or "FROM security_datakey" in q["sql"]
        for q in context.captured_queries
    )


committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@committed
def test_records_saved_under_one_key_lock_it_once_per_transaction(make_victim):
    from tests.security.testapp.models import Statement

    victim = make_victim()  # its key created and committed by another transaction
    with transaction.atomic(), CaptureQueriesContext(connection) as context:
        for n in range(3):
            Statement.objects.create(victim=victim, data_key=victim.data_key, text=f"s{n}")
        victim.notes = "edited"
        victim.save()
    assert key_reads(context) == 1


def test_a_key_created_in_the_transaction_is_never_locked_again(make_victim):
    from tests.security.testapp.models import Victim

    with transaction.atomic(), CaptureQueriesContext(connection) as context:
        Victim.objects.create(data_key=create_data_key(), full_name="Lan")
    assert key_reads(context) == 0


@committed
def test_a_rolled_back_savepoint_forgets_the_lock_and_a_new_transaction_locks_again(
    make_victim,
):
    victim = make_victim()
    key = victim.data_key_id
    with transaction.atomic():
        transaction.on_commit(lambda: None)  # other work of the transaction waits for its commit
        with CaptureQueriesContext(connection) as context:
            try:
                with transaction.atomic():
                    data_key_held(key)
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            data_key_held(key)  # the savepoint's lock is gone: lock again
            data_key_held(key)  # now held until the end of the outer transaction
        assert key_reads(context) == 2
    with transaction.atomic(), CaptureQueriesContext(connection) as context:
        data_key_held(key)
    assert key_reads(context) == 1, "another transaction: its own lock"
