"""The journal's symptom checklist: the symptom domains of the 2025 guideline, rated 0–4.

Source: Joint Clinical Practice Guideline on Benzodiazepine Tapering (ASAM and nine societies),
J Gen Intern Med 2025, doi:10.1007/s11606-025-09499-2, Table 3 (withdrawal symptoms by domain),
as summarised in shared/reference/tapering.md. The domains and symptoms are used licence-free as
a checklist; the 0–4 scale is Stepdown's own (none, mild, moderate, severe, very severe).

Symptom ids are stored in journal entries: never rename one, only add.

Red flags: a seizure, confusion, perceptual disturbance (hallucinations) or psychosis needs urgent
medical care; thoughts of suicide or self-harm need a crisis line. Any of them rated above 0 shows
the crisis and urgent-care resources at once (and the entry is still saved). No dose is ever
suggested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SOURCE = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering, Table 3 "
    "(J Gen Intern Med 2025, doi:10.1007/s11606-025-09499-2)"
)
SOURCE_URL = "https://doi.org/10.1007/s11606-025-09499-2"

URGENT = "urgent"  # urgent medical care: emergency number
CRISIS = "crisis"  # crisis line

RATINGS = (
    (0, _("0, none")),
    (1, _("1, mild")),
    (2, _("2, moderate")),
    (3, _("3, severe")),
    (4, _("4, very severe")),
)
MAX_RATING = 4


@dataclass(frozen=True)
class Symptom:
    id: str
    label: str
    red_flag: str | None = None  # URGENT, CRISIS or None


@dataclass(frozen=True)
class Domain:
    id: str
    label: str
    symptoms: tuple[Symptom, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "general",
        _("General"),
        (Symptom("headache", _("Headache")), Symptom("sweating", _("Sweating"))),
    ),
    Domain(
        "affective",
        _("Mood and feelings"),
        (
            Symptom("anxiety_panic", _("Anxiety or panic")),
            Symptom("low_mood", _("Low mood")),
            Symptom("irritability", _("Irritability")),
        ),
    ),
    Domain(
        "cardiovascular",
        _("Heart and chest"),
        (
            Symptom("chest_pain", _("Chest pain")),
            Symptom("palpitations", _("Palpitations (racing or pounding heart)")),
        ),
    ),
    Domain(
        "gastrointestinal",
        _("Stomach and gut"),
        (Symptom("gastrointestinal", _("Stomach or gut trouble (nausea, pain, upset)")),),
    ),
    Domain(
        "neurological",
        _("Brain and senses"),
        (
            Symptom("cognitive_problems", _("Trouble thinking, remembering or concentrating")),
            Symptom("confusion", _("Confusion"), URGENT),
            Symptom(
                "perceptual_disturbance",
                _("Perceptual disturbance, e.g. seeing or hearing things others do not"),
                URGENT,
            ),
            Symptom("seizure", _("Seizure (fit)"), URGENT),
            Symptom(
                "sensory_hypersensitivity",
                _("Sensitivity to light, sound, taste or smell"),
            ),
            Symptom("tingling", _("Tingling or pins and needles")),
            Symptom("tinnitus", _("Tinnitus (ringing in the ears)")),
        ),
    ),
    Domain(
        "neuromuscular",
        _("Muscles and movement"),
        (
            Symptom("balance", _("Balance problems")),
            Symptom("muscle_pain_spasm", _("Muscle pain or spasm")),
            Symptom("twitching", _("Twitching")),
            Symptom("tremor", _("Tremor (shaking)")),
        ),
    ),
    Domain(
        "neuropsychiatric",
        _("Restlessness and sense of self"),
        (
            Symptom(
                "restlessness_akathisia", _("Restlessness or akathisia (unable to keep still)")
            ),
            Symptom(
                "depersonalisation_derealisation",
                _("Depersonalisation or derealisation (feeling unreal or detached)"),
            ),
            Symptom("psychosis", _("Psychosis (losing touch with what is real)"), URGENT),
            Symptom("suicidality_self_harm", _("Thoughts of suicide or self-harm"), CRISIS),
        ),
    ),
    Domain(
        "sleep",
        _("Sleep"),
        (
            Symptom("insomnia", _("Insomnia")),
            Symptom("nightmares", _("Nightmares")),
            Symptom("oversleeping", _("Oversleeping")),
        ),
    ),
)

SYMPTOMS: dict[str, Symptom] = {s.id: s for domain in DOMAINS for s in domain.symptoms}


def clean_ratings(ratings: Mapping[str, object]) -> dict[str, int]:
    """Only known symptoms with whole ratings 0–4, in checklist order (unrated ones left out)."""
    cleaned = {}
    for symptom_id in SYMPTOMS:
        value = ratings.get(symptom_id)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_RATING:
            cleaned[symptom_id] = value
    return cleaned


def symptom_score(ratings: Mapping[str, int]) -> int:
    """The day's symptom score: the sum of the ratings given (0 to 4 × the number of symptoms)."""
    return sum(clean_ratings(ratings).values())


def max_score() -> int:
    return MAX_RATING * len(SYMPTOMS)


def red_flags(ratings: Mapping[str, int]) -> list[Symptom]:
    """The red-flag symptoms rated above 0, in checklist order."""
    return [
        SYMPTOMS[symptom_id]
        for symptom_id, value in clean_ratings(ratings).items()
        if value > 0 and SYMPTOMS[symptom_id].red_flag
    ]
