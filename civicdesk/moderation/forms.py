"""Forms of the public abuse report and of the moderators' actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.moderation.models import AbuseReason, ModerationAction, PublicField
from civicdesk.moderation.services import MAX_COMMENT, MAX_REASON


class AbuseReportForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Which text?"), choices=PublicField.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=AbuseReason.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, fields: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the texts the report has (an open report has no answer yet).
        self.fields["field"].choices = [
            (value, label) for value, label in PublicField.choices if value in fields
        ]
        if len(fields) == 1:
            self.fields["field"].initial = fields[0]


class ModerateForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ModerationAction.choices)
    replacement = forms.CharField(
        label=_("Public text instead (for an edit)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("Why nothing needs to change (optional)"), required=False, max_length=MAX_REASON
    )
