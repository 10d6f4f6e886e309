"""Record where each upload is used, so members-only and unused images are no longer public.

Every upload that exists before this migration was served to anyone with its link, and may be in
any post, public ones included: it becomes "public" (first used when it was added), so no image
in an existing post breaks. Uploads added from now on start "unused".
"""

from django.db import migrations, models
from django.db.models import F


def mark_existing_public(apps, schema_editor):
    Upload = apps.get_model("uploads", "Upload")
    Upload.objects.all().update(audience="public", first_used_at=F("created"))


class Migration(migrations.Migration):
    dependencies = [
        ("uploads", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="upload",
            name="audience",
            field=models.CharField(
                choices=[
                    ("unused", "Not in a post yet: only the member who added it"),
                    ("members", "In members-only posts: signed-in members"),
                    ("public", "In a public post: everyone"),
                ],
                default="unused",
                max_length=10,
                verbose_name="who may see it",
            ),
        ),
        migrations.AddField(
            model_name="upload",
            name="first_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first shown in a post"),
        ),
        migrations.RunPython(mark_existing_public, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="upload",
            index=models.Index(fields=["audience", "created"], name="upload_audience_created"),
        ),
    ]
