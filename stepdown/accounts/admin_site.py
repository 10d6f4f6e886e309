"""The admin pages, entered through the site's own sign-in and only with two-factor sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import has_two_factor


class StepdownAdminSite(admin.AdminSite):
    site_header = _("Stepdown administration")
    site_title = _("Stepdown admin")

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and has_two_factor(request.user)

    def login(self, request, extra_context=None):
        """Send everyone to the site's sign-in (rate limits, lockout, two-factor all apply)."""
        user = request.user
        next_url = request.GET.get("next") or reverse("admin:index")
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if user.is_active and user.is_staff and not has_two_factor(user):
            messages.warning(
                request,
                _("Admins need two-factor sign-in. Set it up here, then open the admin again."),
            )
            return redirect("mfa_index")
        messages.error(request, _("Your account has no access to the admin pages."))
        return redirect("forum:home")
