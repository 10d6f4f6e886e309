from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stepdown.forum.models import Category

from .audit import ACTION_LABELS, TARGET_TYPES
from .models import Outcome, Reason, SanctionKind, Status, TargetType
from .queries import QUEUE_MINE, QUEUE_WAITING, AuditFilters

LENGTH_MESSAGE = _("Please keep this to %(limit_value)d characters (it has %(show_value)d).")


def _text(label, *, required=True, max_length=2000, rows=3, help_text="", required_message=""):
    messages = {"max_length": LENGTH_MESSAGE}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the reason closest to what you saw.")},
    )
    details = forms.CharField(
        label=_("Anything the moderators should know"),
        required=False,
        max_length=2000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": LENGTH_MESSAGE},
    )


class ResolveForm(forms.Form):
    """Resolve a report, carrying out what was decided in the same step."""

    outcome = forms.ChoiceField(
        label=_("What to do"),
        choices=Outcome.choices,
        initial=Outcome.NO_ACTION,
        required=False,  # none chosen: nothing needed doing
        widget=forms.RadioSelect,
    )
    reason = _text(
        _("Reason the member reads"),
        required=False,
        max_length=1000,
        help_text=_("Needed for anything but “Nothing needed doing”: kind and clear."),
    )
    note = _text(
        _("Note for the other moderators"),
        required=False,
        help_text=_("What you found and did."),
    )
    points = forms.IntegerField(
        label=_("Warning points"), min_value=1, max_value=10, initial=1, required=False
    )
    suspend_days = forms.IntegerField(
        label=_("Suspension, in days"),
        min_value=1,
        max_value=3650,
        initial=7,
        required=False,
        help_text=_("Empty: until a moderator lifts it."),
    )

    def __init__(self, *args, target_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        from .actions import OUTCOMES_FOR

        allowed = OUTCOMES_FOR.get(target_type, (Outcome.NO_ACTION,))
        self.fields["outcome"].choices = [c for c in Outcome.choices if c[0] in allowed]

    def clean(self):
        data = super().clean()
        if "outcome" in data and not data["outcome"]:
            data["outcome"] = Outcome.NO_ACTION
        outcome = data.get("outcome")
        if outcome and outcome != Outcome.NO_ACTION and not data.get("reason", "").strip():
            self.add_error(
                "reason", _("Please give the reason: the member reads it with what was done.")
            )
        if outcome == Outcome.WARN and not data.get("points"):
            data["points"] = 1
        return data


class NoteForm(forms.Form):
    text = _text(
        _("Add a note"),
        required_message=_("Please write the note first."),
        help_text=_("Seen by moderators only."),
    )


QUEUE_STATUS_CHOICES = [
    (QUEUE_WAITING, _("waiting (open or being looked at)")),
    (Status.OPEN, _("open, nobody on it yet")),
    (Status.CLAIMED, _("being looked at")),
    (QUEUE_MINE, _("being looked at by me")),
    (Status.RESOLVED, _("resolved")),
]


class QueueFilterForm(forms.Form):
    """The queue's filters (GET): a bad value is ignored, never an error page."""

    status = forms.ChoiceField(
        label=_("Status"), choices=QUEUE_STATUS_CHOICES, required=False, initial=QUEUE_WAITING
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("any reason")), *Reason.choices], required=False
    )
    type = forms.ChoiceField(
        label=_("What"), choices=[("", _("anything")), *TargetType.choices], required=False
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": QUEUE_WAITING}
        return {
            "status": self.cleaned_data["status"] or QUEUE_WAITING,
            "reason": self.cleaned_data["reason"],
            "target_type": self.cleaned_data["type"],
        }


class ReasonForm(forms.Form):
    """The reason behind a moderator's action, kept in the audit log."""

    reason = _text(
        _("Why"),
        required=False,
        max_length=1000,
        help_text=_("Kept in the moderators' log."),
    )


class RequiredReasonForm(forms.Form):
    """For actions the member is told about: the reason is part of what they read."""

    reason = _text(
        _("Why"),
        max_length=1000,
        required_message=_("Please give the reason: the member reads it."),
        help_text=_("The member concerned reads it; it is also kept in the moderators' log."),
    )


class HideForm(RequiredReasonForm):
    reason = _text(
        _("Why"),
        max_length=200,
        required_message=_("Please give the reason: the member reads it."),
        help_text=_("Shown to the author with the hidden post, and kept in the moderators' log."),
    )


class MoveForm(ReasonForm):
    category = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=Category.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Please choose one of the categories listed.")},
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            categories if categories is not None else Category.objects.none()
        )


_TOPIC_NUMBER = re.compile(r"(?:/t/)?(\d{1,18})(?:/|$)")


class MergeForm(ReasonForm):
    into = forms.CharField(
        label=_("Merge into the topic"),
        max_length=500,
        help_text=_("Its address (…/t/123/its-title/) or its number."),
        error_messages={"required": _("Please give the topic to merge into.")},
    )

    def clean_into(self) -> int:
        value = self.cleaned_data["into"].strip()
        found = _TOPIC_NUMBER.search(value.split("?")[0].split("#")[0])
        if found is None:
            raise forms.ValidationError(
                _("That is not a topic's address or number. Copy it from the topic's page.")
            )
        return int(found.group(1))


class SplitForm(ReasonForm):
    title = forms.CharField(
        label=_("Title of the new topic"),
        max_length=200,
        error_messages={"required": _("Please give the new topic a title.")},
    )
    posts = forms.TypedMultipleChoiceField(
        label=_("Replies to move"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Please choose at least one reply to move."),
            "invalid_choice": _("Please choose among the replies shown."),
        },
    )
    category = forms.ModelChoiceField(
        label=_("In the category"),
        queryset=Category.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Please choose one of the categories listed.")},
    )

    def __init__(self, *args, posts=(), categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].choices = [(p.pk, p.pk) for p in posts]
        self.fields["category"].queryset = (
            categories if categories is not None else Category.objects.none()
        )


class WarningForm(forms.Form):
    reason = _text(
        _("Reason the member reads"),
        max_length=2000,
        rows=4,
        required_message=_("Please write the warning: what happened and what we ask."),
    )
    points = forms.IntegerField(
        label=_("Points"),
        min_value=1,
        max_value=10,
        initial=1,
        error_messages={"required": _("Please give the points (1 to 10).")},
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: never expires."),
    )


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"), choices=SanctionKind.choices, widget=forms.RadioSelect
    )
    reason = _text(
        _("Reason the member reads"),
        max_length=2000,
        rows=4,
        required_message=_("Please write the reason: the member reads it."),
    )
    days = forms.IntegerField(
        label=_("For how many days"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: until a moderator lifts it."),
    )

    def ends_at(self) -> datetime | None:
        days = self.cleaned_data.get("days")
        return timezone.now() + timedelta(days=days) if days else None


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET); a bad value is explained and the rest still applies."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    moderator = forms.CharField(
        label=_("Moderator"),
        required=False,
        max_length=150,
        help_text=_("A username, or “site” for automatic actions."),
    )
    member = forms.CharField(label=_("Member concerned"), required=False, max_length=150)
    target_type = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("anything")), *TARGET_TYPES.items()]
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Please give a date such as 2025-03-01.")},
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Please give a date such as 2025-03-01.")},
    )

    def __init__(self, *args, actions_in_use=(), **kwargs):
        super().__init__(*args, **kwargs)
        known = dict(ACTION_LABELS)
        for action in actions_in_use:
            known.setdefault(action, action)
        self.fields["action"].choices = [("", _("any action")), *sorted(known.items())]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("“Until” is before “From”: please swap them."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        since, until = valid.get("since"), valid.get("until")
        zone = timezone.get_current_timezone()
        return AuditFilters(
            action=valid.get("action") or "",
            moderator=(valid.get("moderator") or "").strip(),
            member=(valid.get("member") or "").strip(),
            target_type=valid.get("target_type") or "",
            since=datetime.combine(since, time.min, zone) if since else None,
            until=datetime.combine(until + timedelta(days=1), time.min, zone) if until else None,
        )
