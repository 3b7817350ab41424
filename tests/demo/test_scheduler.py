"""The demo's in-process scheduler sweeps deadlines without Celery beat or Redis, and never
runs with production settings."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cases import services as cases
from demo.management.commands import quickstart
from demo.scheduler import DemoScheduler
from notifications.models import Notification
from referrals import services as referrals
from referrals.models import Escalation, Referral
from security.audit import verify_chain
from security.models import AuditEvent

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_scheduler_calls_the_sweep_repeatedly_until_stopped():
    calls = threading.Semaphore(0)
    scheduler = DemoScheduler(interval=0.01, sweep=calls.release)
    scheduler.start()
    try:
        assert all(calls.acquire(timeout=10) for _ in range(3))
    finally:
        scheduler.stop()
    assert not scheduler.is_alive()
    assert scheduler.daemon, "a daemon thread never keeps the demo from exiting"


def test_a_failing_sweep_does_not_stop_the_scheduler():
    runs = []

    def sweep():
        runs.append(1)
        raise RuntimeError("database is locked")

    scheduler = DemoScheduler(interval=0.01, sweep=sweep)
    scheduler.start()
    try:
        assert _wait_for(lambda: len(runs) >= 2)
    finally:
        scheduler.stop()


def test_the_scheduler_refuses_production_settings(settings):
    settings.LOIVE_REQUIRE_MASTER_KEY = True
    with pytest.raises(ImproperlyConfigured):
        DemoScheduler(interval=0.01, sweep=lambda: None).start()


def test_the_scheduler_refuses_to_run_without_the_demo_app(settings):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "demo"]
    with pytest.raises(ImproperlyConfigured):
        DemoScheduler(interval=0.01, sweep=lambda: None).start()


def test_production_settings_leave_the_demo_out():
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "LOIVE_MASTER_KEY": "A" * 43 + "=",
        "LOIVE_INDEX_KEY": "B" * 43 + "=",
        "DJANGO_ALLOWED_HOSTS": "example.org",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.apps import apps; "
        "print('demo' in settings.INSTALLED_APPS, apps.is_installed('demo'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scheduler_marks_an_overdue_referral_and_delivers_its_notifications(cast):
    border = cast.named("ht-border_guard-caseworker")
    social = cast.named("ht-health_department-caseworker")
    with time_machine.travel(timezone.now() - timedelta(days=5), tick=False):
        case = cases.create_intake(
            border,
            cases.IntakeData(channel="border_handover", victim=cases.PersonData(full_name="A")),
        ).case
        cases.record_consent(
            border,
            case,
            recipient_kind=social.unit.kind,
            purpose="reception",
            status="given",
            informed_how="orally",
            informed_language="vi",
        )
        referral = referrals.send_referral(border, case, purpose="reception", to_unit=social.unit)
    assert referral.due_at < timezone.now()
    assert not Notification.objects.exists(), "nothing delivers without a sweep"

    # The test reads the database only once the scheduler has stopped (an in-memory SQLite
    # database shared between threads locks whole tables).
    scheduler = DemoScheduler(interval=0.05)
    scheduler.start()
    try:
        assert _wait_for(lambda: scheduler.runs >= 2)
    finally:
        scheduler.stop()
    assert Referral.objects.get(pk=referral.pk).overdue_at is not None
    steering = Notification.objects.filter(
        recipient__unit__code="ht-steering_committee", recipient__role="supervisor"
    )
    assert steering.exists(), "the escalation reached the provincial Steering Committee"
    assert Notification.objects.filter(recipient=social).exists(), "the arrival"
    assert Escalation.objects.filter(referral=referral).count() == 2, "once per level"
    assert not AuditEvent.objects.filter(hash__isnull=True).exists(), "the sealer ran too"
    assert verify_chain().ok


def test_quickstart_starts_the_scheduler_only_when_it_serves(monkeypatch):
    started, served = [], []

    class FakeScheduler:
        interval = 60
        seal_interval = 3

        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            started.append(1)

        def stop(self, timeout=None):
            pass

    monkeypatch.setattr(quickstart, "DemoScheduler", FakeScheduler)
    monkeypatch.setattr(quickstart.Command, "prepare", lambda self: None)
    monkeypatch.setattr(quickstart.Command, "serve", lambda self, addr: served.append(addr))
    quickstart.Command().handle(addrport="127.0.0.1:8765", no_serve=True)
    assert not started and not served
    quickstart.Command().handle(addrport="127.0.0.1:8765", no_serve=False)
    assert started == [1] and served == ["127.0.0.1:8765"]
