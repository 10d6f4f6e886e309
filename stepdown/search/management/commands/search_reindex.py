from django.core.management.base import BaseCommand

from stepdown.search.index import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every post, in batches (after an upgrade, a restore or "
        "changes made around the application). The forum stays usable while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="posts per batch (default 2000)"
        )

    def handle(self, *args, batch_size: int, **options):
        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"Indexed {done:,} of {total:,} posts")

        indexed = rebuild(batch_size=max(1, batch_size), progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"The search index holds {indexed:,} posts "
                "(removed, hidden and waiting ones left out)."
            )
        )
