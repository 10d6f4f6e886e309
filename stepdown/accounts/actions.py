"""Every write to a member's account that Stepdown makes itself (allauth makes the others)."""

from __future__ import annotations

import logging
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string

from stepdown.core.personal_data import erase_personal_data

from .models import Block, User

logger = logging.getLogger(__name__)


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user`` on every device, whatever the session backend.

    Raising ``session_generation`` changes the hash each session carries, so each one is signed
    out on its next request. To keep the current device signed in, the view then stores the new
    hash in its session (``update_session_auth_hash``, which also gives it a fresh key).
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


def delete_member(user: User, *, keep_posts: bool) -> None:
    """Delete ``user`` and erase their personal data, all or nothing.

    Every registered personal-data provider (forum, later journals and conversations) erases its
    part first, with the member's choice to keep their posts as "former member" or remove them;
    then their stored sessions go, and the user row with everything tied to it (email addresses,
    two-factor authenticators, ...). A goodbye note goes to their primary verified address once
    the deletion is committed.
    """
    address = (
        EmailAddress.objects.filter(user=user, primary=True, verified=True)
        .values_list("email", flat=True)
        .first()
    )
    username = user.username
    with transaction.atomic():
        erase_personal_data(user, keep_posts=keep_posts)
        _delete_stored_sessions(user)
        # Anything a session still holds can no longer sign in: its user is gone.
        user.delete()
        if address:
            transaction.on_commit(
                lambda: _send_goodbye(address=address, username=username, keep_posts=keep_posts)
            )


def _delete_stored_sessions(user: User) -> None:
    """Delete the sessions of ``user`` where the session backend can list them.

    Database-backed sessions (``db``, ``cached_db``) have no user column, so each stored session
    is decoded; deletion is rare, so the scan is acceptable. Cache-only sessions cannot be listed:
    they stop working with the user row and expire with the cache.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return
    member_id = str(user.pk)
    decoder = store_class()
    keys = [
        session.session_key
        for session in store_class.get_model_class().objects.iterator(chunk_size=1000)
        if str(decoder.decode(session.session_data).get(SESSION_KEY)) == member_id
    ]
    for key in keys:
        store_class(session_key=key).delete()


def _send_goodbye(*, address: str, username: str, keep_posts: bool) -> None:
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "username": username,
        "keep_posts": keep_posts,
    }
    subject = render_to_string("accounts/email/goodbye_subject.txt", context).strip()
    body = render_to_string("accounts/email/goodbye_message.txt", context)
    try:
        send_mail(subject, body, None, [address])
    except Exception:
        # The account is already gone; a note that cannot be sent must not turn that into an error.
        logger.exception("Could not send the account deletion note")


def block_member(user: User, blocked: User) -> Block:
    """``user`` stops hearing from ``blocked``: no messages, mentions or notifications from
    them. Repeatable; the blocked member is not told. Blocking oneself is refused (ValueError)."""
    if user.pk == blocked.pk:
        raise ValueError("a member cannot block themselves")
    try:
        with transaction.atomic():
            block, _created = Block.objects.get_or_create(blocker=user, blocked=blocked)
    except IntegrityError:  # a concurrent request made it first
        block = Block.objects.get(blocker=user, blocked=blocked)
    return block


def unblock_member(user: User, blocked: User) -> bool:
    """Lift ``user``'s block of ``blocked``; True when there was one. Repeatable."""
    deleted, _detail = Block.objects.filter(blocker=user, blocked=blocked).delete()
    return bool(deleted)
