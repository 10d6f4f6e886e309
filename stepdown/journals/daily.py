"""A journal day as numbers: mg per drug and the diazepam-equivalent range across sources.

Shared by the chart, its data table, the exports and the signature, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stepdown.tapering.amounts import format_mg
from stepdown.tapering.catalogue import load_catalogue
from stepdown.tapering.equivalence import diazepam_equivalent
from stepdown.tapering.errors import TaperInputError

from .models import Entry


def drug_name(drug_id: str) -> str:
    """The catalogue's name for a drug id (the id itself if the catalogue no longer has it)."""
    drug = load_catalogue().drugs.get(drug_id)
    return drug.name if drug else drug_id


def drug_choices() -> list[tuple[str, str]]:
    """(id, name) for every drug of the catalogue, by name."""
    drugs = load_catalogue().drugs.values()
    return sorted(((d.id, d.name) for d in drugs), key=lambda choice: choice[1])


def mg_text(value: Decimal | None) -> str:
    return "" if value is None else format_mg(value)


@dataclass(frozen=True)
class DrugTotal:
    drug_id: str
    name: str
    mg: Decimal


@dataclass(frozen=True)
class DayRow:
    day: date
    entry: Entry
    totals: tuple[DrugTotal, ...]  # mg taken per drug that day, in order of first dose
    # Sum over the day's drugs of the lowest and highest diazepam equivalent the sources give;
    # None when the day records no dose information or a figure cannot be computed.
    diazepam_low: Decimal | None
    diazepam_high: Decimal | None

    @property
    def symptom_score(self) -> int:
        return self.entry.symptom_score

    @property
    def has_dose_information(self) -> bool:
        return self.entry.no_dose_taken or bool(self.totals)

    def mg_of(self, drug_id: str) -> Decimal | None:
        """mg of ``drug_id`` that day: 0 when the day records doses without it, None if unknown."""
        for total in self.totals:
            if total.drug_id == drug_id:
                return total.mg
        return Decimal(0) if self.has_dose_information else None

    @property
    def diazepam_text(self) -> str:
        if self.diazepam_low is None or self.diazepam_high is None:
            return ""
        if self.diazepam_low == self.diazepam_high:
            return mg_text(self.diazepam_low)
        return f"{mg_text(self.diazepam_low)}–{mg_text(self.diazepam_high)}"


def totals_by_drug(entry: Entry) -> tuple[DrugTotal, ...]:
    """mg per drug for one entry (doses prefetched), in the order the drugs were first logged."""
    sums: dict[str, Decimal] = {}
    for dose in entry.doses.all():
        sums[dose.drug_id] = sums.get(dose.drug_id, Decimal(0)) + dose.mg
    return tuple(DrugTotal(drug_id, drug_name(drug_id), mg) for drug_id, mg in sums.items())


def diazepam_range(totals: Iterable[DrugTotal]) -> tuple[Decimal, Decimal] | None:
    """The day's diazepam-equivalent range: sums of each drug's low and high figures."""
    low = high = Decimal(0)
    for total in totals:
        try:
            equivalence = diazepam_equivalent(total.drug_id, total.mg)
        except TaperInputError:  # a drug or bound the catalogue has since changed
            return None
        low += equivalence.low_mg
        high += equivalence.high_mg
    return low, high


def day_row(entry: Entry) -> DayRow:
    totals = totals_by_drug(entry)
    bounds = diazepam_range(totals) if (totals or entry.no_dose_taken) else None
    return DayRow(
        day=entry.day,
        entry=entry,
        totals=totals,
        diazepam_low=bounds[0] if bounds else None,
        diazepam_high=bounds[1] if bounds else None,
    )


def day_rows(entries: Iterable[Entry]) -> list[DayRow]:
    """One row per entry, oldest first."""
    return sorted((day_row(entry) for entry in entries), key=lambda row: row.day)


def drugs_in(rows: Iterable[DayRow]) -> list[DrugTotal]:
    """Each drug appearing in ``rows`` once (mg unused), in order of first appearance."""
    seen: dict[str, DrugTotal] = {}
    for row in rows:
        for total in row.totals:
            seen.setdefault(total.drug_id, total)
    return list(seen.values())
