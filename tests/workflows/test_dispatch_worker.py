"""The process dispatcher on a real Celery worker and beat (PostgreSQL and Redis): intakes taken
while no worker runs get their process, and their inbox task, within seconds of its return."""

import pytest
from django.conf import settings
from django.db import connection

from cases import services as case_services
from tests.referrals.test_celery_worker import Worker, wait_for
from workflows.models import PendingProcessSync
from workflows.process import CaseProcess
from workflows.services import tasks_for_user

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="a real worker needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]


def test_intakes_taken_while_the_worker_is_down_get_their_tasks_once_it_is_back(cast, tmp_path):
    cases = [
        case_services.create_intake(
            cast.hotline,
            case_services.IntakeData(
                channel="hotline", victim=case_services.PersonData(full_name=f"Người {n}")
            ),
        ).case
        for n in range(3)
    ]
    assert PendingProcessSync.objects.count() == 3
    worker = Worker(tmp_path)
    # Only the dispatcher's beat entry: the deadline sweep (which also dispatches and
    # reconciles) does not come round during the test.
    worker.env |= {"LOIVE_PROCESS_SYNC_SECONDS": "0.5", "LOIVE_SWEEP_SECONDS": "3600"}
    try:
        worker.start()
        wait_for(lambda: not PendingProcessSync.objects.exists(), worker, seconds=30)
    finally:
        worker.stop()
    for case in cases:
        assert CaseProcess.objects.filter(artifact_object_id=case.pk).count() == 1
    inbox = {task.process.artifact_object_id for task in tasks_for_user(cast.hotline)}
    assert inbox >= {case.pk for case in cases}
