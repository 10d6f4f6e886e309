"""Error pages: calm, in the site's layout, saying what happened and where to go next."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

# Fields whose text is offered back when a request is refused before the view ran, so nothing a
# member wrote is lost. Passwords are never echoed.
KEPT_FIELDS = ("tag", "title", "body", "notes", "username", "email", "login")


def kept_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The non-secret text fields of a refused POST, in a fixed order."""
    if request.method != "POST":
        return []
    return [
        (name, request.POST[name]) for name in KEPT_FIELDS if request.POST.get(name, "").strip()
    ]


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in a context processor or the database.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def too_many_requests(request: HttpRequest, exception=None) -> HttpResponse:
    """A rate limit refused this request (allauth's sign-in, registration, password reset)."""
    return render(
        request,
        "errors/429.html",
        {"kept": kept_fields(request), "back": request.path},
        status=429,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form arrived without a valid security token (an old tab, cookies blocked).

    Nothing is saved, but what the member wrote is shown back in a form with a fresh token, so
    they can send it again after a look, or copy it.
    """
    return render(
        request,
        "errors/csrf.html",
        {"kept": kept_fields(request), "action": request.path},
        status=403,
    )
