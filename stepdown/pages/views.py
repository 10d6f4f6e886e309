"""The community's own pages (guidelines, "Need help now?") and the error pages: calm, in the
site's layout, saying what happened and where to go next."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stepdown.accounts import guidelines as rules
from stepdown.core import crisis

ONE_YEAR = 365 * 24 * 60 * 60

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


# --- The community's pages -------------------------------------------------------------------


@require_GET
def guidelines(request: HttpRequest) -> HttpResponse:
    """The community guidelines; a member who has not accepted this version may do so here."""
    return render(
        request,
        "pages/guidelines.html",
        {"version": rules.current_version(), "may_accept": rules.needs_to_accept(request.user)},
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@login_required
def accept_guidelines(request: HttpRequest) -> HttpResponse:
    """The member accepts the current guidelines (the banner's button, or the page's)."""
    rules.accept_guidelines(request.user)
    messages.success(request, _("Thank you for reading the guidelines."))
    return redirect(_safe_next(request, "/"))


@require_GET
def help_now(request: HttpRequest) -> HttpResponse:
    """ "Need help now?": crisis lines and emergency numbers, for the visitor's locale
    (``crisis.locale_code_for``) or the one they pick (a plain GET form, so it works without
    JavaScript), which they can keep for this device."""
    locales = crisis.crisis_locales()
    wanted = (request.GET.get("locale") or "").strip().upper()
    code = wanted if wanted in locales else crisis.locale_code_for(request, locales)
    chosen = crisis.crisis_locale(code, locales)
    remembered = request.COOKIES.get(crisis.COOKIE_NAME, "").strip().upper()
    return render(
        request,
        "pages/help_now.html",
        {
            "crisis": chosen,
            "locales": sorted(locales.values(), key=lambda item: item.code == "INTL"),
            "chosen_code": chosen.code,
            "remembered": remembered == chosen.code,
        },
    )


@require_POST
def remember_locale(request: HttpRequest) -> HttpResponse:
    """Keep the chosen country's lines for this device (a cookie: nothing is stored about the
    visitor on the server), used by the help page, the safety panel and the journal."""
    code = (request.POST.get("locale") or "").strip().upper()
    response = redirect(reverse("pages:help_now"))
    if code in crisis.crisis_locales():
        response.set_cookie(
            crisis.COOKIE_NAME,
            code,
            max_age=ONE_YEAR,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        messages.success(request, _("These lines will be shown first on this device."))
    else:
        messages.error(request, _("Please choose a country or region from the list."))
    return response
