from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from agencies.models import User


class Command(BaseCommand):
    help = "Print an API token for a user (creating it if needed)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"no active user named {username!r}") from exc
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
