"""Restore a backup into an empty database, then prove it: every value decrypts, the audit
ledger's chain holds, and the counts match the backup's manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupInvalid, restore_backup


class Command(BaseCommand):
    help = "Restore IN into the (empty) configured database and verify it; non-zero on failure."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, metavar="IN", help="the backup file to restore")

    def handle(self, *args, source: Path, **options) -> None:
        try:
            report = restore_backup(source)
        except BackupInvalid as exc:
            raise CommandError(f"Restore failed verification: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {report.cases} cases, {report.values_decrypted} values "
                f"decrypted ({report.values_erased} erased), "
                f"{report.files_decrypted} document files decrypted "
                f"({report.files_erased} erased), "
                "audit ledger intact "
                f"({report.audit_events} events)."
            )
        )
