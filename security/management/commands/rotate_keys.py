"""Rotate keys: re-wrap data keys under the current master key; optionally re-encrypt values.

Put the new key in LOIVE_MASTER_KEY and the previous one in LOIVE_OLD_MASTER_KEYS, run this,
then remove the old key. Safe to interrupt and run again. Ends by decrypting every value.
"""

from django.core.management.base import BaseCommand, CommandError

from security.selectors import verify_encryption
from security.services import reencrypt_all, rewrap_data_keys


class Command(BaseCommand):
    help = "Re-wrap every data key under the current master key (and with --reencrypt, "
    "re-encrypt every value under fresh data keys), then prove every value decrypts."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reencrypt",
            action="store_true",
            help="Also re-encrypt every value under a fresh data key per victim.",
        )
        parser.add_argument("--batch-size", type=int, default=100)

    def handle(self, *args, reencrypt: bool, batch_size: int, **options) -> None:
        rewrap = rewrap_data_keys(batch_size=batch_size, progress=self.stdout.write)
        self.stdout.write(f"Re-wrapped {rewrap.done} data keys.")
        failures = [f"data key {pk} could not be unwrapped" for pk in rewrap.failed]
        if reencrypt:
            moved = reencrypt_all(batch_size=batch_size, progress=self.stdout.write)
            self.stdout.write(f"Re-encrypted the values of {moved.done} victims.")
            failures += [f"data key {pk}: values could not be re-encrypted" for pk in moved.failed]
        report = verify_encryption(progress=self.stdout.write)
        failures += report.failures
        self.stdout.write(
            f"Checked {report.checked} values, {report.erased} erased, {len(failures)} failures."
        )
        if failures:
            for failure in failures[:50]:
                self.stderr.write(failure)
            raise CommandError(f"{len(failures)} failures: keys or values do not decrypt.")
        self.stdout.write(self.style.SUCCESS("Every value decrypts under the current keys."))
