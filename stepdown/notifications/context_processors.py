from django.utils.functional import SimpleLazyObject

from . import queries


def notifications(request):
    """The header's unread count, counted only if a template shows it (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: queries.unread_count(user))}
