from django.core.management.base import BaseCommand, CommandError

from agencies.models import User
from cases.models import Case
from cases.services import erase_identity
from config.errors import DomainError


class Command(BaseCommand):
    help = "Erase a victim's identity data for good (crypto-shredding), with a recorded reason."

    def add_arguments(self, parser):
        parser.add_argument("case_number")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--administrator", required=True, help="username of the administrator")

    def handle(self, *args, case_number: str, reason: str, administrator: str, **options):
        try:
            case = Case.objects.select_related("data_key").get(number=case_number)
            actor = User.objects.get(username=administrator, is_active=True)
            erase_identity(actor, case, reason=reason)
        except (Case.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError("unknown case number or administrator") from exc
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(f"Identity data of case {case.number} erased.")
