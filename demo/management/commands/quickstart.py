from django.core.management import call_command
from django.core.management.base import BaseCommand

from agencies.models import User


class Command(BaseCommand):
    help = "Migrate, load demo data if the database is empty, and serve on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare only.")

    def handle(self, *args, addrport: str, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not User.objects.exists():
            call_command("seed_demo", stdout=self.stdout)
        else:
            from .seed_demo import print_logins

            print_logins(self.stdout)
        self.stdout.write(
            f"\nOpen http://{addrport}/ and sign in with a demo login. Supervisors and "
            "administrators enrol an authenticator app (TOTP) at their first sign-in.\n"
        )
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
