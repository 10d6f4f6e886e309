"""Exceptions raised by the taper tools.

Two families. ``CatalogueError`` means the shipped data is broken and a developer must fix the
JSON. ``TaperInputError`` and its subclasses mean a member's input cannot be used: the message is
written for the member, ``field`` names the input it belongs to (so a form can show it next to
what they typed) and ``code`` is a stable identifier a view can translate.
"""


class CatalogueError(Exception):
    """The drug catalogue data is malformed; the message names the drug (or section) and field."""


class TaperInputError(ValueError):
    """Input a member can correct. ``str(error)`` is a plain-language message for them."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownDrug(TaperInputError):
    """The drug is not in the catalogue, so no equivalent or plan can be offered for it."""

    code = "unknown_drug"


class DoseError(TaperInputError):
    """A dose is missing, not a number, zero or below, or above the catalogue's sanity bound."""

    code = "bad_dose"


class PlanError(TaperInputError):
    """Any input the plan generator cannot use; the subclasses say which kind."""

    code = "bad_plan"


class PlanDrugError(PlanError, UnknownDrug):
    """The plan names a drug the catalogue does not have."""

    code = "unknown_drug"


class PlanDoseError(PlanError, DoseError):
    """A dose, cut or target given to the plan generator is not usable."""

    code = "bad_dose"


class PlanDateError(PlanError):
    """A start date or hold cannot be placed on the calendar of the plan."""

    code = "bad_date"


class StrengthError(PlanError):
    """The available tablets or liquid cannot make a dose the plan needs."""

    code = "cannot_make_dose"


class CutSizeError(PlanError):
    """The cut size or interval is outside the range the generator accepts."""

    code = "bad_cut"


class MethodError(PlanError):
    """The method is unknown or does not fit the other input (e.g. liquid titration, no liquid)."""

    code = "bad_method"


class PlanTooLongError(PlanError):
    """The plan would need more steps or years than the generator's safety cap allows."""

    code = "plan_too_long"
