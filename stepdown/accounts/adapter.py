from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .standing import is_banned


class AccountAdapter(DefaultAccountAdapter):
    """allauth, adjusted for Stepdown.

    Failed sign-ins are counted per account, not per typed string: "rowan" and "rowan@…" are the
    same account, so switching between them does not double an attacker's attempts. A password
    reset by email clears the account's count (allauth does that through the same key).
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many unsuccessful sign-in attempts for this account or from your network, so "
            "signing in is paused for 15 minutes. To sign in now, reset your password by email "
            "(“Forgot your password?”)."
        ),
    }

    def pre_login(self, request, user, **kwargs):
        """A banned member (``standing.is_banned``: the end date compared with now) is not
        signed in, whichever way they tried (password, passkey, a code by email); they read a
        calm page saying until when. Their existing sessions ended when the ban was made."""
        if is_banned(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return render(request, "accounts/sign_in_paused.html", {"member": user}, status=403)
        return super().pre_login(request, user, **kwargs)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        login = str(credentials.get("email") or credentials.get("username") or "")
        login = login.strip().lower()
        user_model = get_user_model()
        user_id = (
            user_model.objects.filter(username__iexact=login).values_list("pk", flat=True).first()
        )
        if user_id is None and "@" in login:
            user_id = (
                EmailAddress.objects.filter(email__iexact=login)
                .values_list("user_id", flat=True)
                .first()
            )
        return f"account:{user_id}" if user_id is not None else f"login:{login}"
