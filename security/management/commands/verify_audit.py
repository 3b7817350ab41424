"""Prove the audit ledger intact: recompute every hash link, fail naming the first break."""

from django.core.management.base import BaseCommand, CommandError

from security.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit ledger; exit non-zero at the first broken event."

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit ledger broken at sequence {report.broken_sequence}: {report.problem} "
                f"({report.checked} events verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit ledger intact: {report.checked} events."))
