import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies import demo
from agencies.models import User


def demo_password() -> str:
    """One password for every demo user, generated once and kept in the data directory."""
    path = settings.DATA_DIR / "demo-password.txt"
    if not path.exists():
        path.write_text(f"LoiVe-{secrets.token_hex(4)}")
        path.chmod(0o600)
    return path.read_text().strip()


def print_logins(stdout) -> None:
    stdout.write(f"\nDemo logins (password for all: {demo_password()})\n")
    for user in User.objects.filter(username__startswith="demo-").select_related("unit"):
        stdout.write(
            f"  {user.username:<18} {user.get_role_display():<22} {user.unit or 'national'}\n"
        )


class Command(BaseCommand):
    help = "Load demo units, users and cases (development only)."

    def handle(self, *args, **options):
        if settings.LOIVE_REQUIRE_MASTER_KEY:
            raise CommandError("seed_demo refuses to run with production settings.")
        from cases.demo import seed_cases
        from cases.models import Case

        with transaction.atomic():
            units = demo.seed_units()
            demo.seed_users(units, demo_password())
            if not Case.objects.exists():
                cases = seed_cases()
                self.stdout.write(f"Demo cases: {len(cases)} (every stage, both rulebooks)")
        print_logins(self.stdout)
