"""Who may see and do what with journals.

A journal is its owner's alone unless they share the chart: with signed-in members, or with
anyone holding a secret link. `can_*` answer with a bool; `require_*` return the journal or raise
Http404, so nobody learns that a journal they may not see exists. Owner pages have no member in
their address (each member only ever reaches their own journal), so they need only sign-in and,
for writing, consent.
"""

from __future__ import annotations

from django.http import Http404

from .models import Journal, Sharing
from .queries import consent_given, has_consent


def can_keep_journal(user) -> bool:
    """Write entries, share or show a signature: signed in, active and consenting."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return has_consent(user)


def _shareable(journal: Journal) -> bool:
    """A journal is shown to others only while its owner is active and consenting."""
    if not journal.owner.is_active:
        return False
    return consent_given(journal.owner_id)


def can_view_shared_with_members(user, journal: Journal) -> bool:
    if not user.is_authenticated:
        return False
    if user.pk == journal.owner_id:
        return True  # the owner previews what members see
    if journal.sharing != Sharing.MEMBERS:
        return False
    return _shareable(journal)


def can_view_by_link(journal: Journal, token: str) -> bool:
    if journal.sharing != Sharing.LINK:
        return False
    if not journal.share_token or journal.share_token != token:
        return False
    return _shareable(journal)


def require_members_shared_journal(user, username: str) -> Journal:
    """``username``'s journal if they share it with members and ``user`` is signed in."""
    journal = Journal.objects.select_related("owner").filter(owner__username=username).first()
    if journal is None or not can_view_shared_with_members(user, journal):
        raise Http404("No such journal.")
    return journal


def require_link_shared_journal(token: str) -> Journal:
    """The journal a public link points at, while the link is on."""
    if not token or len(token) > 64:
        raise Http404("No such journal.")
    journal = Journal.objects.select_related("owner").filter(share_token=token).first()
    if journal is None or not can_view_by_link(journal, token):
        raise Http404("No such journal.")
    return journal
