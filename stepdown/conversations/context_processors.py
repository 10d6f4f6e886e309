from django.utils.functional import SimpleLazyObject

from . import queries


def conversations(request):
    """The header's count of unread conversations, counted only if a template shows it
    (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_conversations": SimpleLazyObject(lambda: queries.unread_count(user))}
