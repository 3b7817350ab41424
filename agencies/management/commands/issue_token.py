"""Issue an API token to an integration account, printed once (DESIGN.md §4)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from knox.models import AuthToken

from agencies.models import Role, User


class Command(BaseCommand):
    help = (
        "Print a new API token for an integration account, once: only its digest is stored. "
        "People sign in with a session and two factors, never with a token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=None, help="Days until it expires (default: settings)."
        )

    def handle(self, *args, username: str, days: int | None, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"no active user named {username!r}") from exc
        if user.role != Role.INTEGRATION:
            raise CommandError(
                f"{username!r} is a person ({user.role}); API tokens are only for integration "
                "accounts. People sign in with a session."
            )
        # The expired tokens of the account go now (the API only refuses them: security.api_access).
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        expiry = {} if days is None else {"expiry": timedelta(days=days)}
        auth_token, key = AuthToken.objects.create(user=user, **expiry)
        self.stderr.write(f"expires {auth_token.expiry:%Y-%m-%d %H:%M %Z}; shown only once")
        self.stdout.write(key)
