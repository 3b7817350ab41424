import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import User
from cases.models import Case
from demo import organisation
from demo.providers import seed_providers
from demo.stories import seed_story


def demo_password() -> str:
    """One password for every demo user, generated once and kept in the data directory."""
    path = settings.DATA_DIR / "demo-password.txt"
    if not path.exists():
        path.write_text(f"LoiVe-{secrets.token_hex(4)}")
        path.chmod(0o600)
    return path.read_text().strip()


def print_logins(stdout) -> None:
    stdout.write(f"\nDemo logins (the password of every one: {demo_password()})\n")
    for user in User.objects.filter(username__startswith="demo-").select_related("unit"):
        stdout.write(
            f"  {user.username:<18} {user.get_role_display():<22} {user.unit or 'national'}\n"
        )


class Command(BaseCommand):
    help = "Load the demo organisation, users and story (development only; once)."

    def handle(self, *args, **options):
        if settings.LOIVE_REQUIRE_MASTER_KEY:
            raise CommandError("seed_demo refuses to run with production settings.")
        if Case.objects.exists() or User.objects.filter(username__startswith="demo-").exists():
            raise CommandError(
                "The database already holds cases or demo users; seed_demo loads the demo "
                "only into an empty database (delete the database file to start again)."
            )
        started = time.monotonic()
        with transaction.atomic():
            units = organisation.seed_units()
            organisation.seed_users(units, demo_password())
            seed_providers(demo_password())
            seed_story()
        self.stdout.write(
            f"Demo story: {Case.objects.count()} cases in {time.monotonic() - started:.1f} s"
        )
        print_logins(self.stdout)
