from django.core.management.base import BaseCommand

from stepdown.forum.demo import create_demo_community


class Command(BaseCommand):
    help = "Create the demo community (members, categories, topics) if the forum is empty."

    def handle(self, *args, **options):
        if create_demo_community():
            self.stdout.write("Created the demo community.")
        else:
            self.stdout.write("The forum already has categories; the demo was not added.")
