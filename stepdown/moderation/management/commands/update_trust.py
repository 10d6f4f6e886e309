"""`stepdown update_trust`: raise members' trust levels to what time and approved posts earned
them (see stepdown/moderation/trust.py). Run it daily, with the other housekeeping."""

from django.core.management.base import BaseCommand

from stepdown.moderation import trust


class Command(BaseCommand):
    help = "Raise members' trust levels to what time and approved posts earned them."

    def handle(self, *args, **options) -> None:
        risen = trust.update_all()
        self.stdout.write(f"{risen} member(s) moved up a trust level.")
