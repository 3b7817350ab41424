"""How a signed-in person is read on each of their requests."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class MemberBackend(ModelBackend):
    """Django's ModelBackend, whose session user comes with their unit and its province:
    nearly every request reads them next (what the person may see, the unit that acts), each
    a query of its own when read lazily (issue 15)."""

    def get_user(self, user_id) -> User | None:
        user = User.objects.select_related("unit__province").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
