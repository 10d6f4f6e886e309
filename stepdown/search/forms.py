from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .query_syntax import MAX_QUERY_LENGTH, QueryProblem, parse

DATE_HELP = _("For example 2025-03-31.")


class SearchForm(forms.Form):
    """The search page's fields (GET). ``categories`` are those the searcher may read: the only
    ones offered, and the only ones accepted."""

    q = forms.CharField(
        label=_("Search for"),
        strip=True,
        # Room to type past the limit: the message says how long a search may be.
        max_length=MAX_QUERY_LENGTH * 2,
        error_messages={"required": _("Type a word or two to look for.")},
        # The syntax help is in the template (search/search.html, id "search-help").
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "search-help"}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    author = forms.CharField(
        label=_("Written by"),
        required=False,
        strip=True,
        max_length=150,
        help_text=_("A member's username."),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        help_text=DATE_HELP,
        error_messages={"invalid": _("Enter a date like 2025-03-31.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        help_text=DATE_HELP,
        error_messages={"invalid": _("Enter a date like 2025-03-31.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    FILTERS = ("category", "author", "date_from", "date_to")

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {category.slug: category for category in categories}
        self.fields["category"].choices = [("", _("All categories"))] + [
            (category.slug, category.name) for category in categories
        ]
        self.fields["category"].error_messages["invalid_choice"] = _(
            "Choose a category from the list."
        )
        self.fields["q"].error_messages["max_length"] = gettext(
            "Please shorten your search to %(max)d characters."
        ) % {"max": MAX_QUERY_LENGTH}

    def add_prefix(self, field_name):
        # The address says ?from= and ?to= (the fields' names avoid Python's keyword).
        return {"date_from": "from", "date_to": "to"}.get(field_name, field_name)

    def clean_q(self):
        text = self.cleaned_data["q"]
        try:
            self.cleaned_data["parsed"] = parse(text)
        except QueryProblem as problem:
            raise forms.ValidationError(problem.message) from None
        return text

    def clean_category(self):
        slug = self.cleaned_data["category"]
        return self.categories.get(slug) if slug else None

    def clean_author(self):
        name = self.cleaned_data["author"].removeprefix("@")
        if not name:
            return None
        members = get_user_model().objects.only("pk", "username")
        # The exact name from the unique index; failing that, the name in other capitals.
        member = members.filter(username=name).first()
        if member is None:
            member = members.filter(username__iexact=name).order_by("pk").first()
        if member is None:
            raise forms.ValidationError(
                _("No member goes by that name. Check the spelling, or leave it empty.")
            )
        return member

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("This date is before the “From” date."))
        return cleaned

    def full_clean(self):
        super().full_clean()
        # A browser's date field cannot show a date it does not understand: a mistyped one
        # comes back in a plain text field, as typed, beside the message.
        for name in ("date_from", "date_to"):
            if name in self.errors:
                self.fields[name].widget.input_type = "text"

    @property
    def filters_in_use(self) -> bool:
        """Whether the member chose a filter (or mistyped one): the filters then show open."""
        if not self.is_bound:
            return False
        return any(self.data.get(self.add_prefix(name)) for name in self.FILTERS)

    def date_range(self) -> tuple[datetime | None, datetime | None]:
        """[since, until) in the site's time zone: whole days, the "To" day included."""
        zone = timezone.get_current_timezone()
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        since = datetime.combine(start, time.min, tzinfo=zone) if start else None
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) if end else None
        return since, until
