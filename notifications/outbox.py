"""The notification outbox: written with the change, sent by the sweeper.

Delivery is at least once for e-mail and exactly once in the application:

* in-app: the Notification row and the "sent" mark commit together, and a Notification is
  unique per message, so it can never be created twice;
* e-mail: if the process dies after the mail server accepted a message but before the
  "sent" mark commits, the next sweep sends that e-mail again (a possible duplicate e-mail,
  never a lost one).

The apps that cause notifications write their own subjects and bodies (never who a victim
is) and call `enqueue`; this module knows only people, channels and messages.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User

from .models import Channel, Notification, OutboxMessage


def channels_for(user: User) -> list[str]:
    """In the application always; by e-mail too when the person has an address."""
    return [Channel.IN_APP, Channel.EMAIL] if user.email else [Channel.IN_APP]


def enqueue(key: str, users: Iterable[User], subject: str, body: str) -> None:
    """One message per person and channel, keyed `key:user:channel`; enqueuing twice adds
    nothing. Call it inside the transaction of the change the message is about."""
    enqueue_many([(key, users, subject, body)])


def enqueue_many(messages: Iterable[tuple[str, Iterable[User], str, str]]) -> None:
    """enqueue() for many (key, users, subject, body) at once, in one INSERT."""
    rows = [
        (f"{key}:{user.pk}:{channel}", user.pk, channel, subject, body)
        for key, users, subject, body in messages
        for user in users
        for channel in channels_for(user)
    ]
    if not rows:
        return
    if connection.vendor == "postgresql":
        _insert_unnested(rows)
        return
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                idempotency_key=key,
                recipient_id=user_id,
                channel=channel,
                subject=subject,
                body=body,
            )
            for key, user_id, channel, subject, body in rows
        ],
        ignore_conflicts=True,
    )


def _insert_unnested(rows: list[tuple[str, int, str, str, str]]) -> None:
    """PostgreSQL: the rows sent as five arrays and unnested by one INSERT ... SELECT, which
    skips a model instance and five field conversions per message; the deadline sweep
    enqueues tens of thousands at once, and bulk_create was most of its time (issue 15).
    The other columns take their defaults, as bulk_create gives them."""
    fields = ["idempotency_key", "recipient", "channel", "subject", "body"]
    columns = ", ".join(f'"{OutboxMessage._meta.get_field(name).column}"' for name in fields)
    sql = (
        f'INSERT INTO "{OutboxMessage._meta.db_table}" '  # noqa: S608
        f'({columns}, "created_at", "attempts", "last_error") '
        "SELECT m.*, %s, 0, '' FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], "
        "%s::text[]) AS m ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *(list(column) for column in zip(*rows, strict=True))])


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
