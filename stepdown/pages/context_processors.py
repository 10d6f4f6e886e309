from stepdown.accounts.guidelines import needs_to_accept


def guidelines(request):
    """Whether the signed-in member is asked to accept the current guidelines (no query)."""
    user = getattr(request, "user", None)
    return {"guidelines_outdated": bool(user is not None and needs_to_accept(user))}
