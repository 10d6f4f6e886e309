from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stepdown.forum.approval import link_refusal
from stepdown.forum.forms import SUBMISSION_KEY, BodyField, new_submission_key

from . import recipients

MARKDOWN_HELP = _(
    "Markdown works: **bold**, *italic*, > quote, - lists, [link](https://…). "
    "Hide a passage behind a content warning: a line :::cw Label, the text, then :::."
)


class MessageForm(forms.Form):
    """A message: its text, and the random key that makes a repeated submission post once.

    With an ``author`` below trust level basic, the text may hold no links or images yet: the
    same rule as for posts (private messages are where sellers would go next).
    """

    body = BodyField(help_text=MARKDOWN_HELP)
    submission_key = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=new_submission_key
    )

    def __init__(self, *args, author=None, **kwargs):
        self.author = author
        super().__init__(*args, **kwargs)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Please write something before sending."))
        refusal = link_refusal(self.author, body) if self.author is not None else ""
        if refusal:
            raise forms.ValidationError(refusal)
        return body

    def clean_submission_key(self) -> str:
        key = self.cleaned_data["submission_key"].strip().lower()
        return key if SUBMISSION_KEY.match(key) else ""


class RecipientsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault(
            "error_messages", {"required": _("Please name at least one member to write to.")}
        )
        super().__init__(**kwargs)


class NewConversationForm(MessageForm):
    recipients = RecipientsField(
        label=_("To"),
        help_text=_("Member names, separated by commas, e.g. river, sam."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={
            "required": _("Please give the conversation a subject."),
            "max_length": _(
                "The subject is too long: at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    field_order = ["recipients", "subject", "body", "submission_key"]

    def __init__(self, *args, author, **kwargs):
        super().__init__(*args, author=author, **kwargs)

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Please give the conversation a subject."))
        return subject

    def clean_recipients(self) -> str:
        text = self.cleaned_data["recipients"]
        found = recipients.resolve(self.author, text, room=recipients.max_recipients())
        if found.problems:
            raise forms.ValidationError(found.problems)
        self.members = found.members
        return text


class InviteForm(forms.Form):
    usernames = RecipientsField(
        label=_("Members to add"),
        help_text=_("Member names, separated by commas. They will see the whole conversation."),
    )

    def __init__(self, *args, by, present_ids: frozenset[int], **kwargs):
        self.by = by
        self.present_ids = present_ids
        super().__init__(*args, **kwargs)

    def clean_usernames(self) -> str:
        text = self.cleaned_data["usernames"]
        room = recipients.max_participants() - len(self.present_ids)
        found = recipients.resolve(self.by, text, present_ids=self.present_ids, room=room)
        if found.problems:
            raise forms.ValidationError(found.problems)
        self.members = found.members
        return text
