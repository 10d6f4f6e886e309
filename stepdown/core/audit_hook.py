"""Where apps below the moderation app write to the moderators' audit log.

The audit log (``stepdown.moderation.audit``) sits above the forum in the layer rule, so the
forum's own moderator paths (a moderator editing someone's post, recommending a reply, bringing
back an earlier revision) cannot import it. They call :func:`record` here instead; the
moderation app registers the real recorder from its ``AppConfig.ready()``:

    audit_hook.register(audit.record)

``record`` takes the keyword arguments of ``moderation.audit.record`` (actor, action,
target_type, target_id, target_label, member, reason, details) and is called inside the caller's
transaction, so the action and its entry are written together or not at all. Without a
registered recorder (a site without the moderation app) it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_recorder: Callable[..., Any] | None = None


def register(recorder: Callable[..., Any]) -> None:
    """Make ``recorder`` the one that writes audit entries (registering it again is harmless)."""
    global _recorder
    _recorder = recorder


def record(**entry: Any) -> Any:
    """Write one audit entry through the registered recorder; None when there is none."""
    if _recorder is None:
        return None
    return _recorder(**entry)
