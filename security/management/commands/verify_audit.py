"""Prove the audit ledger intact: seal what is pending, then recompute every hash link and
fail naming the first break (`--no-seal`: verify only, writing nothing)."""

from django.core.management.base import BaseCommand, CommandError

from security.audit import seal_pending, verify_chain


class Command(BaseCommand):
    help = (
        "Seal the pending audit events, then verify the hash chain of the audit ledger; "
        "exit non-zero at the first broken event."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Verify only: leave events waiting for the sealer as they are.",
        )

    def handle(self, *args, **options) -> None:
        if not options["no_seal"]:
            seal_pending()
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit ledger broken at sequence {report.broken_sequence}: {report.problem} "
                f"({report.checked} events verified before it)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit ledger intact: {report.checked} events"
                + (f" ({report.unsealed} not sealed yet)." if report.unsealed else ".")
            )
        )
