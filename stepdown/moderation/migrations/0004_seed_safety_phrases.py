"""The safety net's first phrases: our own starting list, for admins to adjust.

Written for this community, not taken from a published list. It looks for first-person words
of suicide and self-harm, and for arranging to buy, sell or swap medicines. It errs towards
noticing (the author only sees a gentle panel with crisis lines, and a moderator takes a look),
but leaves out words people here use every day in other senses ("withdrawal is killing me",
"suicide risk" in a study, "where can I buy a pill cutter"). It needs review by people with
lived experience and by the moderators before a community relies on it; admins edit it under
Moderation > Safety phrases. Matching: whole words, any case, "*" at the end of a word matches
any ending, an apostrophe is optional.
"""

from django.db import migrations

CRISIS = [
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "end it all",
    "take my own life",
    "taking my own life",
    "want to die",
    "wanna die",
    "wish I was dead",
    "wish I were dead",
    "don't want to live",
    "don't want to be alive",
    "don't want to be here anymore",
    "better off dead",
    "better off without me",
    "no reason to live",
    "nothing to live for",
    "can't go on living",
    "suicidal",
    "commit suicide",
    "thinking about suicide",
    "thoughts of suicide",
    "suicide plan",
    "suicide note",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "self harm*",
    "cut myself",
    "cutting myself",
    "overdose on purpose",
    "take all my pills",
    "take all the pills",
]

RULE = [
    "buy* benzo*",
    "buy* xanax",
    "buy* valium",
    "buy* klonopin",
    "buy* ativan",
    "buy* diazepam",
    "buy* alprazolam",
    "buy* clonazepam",
    "buy* lorazepam",
    "sell* benzo*",
    "sell* xanax",
    "sell* valium",
    "sell* pills",
    "sell* my pills",
    "pills for sale",
    "no prescription needed",
    "no script needed",
    "online pharmacy",
    "dark web",
    "darknet",
    "message me for pills",
    "dm me for pills",
    "spare pills",
    "swap pills",
    "trade pills",
    "discreet shipping",
    "ships worldwide",
]

NOTE = "Starting list (needs review by people with lived experience)"


def seed(apps, schema_editor):
    SafetyPhrase = apps.get_model("moderation", "SafetyPhrase")
    SafetyPhrase.objects.bulk_create(
        [SafetyPhrase(kind="crisis", phrase=phrase, note=NOTE) for phrase in CRISIS]
        + [SafetyPhrase(kind="rule", phrase=phrase, note=NOTE) for phrase in RULE],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    SafetyPhrase = apps.get_model("moderation", "SafetyPhrase")
    SafetyPhrase.objects.filter(note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_report_notes_outcome")]

    operations = [migrations.RunPython(seed, unseed)]
