"""Back up the database with its key metadata (never the master key) into one file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupInvalid, create_backup


class Command(BaseCommand):
    help = "Dump the database (pg_dump custom format) with its sealed key metadata into OUT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("out", type=Path, help="the backup file to write")

    def handle(self, *args, out: Path, **options) -> None:
        try:
            manifest = create_backup(out)
        except BackupInvalid as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {out}: {manifest['cases']} cases, "
                f"{len(manifest['files'])} document files, "
                f"{manifest['keys']['data_keys']['live']} data keys under KEK "
                f"{manifest['keys']['kek_id']}, audit head #{manifest['audit_head']['sequence']}."
            )
        )
