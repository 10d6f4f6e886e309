"""Moderation's part of "Download my data" and of account deletion.

Export: the reports the member filed (what, why, their words, where it stands), and the
warnings, suspensions and bans they received. Deletion keeps
those reports for the moderators, without the reporter (the foreign key is set to null); reports
about the member's content stay too, their ``target_author`` cleared the same way.
"""

from __future__ import annotations

from typing import Any

from stepdown.core.personal_data import PersonalDataProvider

from .models import Report, Sanction, Warning


def export_moderation(user) -> dict[str, Any]:
    return {
        "reports_filed": [
            {
                "target_type": report.target_type,
                "target_id": report.target_id,
                "reason": report.reason,
                "details": report.details,
                "status": report.status,
                "reported_at": report.created_at.isoformat(),
            }
            for report in Report.objects.filter(reporter=user).order_by("created_at", "pk")
        ],
        # What the moderators told the member: warnings and pauses on their account.
        "warnings_received": [
            {
                "reason": warning.reason,
                "points": warning.points,
                "issued_at": warning.created_at.isoformat(),
                "expires_at": warning.expires_at.isoformat() if warning.expires_at else None,
                "acknowledged_at": (
                    warning.acknowledged_at.isoformat() if warning.acknowledged_at else None
                ),
            }
            for warning in Warning.objects.filter(member=user).order_by("created_at", "pk")
        ],
        "suspensions_and_bans": [
            {
                "kind": sanction.kind,
                "reason": sanction.reason,
                "starts_at": sanction.starts_at.isoformat(),
                "ends_at": sanction.ends_at.isoformat() if sanction.ends_at else None,
                "lifted_at": sanction.lifted_at.isoformat() if sanction.lifted_at else None,
            }
            for sanction in Sanction.objects.filter(member=user).order_by("starts_at", "pk")
        ],
    }


def erase_moderation(user, *, keep_posts: bool) -> None:
    Report.objects.filter(reporter=user).update(reporter=None)


provider = PersonalDataProvider(name="moderation", export=export_moderation, erase=erase_moderation)
