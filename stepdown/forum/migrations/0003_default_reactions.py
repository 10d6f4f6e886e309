"""Seed the default reactions; admins change, add, reorder or deactivate them later."""

from django.db import migrations
from django.utils.translation import gettext_noop

DEFAULTS = [
    ("like", gettext_noop("Like"), "img/reactions/like.svg"),
    ("thanks", gettext_noop("Thanks"), "img/reactions/thanks.svg"),
    ("hug", gettext_noop("Hug"), "img/reactions/hug.svg"),
    ("insightful", gettext_noop("Insightful"), "img/reactions/insightful.svg"),
]


def add_defaults(apps, schema_editor):
    ReactionKind = apps.get_model("forum", "ReactionKind")
    for position, (slug, label, icon) in enumerate(DEFAULTS, start=1):
        ReactionKind.objects.get_or_create(
            slug=slug, defaults={"label": label, "icon": icon, "position": position}
        )


def remove_defaults(apps, schema_editor):
    ReactionKind = apps.get_model("forum", "ReactionKind")
    ReactionKind.objects.filter(slug__in=[slug for slug, _, _ in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_reactions_and_revisions")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
