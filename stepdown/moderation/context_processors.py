from django.utils.functional import SimpleLazyObject

from . import queries


def warnings(request):
    """Whether the signed-in member has a warning to read and acknowledge (the banner on every
    page). Looked up only when a template asks, from a cached set of the few members with one:
    most pages cost no query (see ``queries.warned_member_ids``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "warning_to_acknowledge": SimpleLazyObject(lambda: queries.has_warning_to_acknowledge(user))
    }
