"""Creating units and users; roles are kept in step with Django groups."""

from django.contrib.auth.hashers import make_password
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


@transaction.atomic
def create_users(wanted: list[tuple[str, str, Unit | None]], *, password: str) -> list[User]:
    """Many users with one password, hashed once, in a few statements (the demo's staff).

    `wanted` holds (username, role, unit); administrators are staff and superusers. Usernames
    that exist already are skipped.
    """
    existing = set(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True)
    )
    encoded = make_password(password)
    users = []
    for username, role, unit in wanted:
        if role not in Role.values:
            raise ValueError(f"unknown role {role!r}")
        if username in existing:
            continue
        admin = role == Role.ADMINISTRATOR
        user = User(username=username, role=role, unit=unit, is_staff=admin, is_superuser=admin)
        user.password = encoded
        user.full_clean(exclude=["password"])
        users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__in=[u.username for u in users]))
    groups = ensure_role_groups()
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[user.role].pk) for user in users
    )
    return users
