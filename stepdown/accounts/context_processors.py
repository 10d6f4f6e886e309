from django.utils.functional import SimpleLazyObject

from .two_factor import needs_two_factor


def two_factor(request):
    """Whether to remind a moderator or admin to set up two-factor sign-in (queried lazily)."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"needs_two_factor": SimpleLazyObject(lambda: needs_two_factor(user))}
