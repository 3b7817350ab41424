"""The notification outbox (hộp thư đi): written with the change, sent by the sweeper.

A message is a row created in the same transaction as the escalation that causes it, so a
lost Redis message or a stopped worker never loses a notification: the next sweep sends it.
Delivery is at least once for e-mail and exactly once in the application:

* in-app: the Notification row and the "sent" mark commit together, and a Notification is
  unique per message, so it can never be created twice;
* e-mail: if the process dies after the mail server accepted a message but before the
  "sent" mark commits, the next sweep sends that e-mail again (a possible duplicate e-mail,
  never a lost one).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agencies.models import User
from places.models import VIETNAM_TZ

from .models import Channel, Notification, OutboxMessage, Referral


def enqueue_escalations(items: Iterable[tuple[Referral, str, Iterable[User]]]) -> None:
    """One message per (referral, level, supervisor, channel); enqueuing twice adds nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            OutboxMessage(
                idempotency_key=f"escalation:{referral.pk}:{level}:{user.pk}:{channel}",
                recipient=user,
                channel=channel,
                subject=_("Overdue referral: case %(number)s") % {"number": referral.case.number},
                body=_escalation_body(referral),
            )
            for referral, level, users in items
            for user in users
            for channel in _channels(user)
        ]
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)


def enqueue_arrival(referral: Referral, users: Iterable[User]) -> None:
    """Tell the receiving unit a referral arrived (once per person, unit and channel)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New referral: case %(number)s") % {"number": referral.case.number}
        body = _arrival_body(referral)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                idempotency_key=f"arrival:{referral.pk}:{referral.to_unit_id}:{user.pk}:{channel}",
                recipient=user,
                channel=channel,
                subject=subject,
                body=body,
            )
            for user in users
            for channel in _channels(user)
        ],
        ignore_conflicts=True,
    )


def _arrival_body(referral: Referral) -> str:
    """Case number, purpose, sender and deadline only: never who the victim is."""
    due = formats.date_format(referral.due_at.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT")
    return _("%(unit)s referred case %(number)s to you for %(purpose)s; accept it by %(due)s.") % {
        "unit": referral.from_unit.name,
        "number": referral.case.number,
        "purpose": referral.get_purpose_display(),
        "due": due,
    }


def _channels(user: User) -> list[str]:
    return [Channel.IN_APP, Channel.EMAIL] if user.email else [Channel.IN_APP]


def _escalation_body(referral: Referral) -> str:
    """Case number, purpose and deadline only: never who the victim is."""
    due = formats.date_format(referral.due_at.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT")
    return _(
        "The referral of case %(number)s for %(purpose)s was due on %(due)s and has not "
        "been accepted."
    ) % {"number": referral.case.number, "purpose": referral.get_purpose_display(), "due": due}


def drain_outbox(batch_size: int = 100) -> int:
    """Send pending messages in batches, skipping rows another sender holds. Returns how many
    were sent; a failed message keeps its error and is retried by later sweeps."""
    sent, cursor = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(
                    sent_at__isnull=True,
                    attempts__lt=settings.LOIVE_OUTBOX_MAX_ATTEMPTS,
                    pk__gt=cursor,
                )
                .select_related("recipient")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return sent
            sent += sum(_deliver(message) for message in batch)
        cursor = batch[-1].pk


def _deliver(message: OutboxMessage) -> bool:
    message.attempts += 1
    try:
        with transaction.atomic():
            _send(message)
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["sent_at", "attempts", "last_error"])
        return True
    except Exception as exc:  # one bad message must not stop the others
        message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        message.save(update_fields=["attempts", "last_error"])
        return False


def _send(message: OutboxMessage) -> None:
    if message.channel == Channel.IN_APP:
        Notification.objects.get_or_create(
            message=message,
            defaults={
                "recipient": message.recipient,
                "subject": message.subject,
                "body": message.body,
            },
        )
    else:
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient.email],
            fail_silently=False,
        )
