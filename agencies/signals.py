from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_role_groups(sender, **kwargs) -> None:
    if sender.name == "agencies":
        from .services import ensure_role_groups

        ensure_role_groups()
