"""Seed the admin-editable crisis resources from stepdown/core/crisis.json (sources kept)."""

import json
from pathlib import Path

from django.db import migrations

CRISIS_JSON = Path(__file__).resolve().parents[2] / "core" / "crisis.json"


def seed(apps, schema_editor):
    CrisisLocale = apps.get_model("pages", "CrisisLocale")
    CrisisResource = apps.get_model("pages", "CrisisResource")
    if CrisisLocale.objects.exists():
        return
    raw = json.loads(CRISIS_JSON.read_text(encoding="utf-8"))
    for place, (code, entry) in enumerate(raw["locales"].items()):
        locale = CrisisLocale.objects.create(
            code=code, name=entry["name"], needs_check=bool(entry["needs_check"]), position=place
        )
        CrisisResource.objects.bulk_create(
            CrisisResource(
                locale=locale,
                position=number,
                name=item["name"],
                kind=item["kind"],
                call=item.get("call") or "",
                text=item.get("text") or "",
                url=item.get("url") or "",
                hours=item.get("hours") or "",
                source=item["source"],
            )
            for number, item in enumerate(entry["resources"])
        )


def unseed(apps, schema_editor):
    apps.get_model("pages", "CrisisLocale").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
