from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .actions import ArticleDetails

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


def normalise_doi(value: str) -> str:
    """Accept a bare DOI, a doi: form or a doi.org link; return the bare DOI."""
    value = value.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Your message"))
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", settings.STEPDOWN_BODY_MAX_LENGTH)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Please write something before posting."),
                "max_length": _(
                    "This message is too long: at most %(limit_value)d characters "
                    "(it has %(show_value)d). Nothing was lost; shorten it or split it in two."
                ),
            },
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        super().__init__(**kwargs)


SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_submission_key() -> str:
    return uuid.uuid4().hex


class ComposerForm(forms.Form):
    body = BodyField(
        help_text=_(
            "Markdown works: **bold**, *italic*, > quote, - lists, [link](https://…). "
            "Hide a passage behind a content warning: a line :::cw Label, the text, then :::. "
            "Write @ and a member's name to mention them."
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # mentions.js offers members' names as the member types "@" and a few letters.
        self.fields["body"].widget.attrs["data-mentions-url"] = reverse("forum:member_suggest")

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Please write something before posting."))
        return body


class ReplyForm(ComposerForm):
    # A fresh random key per rendered form: sending the same form twice (double click, retry
    # after a dropped connection) posts once. Kept when the form comes back with an error.
    submission_key = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=new_submission_key
    )

    def clean_submission_key(self) -> str:
        key = self.cleaned_data["submission_key"].strip().lower()
        return key if SUBMISSION_KEY.match(key) else ""


class TopicForm(ReplyForm):
    tag = forms.CharField(
        label=_("Title tag"),
        max_length=40,
        required=False,
        help_text=_('A short label before the title, e.g. "Review, Nov/21".'),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=settings.STEPDOWN_TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Please give your topic a title."),
            "max_length": _(
                "The title is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    article_lookup = forms.CharField(
        label=_("Fill in from DOI or PubMed link"),
        max_length=500,
        required=False,
        help_text=_(
            "Paste a DOI (10.3390/neurolint13040059) or a PubMed link, then press "
            "\u201cFill in\u201d. Check the details before posting."
        ),
    )
    article_title = forms.CharField(label=_("Article title"), max_length=300, required=False)
    article_authors = forms.CharField(label=_("Authors"), max_length=500, required=False)
    article_source = forms.CharField(label=_("Journal or source"), max_length=200, required=False)
    article_published = forms.CharField(
        label=_("Publication date"),
        max_length=40,
        required=False,
        help_text=_("As the source gives it, e.g. 2021 or Nov 2021."),
    )
    article_doi = forms.CharField(
        label=_("DOI"),
        max_length=200,
        required=False,
        help_text=_("For example 10.3390/neurolint13040059."),
    )
    article_url = forms.CharField(
        label=_("Link to the full text"),
        max_length=500,
        required=False,
        help_text=_("An https:// address."),
    )
    article_abstract = forms.CharField(
        label=_("Abstract or summary"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    field_order = ["tag", "title", "body"]
    article_fields = (
        "article_title",
        "article_authors",
        "article_source",
        "article_published",
        "article_doi",
        "article_url",
        "article_abstract",
    )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Please give your topic a title."))
        return title

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().rstrip(":").strip()

    def clean_article_doi(self) -> str:
        doi = normalise_doi(self.cleaned_data["article_doi"])
        if doi and not DOI_PATTERN.match(doi):
            raise forms.ValidationError(
                _(
                    "This does not look like a DOI. A DOI starts with 10. and has a slash, "
                    "e.g. 10.3390/neurolint13040059."
                )
            )
        return doi

    def clean_article_url(self) -> str:
        url = self.cleaned_data["article_url"].strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Please give a full web address starting with https://.")
                ) from None
        return url

    def clean(self):
        cleaned = super().clean()
        given = [name for name in self.article_fields if cleaned.get(name)]
        if given:
            if not cleaned.get("article_title") and "article_title" not in self.errors:
                self.add_error(
                    "article_title", _("Please give the article's title, or clear the article.")
                )
            if (
                not cleaned.get("article_doi")
                and not cleaned.get("article_url")
                and "article_doi" not in self.errors
                and "article_url" not in self.errors
            ):
                self.add_error(
                    "article_url",
                    _("Please give a DOI or a link so others can read the full article."),
                )
        return cleaned

    def article(self) -> ArticleDetails | None:
        data = self.cleaned_data
        if not data.get("article_title"):
            return None
        return ArticleDetails(
            title=data["article_title"].strip(),
            authors=data["article_authors"].strip(),
            source=data["article_source"].strip(),
            published=data["article_published"].strip(),
            doi=data["article_doi"],
            url=data["article_url"],
            abstract=data["article_abstract"].strip(),
        )


class EditForm(ComposerForm):
    reason = forms.CharField(
        label=_("What changed"),
        max_length=200,
        required=False,
        help_text=_("Shown in the post's edit history, e.g. “fixed a typo”."),
    )
