"""Forms of the taper tools. Every failure keeps what the member typed.

The generator checks the numbers (it knows the catalogue's limits and the supply); its errors
come back as ``TaperInputError``s and ``add_taper_error`` puts each next to the field it is about.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .amounts import format_mg, parse_amount
from .catalogue import load_catalogue
from .equivalence import convert, diazepam_equivalent
from .errors import TaperInputError
from .models import PlanMethod, Sharing
from .plan_display import TIME_LABELS
from .plan_inputs import DOSE_TIMES, SOLID_SUPPLIES, PlanInputs, Supply

HOLD_ROWS = (1, 2)
# Where a generator error belongs, by the ``field`` it names; unknown fields go to the top.
ERROR_FIELDS = {
    "drug": "drug",
    "method": "method",
    "cut": "cut",
    "interval_days": "interval_days",
    "start_date": "start_date",
    "target_mg": "target_mg",
    "crossover_stage_days": "crossover_stage_days",
    "supply": "supply",
    "form": "supply",
    "strengths": "strengths",
    "split": "split",
    "concentration": "mg_per_ml",
    "precision": "precision_ml",
    "holds": "hold_1_from",
}
OTHER_DRUG = "other"
_STRENGTH_SEPARATORS = re.compile(r"[;\s]+|,\s+")


def drug_choices(*, with_other: bool = False, blank: str | None = None) -> list[tuple[str, str]]:
    drugs = sorted(load_catalogue().drugs.values(), key=lambda drug: drug.name)
    choices = [("", blank)] if blank is not None else []
    choices += [(drug.id, drug.name) for drug in drugs]
    if with_other:
        choices.append((OTHER_DRUG, str(_("Another or street benzodiazepine (not listed)"))))
    return choices


def known_strengths(drug_id: str) -> list[str]:
    """The tablet and capsule strengths the catalogue lists for a drug, smallest first."""
    drug = load_catalogue().drugs.get(drug_id)
    if drug is None:
        return []
    values = {s for form in drug.forms if hasattr(form, "strengths_mg") for s in form.strengths_mg}
    return [format_mg(value) for value in sorted(values)]


def add_taper_error(form: forms.Form, error: TaperInputError) -> None:
    """Show a generator error next to the field it is about, or at the top of the form."""
    name = ERROR_FIELDS.get(error.field or "")
    if error.field and error.field.startswith("doses."):
        name = error.field.removeprefix("doses.")
    elif error.field == "doses":
        name = next((t for t in DOSE_TIMES if form.data.get(form.add_prefix(t))), None)
    if name not in form.fields:
        name = None
    form.add_error(name, error.message)


def _amount_field(label, help_text="", required=False, initial=None) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        initial=initial,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class EquivalenceForm(forms.Form):
    from_drug = forms.ChoiceField(label=_("Medicine you take"), choices=())
    mg = _amount_field(_("Dose in mg"), _("For example 0.5 or 20."), required=True)
    to_drug = forms.ChoiceField(label=_("Compare with"), choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_drug"].choices = drug_choices(with_other=True, blank="")
        self.fields["to_drug"].choices = drug_choices(blank=str(_("Diazepam only")))
        self.fields["from_drug"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not in Stepdown’s drug catalogue, so no conversion can be offered."
        )
        self.fields["to_drug"].error_messages["invalid_choice"] = self.fields[
            "from_drug"
        ].error_messages["invalid_choice"]

    def clean_from_drug(self) -> str:
        drug = self.cleaned_data["from_drug"]
        if drug == OTHER_DRUG:
            raise forms.ValidationError(
                _(
                    "Stepdown offers no conversion for street or unknown benzodiazepines: their "
                    "strength and contents vary, so no equivalent would be safe to rely on. "
                    "Please talk with a prescriber or pharmacist."
                )
            )
        return drug

    def clean(self):
        cleaned = super().clean()
        self.to_diazepam = self.to_other = None
        if self.errors:
            return cleaned
        source, target = cleaned["from_drug"], cleaned.get("to_drug")
        try:
            self.to_diazepam = diazepam_equivalent(source, cleaned["mg"].strip())
            if target and target != self.to_diazepam.to_drug_id and target != source:
                self.to_other = convert(source, cleaned["mg"].strip(), target)
        except TaperInputError as error:
            self.add_error("from_drug" if error.field == "drug" else "mg", error.message)
        return cleaned


class DrugForm(forms.Form):
    drug = forms.ChoiceField(label=_("Medicine to taper"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = drug_choices(blank="")
        self.fields["drug"].error_messages["invalid_choice"] = _(
            "This medicine is not in Stepdown’s catalogue, so no plan can be made for it."
        )


class PlanForm(forms.Form):
    title = forms.CharField(
        label=_("Name of the plan"),
        required=False,
        max_length=120,
        help_text=_("Only for you, e.g. “Clonazepam, autumn”. Left empty: drug and date."),
    )
    drug = forms.ChoiceField(label=_("Medicine"), choices=(), widget=forms.HiddenInput)
    morning = _amount_field(TIME_LABELS["morning"])
    midday = _amount_field(TIME_LABELS["midday"])
    evening = _amount_field(TIME_LABELS["evening"])
    night = _amount_field(TIME_LABELS["night"])
    method = forms.ChoiceField(
        label=_("Method"),
        choices=PlanMethod.choices,
        initial=PlanMethod.PROPORTIONAL,
        widget=forms.RadioSelect,
    )
    cut = _amount_field(
        _("Cut size"),
        _(
            "In % of the current dose (e.g. 10), or in mg of the daily dose for the fixed-amount "
            "method. For the daily micro-taper, the % spread over each interval."
        ),
        required=True,
        initial="10",
    )
    interval_days = forms.IntegerField(
        label=_("Days between cuts"),
        initial=14,
        help_text=_("Often 14 to 28 days."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    start_date = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the start date as a date, like 2027-01-04.")},
    )
    supply = forms.ChoiceField(
        label=_("Measured with"),
        choices=[
            ("tablet", _("Tablets")),
            ("orally_disintegrating_tablet", _("Orally disintegrating tablets")),
            ("capsule", _("Capsules")),
            ("liquid", _("A liquid (oral solution or suspension)")),
            ("exact", _("No rounding: show exact amounts")),
        ],
        initial="tablet",
        widget=forms.RadioSelect,
    )
    strengths = forms.MultipleChoiceField(
        label=_("Strengths you have"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    other_strengths = forms.CharField(
        label=_("Other strengths you have, in mg"),
        required=False,
        max_length=100,
        help_text=_("Separate them with spaces, e.g. 0.25 3."),
    )
    split = forms.ChoiceField(
        label=_("May the tablets be split?"),
        choices=[
            ("whole", _("No, whole tablets only")),
            ("halves", _("Into halves")),
            ("quarters", _("Into halves and quarters")),
        ],
        initial="whole",
        widget=forms.RadioSelect,
        help_text=_("Ask your pharmacist whether your tablets may be split."),
    )
    mg_per_ml = _amount_field(
        _("Liquid concentration, mg per mL"),
        _("For example 1 for 5 mg in 5 mL. One tablet in 100 mL: its mg divided by 100."),
    )
    precision_ml = _amount_field(
        _("Smallest amount you can measure, in mL"),
        _("With an oral syringe often 0.1."),
        initial="0.1",
    )
    hold_1_from = forms.DateField(
        label=_("Hold from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hold_1_days = forms.IntegerField(label=_("Extra days at that dose"), required=False)
    hold_2_from = forms.DateField(
        label=_("Second hold from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hold_2_days = forms.IntegerField(label=_("Extra days at that dose"), required=False)
    target_mg = _amount_field(
        _("Daily dose to stop at, in mg"),
        _("0 tapers to zero. Staying at a lower dose is an acceptable goal."),
        initial="0",
    )
    crossover_stage_days = forms.IntegerField(
        label=_("Days per switching stage (crossover only)"),
        required=False,
        help_text=_("Left empty: about a week, as in the NHS Scotland example."),
    )

    dose_fields = DOSE_TIMES
    hold_fields = (("hold_1_from", "hold_1_days"), ("hold_2_from", "hold_2_days"))

    def __init__(self, *args, drug_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.drug_id = drug_id
        self.fields["drug"].choices = drug_choices()
        self.fields["strengths"].choices = [(s, f"{s} mg") for s in known_strengths(drug_id)]
        self.fields["start_date"].initial = timezone.localdate()
        self.initial.setdefault("drug", drug_id)

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(time) or "").strip() for time in DOSE_TIMES) and not any(
            time in self.errors for time in DOSE_TIMES
        ):
            self.add_error(
                "morning", _("Enter your current dose for at least one time of day, in mg.")
            )
        for start_field, days_field in self.hold_fields:
            if bool(cleaned.get(start_field)) != (cleaned.get(days_field) is not None):
                if start_field not in self.errors and days_field not in self.errors:
                    self.add_error(
                        days_field if cleaned.get(start_field) else start_field,
                        _("Give a hold both a date and a number of days, or neither."),
                    )
        return cleaned

    def inputs(self) -> PlanInputs:
        """The valid form as generator input (call after ``is_valid()``)."""
        data = self.cleaned_data
        strengths = list(data["strengths"])
        strengths += [s for s in _STRENGTH_SEPARATORS.split(data["other_strengths"].strip()) if s]
        kind = data["supply"]
        supply = Supply(
            kind=kind,
            strengths=tuple(dict.fromkeys(strengths)) if kind in SOLID_SUPPLIES else (),
            split=data["split"] if kind in SOLID_SUPPLIES else "whole",
            mg_per_ml=data["mg_per_ml"].strip() if kind == "liquid" else "",
            precision_ml=(data["precision_ml"].strip() or "0.1") if kind == "liquid" else "0.1",
        )
        holds = tuple(
            (data[start], data[days])
            for start, days in self.hold_fields
            if data.get(start) and data.get(days) is not None
        )
        return PlanInputs(
            drug_id=data["drug"],
            doses={t: data[t].strip() for t in DOSE_TIMES if data[t].strip()},
            method=data["method"],
            cut=data["cut"].strip(),
            interval_days=data["interval_days"],
            start_date=data["start_date"],
            supply=supply,
            holds=holds,
            target_mg=data["target_mg"].strip() or "0",
            crossover_stage_days=data.get("crossover_stage_days"),
            title=data["title"].strip(),
        )


def initial_from_inputs(inputs: PlanInputs, *, start: date, doses: dict[str, str]) -> dict:
    """Form values that repeat an earlier plan's choices, from ``start`` with ``doses``."""
    supply = inputs.supply
    known = set(known_strengths(inputs.drug_id))
    initial = {
        "drug": inputs.drug_id,
        "method": inputs.method,
        "cut": inputs.cut,
        "interval_days": inputs.interval_days,
        "start_date": start,
        "supply": supply.kind,
        "strengths": [s for s in supply.strengths if s in known],
        "other_strengths": " ".join(s for s in supply.strengths if s not in known),
        "split": supply.split,
        "mg_per_ml": supply.mg_per_ml,
        "precision_ml": supply.precision_ml,
        "target_mg": inputs.target_mg,
        "crossover_stage_days": inputs.crossover_stage_days,
    }
    initial.update(doses)
    return initial


class ResumeForm(forms.Form):
    cut = _amount_field(_("Cut size"), required=True)
    interval_days = forms.IntegerField(
        label=_("Days between cuts"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    start_date = forms.DateField(
        label=_("Resume on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date as a date, like 2027-01-04.")},
    )

    def __init__(self, *args, previous: PlanInputs, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous
        self.fields["cut"].help_text = _(
            "Before the hold: %(cut)s %(unit)s every %(days)s days. Choose the same or smaller."
        ) % {"cut": previous.cut, "unit": unit, "days": previous.interval_days}
        self.fields["interval_days"].help_text = _("The same or more days than before.")

    def clean_cut(self) -> str:
        value = self.cleaned_data["cut"].strip()
        try:
            cut = parse_amount(value, what=str(_("the cut")), field="cut")
            before = parse_amount(self.previous.cut, what="", field="cut")
        except TaperInputError as error:
            raise forms.ValidationError(error.message) from None
        if cut > before:
            raise forms.ValidationError(
                _(
                    "Resuming uses the same cut or a smaller one than before the hold "
                    "(%(cut)s). For a different plan, use “Re-plan from today’s dose”."
                )
                % {"cut": self.previous.cut}
            )
        return value

    def clean_interval_days(self) -> int:
        days = self.cleaned_data["interval_days"]
        if days < self.previous.interval_days:
            raise forms.ValidationError(
                _("Resuming keeps at least %(days)s days between cuts, as before the hold.")
                % {"days": self.previous.interval_days}
            )
        return days


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(
        label=_("Who may see this plan"),
        choices=Sharing.choices,
        widget=forms.RadioSelect,
    )


class PrintForm(forms.Form):
    name = forms.CharField(
        label=_("Name to print on the plan"),
        required=False,
        max_length=100,
        help_text=_("Optional, e.g. for your prescriber. It is not saved."),
    )
