import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from agencies.models import User
from demo import fastschema
from demo.scheduler import DemoScheduler

from .seed_demo import print_logins


class Command(BaseCommand):
    help = (
        "Migrate, load the demo if the database is empty, and serve on 127.0.0.1:8000 with "
        "the deadline sweep running in the process (no Celery beat or Redis needed)."
    )
    # The server checks once when it starts; checking here too would only repeat it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare only.")

    def handle(self, *args, addrport: str, no_serve: bool, **options):
        self.prepare()
        self.stdout.write(
            f"\nOpen http://{addrport}/ and sign in with a demo login. Supervisors and "
            "administrators enrol an authenticator app (TOTP) at their first sign-in.\n"
        )
        if no_serve:
            return
        scheduler = DemoScheduler()
        scheduler.start()
        self.stdout.write(
            f"Deadline sweep: every {scheduler.interval:g} s in this process (overdue "
            "referrals, escalations, notifications); audit sealer: every "
            f"{scheduler.seal_interval:g} s.\n"
        )
        try:
            self.serve(addrport)
        finally:
            scheduler.stop(timeout=2)

    def prepare(self) -> None:
        started = time.monotonic()
        if fastschema.may_use():  # a new SQLite database: the schema straight from the models
            fastschema.create_schema()
        else:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Database ready in {time.monotonic() - started:.1f} s")
        if not User.objects.exists():
            call_command("seed_demo", stdout=self.stdout)
        else:
            print_logins(self.stdout)

    def serve(self, addrport: str) -> None:
        # insecure_serving: the development server serves the static files itself, also with
        # DEBUG off (`make demo` runs with DJANGO_DEBUG=0, as a user would see the product).
        call_command(
            "runserver",
            addrport,
            use_reloader=False,
            insecure_serving=True,
            skip_checks=True,
            use_threading=True,
        )
