"""What every page's header needs: the areas the user may go to and the unread badge."""

from notifications.selectors import unread_count

from .navigation import areas_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_areas": areas_for(user), "unread_notifications": unread_count(user)}
