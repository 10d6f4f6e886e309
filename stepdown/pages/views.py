"""Error pages: calm, in the site's layout, saying what happened and where to go next."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in a context processor or the database.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


# Text fields the forum's forms send; on a token failure they are offered back, never lost.
KEPT_FIELDS = ("tag", "title", "body")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form arrived without a valid security token (an old tab, cookies blocked).

    Nothing is saved, but what the member wrote is shown back in a form with a fresh token, so
    they can send it again after a look, or copy it.
    """
    kept = [
        (name, request.POST[name])
        for name in KEPT_FIELDS
        if request.method == "POST" and request.POST.get(name, "").strip()
    ]
    return render(request, "errors/csrf.html", {"kept": kept, "action": request.path}, status=403)
