"""Forms of the confidential-report pages: filing, filters, actions and the follow-up."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.core.templatetags.civic import local_name
from civicdesk.public.forms import phone_validator
from civicdesk.reports.models import Setting
from civicdesk.reports.services import NewReport
from civicdesk.reports.workflow import NOTE_REQUIRED, Action, Status


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u00a0\u00a0" * obj.depth + local_name(obj)


class _ReportForm(forms.Form):
    reported_unit = UnitChoiceField(
        label=_("Which unit is it about?"),
        queryset=Unit.objects.active(),
        empty_label=_("Choose a unit"),
    )
    official_name = forms.CharField(
        label=_("Official's name (if known)"), max_length=80, required=False
    )
    official_position = forms.CharField(
        label=_("Official's position (if known)"), max_length=120, required=False
    )
    description = forms.CharField(
        label=_("What happened?"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    place = forms.CharField(label=_("Where exactly?"), max_length=300, required=False)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe documents, receipts, messages or witnesses that back the report."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=80, required=False)
    contact_phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_validator]
    )
    contact_email = forms.EmailField(label=_("Email"), required=False)
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_occurred_on(self):
        value = self.cleaned_data.get("occurred_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if not value:
            raise forms.ValidationError(_("Say what happened."))
        return value

    def new_report(self) -> NewReport:
        data = self.cleaned_data
        return NewReport(
            **{name: data[name] for name in NewReport.__dataclass_fields__ if name in self.fields}
        )


class InactionReportForm(_ReportForm):
    """不作为乱作为: for the public and for staff who take one down."""


class IntermediaryReportForm(_ReportForm):
    """黑中介: anonymous by default; the unit is optional, where it happened is not."""

    setting = forms.ChoiceField(
        label=_("Where did it happen?"), choices=[("", "—"), *Setting.choices]
    )
    intermediary = forms.CharField(
        label=_("The intermediary (person or company, if known)"), max_length=200, required=False
    )

    field_order = [
        "setting",
        "reported_unit",
        "official_name",
        "official_position",
        "intermediary",
        "description",
        "occurred_on",
        "place",
        "evidence",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reported_unit"].required = False
        self.fields["reported_unit"].empty_label = _("I don't know")


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    unit = UnitChoiceField(
        label=_("Reported unit"),
        queryset=Unit.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )


class ActionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, action: str, **kwargs) -> None:
        super().__init__(*args, prefix=action, **kwargs)
        self.action = action
        if action == Action.SET_UNIT:
            self.fields = {
                "unit": UnitChoiceField(
                    label=_("Unit concerned"),
                    queryset=Unit.objects.active(),
                    required=False,
                    empty_label=_("Not known"),
                ),
                **self.fields,
            }
        if action in NOTE_REQUIRED:
            self.fields["note"].label = _("Finding")
        if action in NOTE_REQUIRED or action in {Action.NOTE, Action.REPLY}:
            self.fields["note"].required = True
        if action == Action.REPLY:
            self.fields["note"].label = _("Reply (the whistle-blower reads it)")
            self.fields["note"].help_text = _("Write nothing that could identify anyone.")

    @property
    def action_label(self) -> str:
        return Action(self.action).label


class FollowUpForm(forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=80,
        widget=forms.PasswordInput(
            render_value=True, attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class SupplementForm(FollowUpForm):
    text = forms.CharField(
        label=_("More information"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
