"""``stepdown send_digests``: send the daily and weekly summaries that are due, now.

The worker does this by itself (``notifications.tasks.digest_tick``, hourly while anything is
pending); this command is for sites that prefer cron, or to check by hand. It sends in this
process, so it needs no worker. A summary that fails to send stays pending for the next run.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from stepdown.notifications import emails


class Command(BaseCommand):
    help = "Send the daily and weekly notification summaries that are due (for cron)."

    def handle(self, *args, **options):
        sent = failed = 0
        for user_id in emails.due_digest_members():
            try:
                outcome = emails.send_digest(user_id)
            except emails.SEND_FAILURES as error:
                failed += 1
                self.stderr.write(f"Summary for member {user_id} not sent ({error!r}); kept.")
                continue
            sent += outcome.status == "sent"
        if options["verbosity"]:
            self.stdout.write(f"Sent {sent} summary email(s); {failed} could not be sent.")
        if failed:
            raise CommandError(
                f"{failed} summary email(s) failed; they stay pending for next time."
            )
