"""The one periodic task: every deadline in the database, swept by Celery beat (every 60 s).

Deadlines are due_at columns and viewflow timer rows, never long Celery countdowns. The task
is idempotent (each step touches only what is due and marks it), so a redelivery or two
overlapping runs change nothing twice.
"""

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers

from crossborder.services import sweep_overdue_requests
from notifications.outbox import drain_outbox
from proceedings.services import sweep_overdue_tips
from referrals.services import sweep_overdue
from workflows.services import reconcile_processes, sync_pending_processes


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    """Mark and escalate overdue referrals, tips and cross-border requests, fire due workflow
    timers, send the outbox, sync the processes left pending."""
    return {
        "overdue": sweep_overdue(),
        "overdue_tips": sweep_overdue_tips(),
        "overdue_crossborder": sweep_overdue_requests(),
        "timers": fire_due_timers(),
        "sent": drain_outbox(),
        "processes": sync_pending_processes(),  # also every few seconds on its own (workflows)
        "reconciled": reconcile_processes(),  # last; logs failures, never raises
    }
