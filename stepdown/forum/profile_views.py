"""The member's own profile page: /account/profile/ (display name, about, picture, choices).

One URL, two renderings: the full page, and (for htmx) the about text's live preview. Without
JavaScript the "Preview" button shows the same preview in the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stepdown.core import ratelimit

from . import mentions, profiles
from .profile_forms import ProfileForm

TEMPLATE = "forum/profile_edit.html"


def _about_preview(request: HttpRequest) -> HttpResponse:
    """The about text as it will show, for the live preview (htmx)."""
    verdict = ratelimit.hit(request, "composer")
    if not verdict.allowed:
        response = render(
            request, "forum/_preview.html", {"preview": None, "paused": True}, status=429
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    about = request.POST.get("about", "")
    html = mentions.render_body(about).html if about.strip() else ""
    return render(request, "forum/_preview.html", {"preview": html})


@require_http_methods(["GET", "HEAD", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    """Edit one's profile. Bad input comes back with a message beside the field, the text kept
    (a chosen file must be chosen again: browsers never re-fill a file field)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = request.user
    if not member.is_active:
        raise Http404
    context = {"member": member, "shown": profiles.shown_parts(member, member)}
    if request.method != "POST":
        form = ProfileForm(initial=ProfileForm.initial_for(member))
        return render(request, TEMPLATE, {**context, "form": form, "preview": member.about_html})
    if "preview" in request.POST:
        if request.htmx:
            return _about_preview(request)
        form = ProfileForm(request.POST, member=member)
        about = request.POST.get("about", "")
        preview = mentions.render_body(about).html if about.strip() else ""
        return render(request, TEMPLATE, {**context, "form": form, "preview": preview})
    form = ProfileForm(request.POST, request.FILES, member=member)
    if request.FILES.get("avatar"):
        verdict = ratelimit.hit(request, "upload")
        if not verdict.allowed:
            response = render(
                request,
                TEMPLATE,
                {**context, "form": form, "retry_minutes": verdict.retry_minutes},
                status=429,
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
    if not form.is_valid():
        return render(request, TEMPLATE, {**context, "form": form}, status=400)
    profiles.save_profile(
        member,
        choices=form.choices(),
        new_avatar=form.cleaned_data["avatar"],
        remove_avatar=form.cleaned_data["remove_avatar"],
    )
    messages.success(request, _("Your profile is saved. This is your page as you see it."))
    return redirect("forum:member", username=member.username)
