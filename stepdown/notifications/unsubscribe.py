"""One-click unsubscribe from notification email (RFC 8058), without signing in.

Every notification email links here (``List-Unsubscribe``) with a signed token naming the member
(``emails.unsubscribe_token``). GET only asks (link checkers and previews open links; they must
not unsubscribe anyone); POST stops the email. Mail clients send that POST themselves, with no
cookies and no CSRF token, so this one view is exempt from CSRF: the signed token in the address
is what proves the request comes from the member's inbox (docs/security.md).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import actions, emails, queries
from .models import EmailFrequency


@csrf_exempt  # authenticated by the signed token instead; see the module docstring
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    member = emails.member_for_unsubscribe_token(token)
    if member is None:
        response = render(request, "notifications/unsubscribe_invalid.html", status=400)
    else:
        if request.method == "POST":
            actions.stop_email(member)
        stopped = queries.preferences_for(member).email_frequency == EmailFrequency.NONE
        response = render(
            request,
            "notifications/unsubscribe.html",
            {"member": member, "stopped": stopped, "just_stopped": request.method == "POST"},
        )
    # The token is a key to this member's email choice: keep it out of caches and referrers.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
