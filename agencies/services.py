"""Creating units and users; roles are kept in step with Django groups."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role, Unit, User


def ensure_role_groups() -> dict[str, Group]:
    """One Django group per role (made by a migration; recreated here after a flush)."""
    return {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}


@transaction.atomic
def create_user(*, username: str, password: str, role: str, unit: Unit | None, **extra) -> User:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User(username=username, role=role, unit=unit, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    sync_role_group(user)
    return user


def sync_role_group(user: User) -> None:
    """Make the user's groups exactly the group of their role."""
    groups = ensure_role_groups()
    user.groups.set([groups[user.role]] if user.role in groups else [])
