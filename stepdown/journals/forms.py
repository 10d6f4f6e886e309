"""Journal forms. Every message says what to change; what the member typed is always kept."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from stepdown.tapering.amounts import MAX_DECIMAL_PLACES, format_mg
from stepdown.tapering.catalogue import load_catalogue
from stepdown.tapering.equivalence import check_dose
from stepdown.tapering.errors import TaperInputError

from .actions import DoseInput, EntryInput
from .consent import CONSENT_STATEMENT
from .daily import drug_choices, drug_name
from .models import Sharing, SignatureField, SleepQuality
from .symptoms import DOMAINS, RATINGS, SYMPTOMS, Symptom

MAX_DOSES_PER_DAY = 12
NOTES_MAX_LENGTH = 10_000
EARLIEST_DAY = date(1960, 1, 1)


def latest_allowed_day(today: date) -> date:
    # Members east of the site's time zone may already be in tomorrow: one day of grace.
    return today + timedelta(days=1)


def parse_day(text: str, *, today: date) -> date:
    """A journal day from "YYYY-MM-DD"; ValidationError with a plain message otherwise."""
    text = (text or "").strip()
    if not text:
        raise forms.ValidationError(_("Please choose a day."))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise forms.ValidationError(
            _("“%(text)s” is not a date on the calendar. Please choose a day like %(example)s.")
            % {"text": text, "example": today.isoformat()}
        ) from None
    if day > latest_allowed_day(today):
        raise forms.ValidationError(
            _("%(day)s is in the future. The journal is for days that have happened.")
            % {"day": day.isoformat()}
        )
    if day < EARLIEST_DAY:
        raise forms.ValidationError(_("Please choose a day after 1960."))
    return day


class DayForm(forms.Form):
    """ "Go to a day": the date picker on the journal page (GET)."""

    day = forms.CharField(label=_("Go to a day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: date, **kwargs) -> None:
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_day(self) -> date:
        return parse_day(self.cleaned_data["day"], today=self.today)


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _too_precise(number: Decimal) -> bool:
    exponent = number.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES


class DoseForm(forms.Form):
    """One dose actually taken: any amount is welcome, up-doses included."""

    drug = forms.ChoiceField(
        label=_("Drug"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not in Stepdown's drug list. Please choose one from the list. "
                "Street or unknown benzodiazepines are not listed; you can write about them in "
                "your notes."
            )
        },
    )
    mg = forms.CharField(
        label=_("mg taken"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    taken_at = forms.TimeField(
        label=_("Time of day"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Please enter a time like 08:00.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [("", _("Choose a drug"))] + drug_choices()

    def clean(self):
        cleaned = super().clean()
        drug_id, mg_text = cleaned.get("drug"), (cleaned.get("mg") or "").strip()
        if self.has_error("drug") or self.has_error("taken_at"):
            return cleaned
        if not drug_id and not mg_text:
            if cleaned.get("taken_at"):
                self.add_error("taken_at", _("Please add the drug and mg for this time."))
            return cleaned
        if not drug_id:
            self.add_error("drug", _("Please choose which drug this dose was."))
            return cleaned
        if not mg_text:
            self.add_error("mg", _("Please enter how many mg you took, like 0.5."))
            return cleaned
        cleaned["mg_value"] = self._clean_mg(drug_id, mg_text)
        return cleaned

    def _clean_mg(self, drug_id: str, text: str) -> Decimal | None:
        number = _decimal(text)
        message = None
        if number is None:
            message = _("Please enter the dose as a number of mg, like 0.5.")
        elif number < 0:
            message = _("A dose cannot be below zero. Please enter the mg you took, like 0.5.")
        elif number == 0:
            message = _(
                "0 mg is not a dose. If you took none this day, leave the dose rows empty and "
                "tick “I took no benzodiazepine this day”."
            )
        elif _too_precise(number):
            message = _("Please use at most %(places)s decimal places.") % {
                "places": MAX_DECIMAL_PLACES
            }
        elif number > load_catalogue().drug(drug_id).max_daily_mg:
            message = _over_the_bound(drug_id, text.strip())
        else:
            try:
                return check_dose(drug_id, number)
            except TaperInputError:
                message = _over_the_bound(drug_id, text.strip())
        self.add_error("mg", message)
        return None

    def dose(self) -> DoseInput | None:
        data = self.cleaned_data
        if not data.get("mg_value"):
            return None
        return DoseInput(data["drug"], data["mg_value"], data.get("taken_at"))


def _over_the_bound(drug_id: str, amount: str) -> str:
    return _(
        "%(mg)s mg of %(drug)s is more than Stepdown accepts (%(max)s mg a day). Please check "
        "the number and the unit (mg). This limit only catches typing slips; it is not medical "
        "advice."
    ) % {
        "mg": amount,
        "drug": drug_name(drug_id).lower(),
        "max": format_mg(load_catalogue().drug(drug_id).max_daily_mg),
    }


class BaseDoseFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        totals: dict[str, Decimal] = {}
        for form in self.forms:
            dose = form.dose()
            if dose:
                totals[dose.drug_id] = totals.get(dose.drug_id, Decimal(0)) + dose.mg
        for drug_id, total in totals.items():
            if total > load_catalogue().drug(drug_id).max_daily_mg:
                raise forms.ValidationError(
                    _("Together: %(message)s")
                    % {"message": _over_the_bound(drug_id, format_mg(total))}
                )

    def doses(self) -> tuple[DoseInput, ...]:
        return tuple(dose for form in self.forms if (dose := form.dose()))


def dose_formset_class(rows: int):
    return forms.formset_factory(
        DoseForm,
        formset=BaseDoseFormSet,
        extra=rows,
        max_num=MAX_DOSES_PER_DAY,
        validate_max=True,
        absolute_max=MAX_DOSES_PER_DAY,
    )


def _rating_field(symptom: Symptom) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=symptom.label,
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Please choose a rating from 0 to 4.")},
    )


class EntryForm(forms.Form):
    """A journal day; its doses come in ``self.doses``, a formset validated together."""

    no_dose_taken = forms.BooleanField(
        label=_("I took no benzodiazepine this day"),
        required=False,
        help_text=_("After reaching zero, keep logging: symptoms and sleep still count."),
    )
    sleep_hours = forms.CharField(
        label=_("Hours of sleep"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("For example 6.5."),
    )
    sleep_quality = forms.TypedChoiceField(
        label=_("How was your sleep?"),
        choices=SleepQuality.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    is_window = forms.BooleanField(
        label=_("Window"), required=False, help_text=_("A stretch of feeling better.")
    )
    is_wave = forms.BooleanField(
        label=_("Wave"), required=False, help_text=_("Symptoms flaring up for a while.")
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        strip=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only you can see your notes; they are never shared."),
        error_messages={
            "max_length": _(
                "Your notes are too long: at most %(limit_value)d characters (they have "
                "%(show_value)d). Nothing was lost; please shorten them."
            )
        },
    )

    def __init__(self, *args, dose_rows: int = 3, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for domain in DOMAINS:
            for symptom in domain.symptoms:
                self.fields[f"s_{symptom.id}"] = _rating_field(symptom)
        data = args[0] if args else kwargs.get("data")
        prefix_initial = kwargs.get("initial", {}).get("doses", [])
        self.doses = dose_formset_class(dose_rows)(data, initial=prefix_initial, prefix="dose")

    def symptom_groups(self):
        """[(domain, [bound fields])] in the guideline's domain order."""
        return [(domain, [self[f"s_{s.id}"] for s in domain.symptoms]) for domain in DOMAINS]

    def submitted_ratings(self) -> dict[str, int]:
        """Ratings as sent, valid or not: red flags are shown even when the form has errors."""
        ratings = {}
        for symptom_id in SYMPTOMS:
            value = self.data.get(f"s_{symptom_id}", "") if self.is_bound else ""
            if value in {"0", "1", "2", "3", "4"}:
                ratings[symptom_id] = int(value)
        return ratings

    def is_valid(self) -> bool:
        form_valid = super().is_valid()
        doses_valid = self.doses.is_valid()
        if form_valid and doses_valid and self.cleaned_data["no_dose_taken"] and self.doses.doses():
            self.add_error(
                "no_dose_taken",
                _(
                    "You ticked “I took no benzodiazepine this day” and also entered doses. "
                    "Please untick it or clear the doses."
                ),
            )
        return form_valid and doses_valid and not self.errors

    def clean_sleep_hours(self) -> Decimal | None:
        text = self.cleaned_data["sleep_hours"].strip()
        if not text:
            return None
        number = _decimal(text)
        if number is None or not 0 <= number <= 24:
            raise forms.ValidationError(_("Please enter hours of sleep from 0 to 24, like 6.5."))
        return number.quantize(Decimal("0.1"))

    def entry_input(self) -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            doses=self.doses.doses(),
            no_dose_taken=data["no_dose_taken"],
            symptoms={
                s_id: data[f"s_{s_id}"] for s_id in SYMPTOMS if data[f"s_{s_id}"] is not None
            },
            sleep_hours=data["sleep_hours"],
            sleep_quality=data["sleep_quality"],
            is_window=data["is_window"],
            is_wave=data["is_wave"],
            notes=data["notes"],
        )

    @property
    def error_count(self) -> int:
        count = sum(len(errors) for errors in self.errors.values())
        count += sum(len(errors) for errors in self.doses.errors)
        return count + len(self.doses.non_form_errors())


def entry_initial(entry) -> dict:
    """Form initial data from a saved entry (doses prefetched)."""
    if entry is None:
        return {}
    initial = {
        "no_dose_taken": entry.no_dose_taken,
        "sleep_hours": "" if entry.sleep_hours is None else format_mg(entry.sleep_hours),
        "sleep_quality": entry.sleep_quality,
        "is_window": entry.is_window,
        "is_wave": entry.is_wave,
        "notes": entry.notes,
        "doses": [
            {"drug": d.drug_id, "mg": format_mg(d.mg), "taken_at": d.taken_at}
            for d in entry.doses.all()
        ],
    }
    initial.update({f"s_{s_id}": value for s_id, value in entry.symptoms.items()})
    return initial


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=CONSENT_STATEMENT,
        error_messages={
            "required": _(
                "Please tick the box to agree, or leave this page: nothing is kept without your "
                "consent."
            )
        },
    )


class ShareForm(forms.Form):
    sharing = forms.ChoiceField(
        label=_("Who may see your chart"),
        choices=Sharing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose who may see your chart.")},
    )


class SignatureForm(forms.Form):
    enabled = forms.BooleanField(label=_("Show my taper signature under my posts"), required=False)
    show = forms.MultipleChoiceField(
        label=_("What to show"),
        choices=SignatureField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    drug = forms.ChoiceField(label=_("Which drug"), required=False)

    def __init__(self, *args, drug_ids: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [("", _("The first drug I logged"))] + [
            (drug_id, drug_name(drug_id)) for drug_id in drug_ids
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not cleaned.get("show"):
            self.add_error("show", _("Please choose at least one thing to show."))
        return cleaned


class WithdrawForm(forms.Form):
    also_delete = forms.BooleanField(
        label=_("Also delete my journal now (this cannot be undone)"), required=False
    )


class DeleteJournalForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my journal is deleted for good"),
        error_messages={"required": _("Please tick the box to confirm. Nothing was deleted.")},
    )
