"""Show the emails Stepdown wrote to the data directory (when no EMAIL_URL is set)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

SEPARATOR = "-" * 79


def stored_messages(mail_dir: Path) -> list[email.message.EmailMessage]:
    """Every message Django's file email backend wrote to ``mail_dir``, oldest first."""
    if not mail_dir.is_dir():
        return []
    found = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_text(errors="replace").split(f"\n{SEPARATOR}\n"):
            if chunk.strip():
                found.append(email.message_from_string(chunk.lstrip(), policy=email.policy.default))
    return found


def readable_body(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


class Command(BaseCommand):
    help = "Show the newest email written to the data directory, or list them with --list."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list every stored email")
        parser.add_argument("--to", help="only emails sent to this address")

    def handle(self, *args, **options):
        if getattr(settings, "EMAIL_FILE_PATH", None) is None:
            self.stdout.write("Email is sent by SMTP (EMAIL_URL is set); nothing is stored here.")
            return
        messages = stored_messages(Path(settings.EMAIL_FILE_PATH))
        if options["to"]:
            messages = [m for m in messages if options["to"].lower() in str(m["To"]).lower()]
        if not messages:
            self.stdout.write("No email yet.")
            return
        if options["list"]:
            for number, message in enumerate(messages, start=1):
                self.stdout.write(
                    f"{number}. {message['Date']}  to {message['To']}: {message['Subject']}"
                )
            return
        newest = messages[-1]
        self.stdout.write(
            f"From: {newest['From']}\nTo: {newest['To']}\n"
            f"Date: {newest['Date']}\nSubject: {newest['Subject']}\n"
        )
        self.stdout.write(readable_body(newest))
