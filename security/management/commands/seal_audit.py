"""Seal the audit events waiting for the sealer (what Celery beat does every few seconds)."""

from django.core.management.base import BaseCommand

from security.audit import seal_pending


class Command(BaseCommand):
    help = "Chain the committed, not yet sealed audit events into the ledger's hash chain."

    def handle(self, *args, **options) -> None:
        sealed = seal_pending()
        self.stdout.write(self.style.SUCCESS(f"Sealed {sealed} audit events."))
