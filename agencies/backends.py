"""How a signed-in person is read on each of their requests."""

from django.contrib.auth.backends import ModelBackend

from .models import User
from .selectors import member


class MemberBackend(ModelBackend):
    """Django's ModelBackend, whose session user is read with their unit and its province
    (agencies.selectors.member)."""

    def get_user(self, user_id) -> User | None:
        user = member(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
