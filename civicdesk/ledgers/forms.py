"""Input forms of the ledger pages: they check and clean input, services do the rest."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.intake.validation import clean_credit_code
from civicdesk.ledgers.models import Disclosure, Section, Stage, UtilityKind

DATE = forms.DateInput(attrs={"type": "date"})


def _units():
    return Unit.objects.active()


class PromiseForm(forms.Form):
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=40)
    promise = forms.CharField(
        label=_("What was promised"), widget=forms.Textarea(attrs={"rows": 3})
    )
    promised_on = forms.DateField(label=_("Promised on"), widget=DATE)
    document = forms.CharField(label=_("Document"), max_length=300, required=False)
    amount_owed = forms.DecimalField(
        label=_("Amount owed (yuan)"), required=False, min_value=0, max_digits=16,
        decimal_places=2,
    )  # fmt: skip
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=_units())
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def clean_credit_code(self) -> str:
        return clean_credit_code(self.cleaned_data["credit_code"])

    def clean(self):
        data = super().clean()
        if (
            data.get("deadline")
            and data.get("promised_on")
            and (data["deadline"] < data["promised_on"])
        ):
            self.add_error("deadline", _("The deadline cannot be before the day of the promise."))
        return data


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DATE, initial=timezone.localdate)


class ConfirmForm(forms.Form):
    confirmed_on = forms.DateField(
        label=_("Confirmed by the enterprise on"), widget=DATE, initial=timezone.localdate
    )


class BacklogForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=80)
    court_or_agency = forms.CharField(label=_("Court or agency"), max_length=200)
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False
    )
    filed_on = forms.DateField(label=_("Filing date"), widget=DATE)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.FILED)
    target_close_on = forms.DateField(label=_("Target closing date"), widget=DATE, required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE, required=False)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=_units(), required=False)

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip()
        return clean_credit_code(code) if code else ""


class BacklogUpdateForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    target_close_on = forms.DateField(label=_("Target closing date"), widget=DATE, required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The workbook is larger than 10 MB."))
        return upload


class UtilityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UtilityKind.choices)
    unit = forms.ModelChoiceField(label=_("Utility's unit"), queryset=_units())


class DisclosureForm(forms.Form):
    service_standards = forms.CharField(label=_("Service standards"), widget=forms.Textarea)
    procedures = forms.CharField(label=_("Procedures"), widget=forms.Textarea)
    fees = forms.CharField(label=_("Fees"), widget=forms.Textarea)
    legal_conditions = forms.CharField(label=_("Legal conditions"), widget=forms.Textarea)


class DeviationForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Published version"), queryset=Disclosure.objects.none(), required=False
    )
    section = forms.ChoiceField(
        label=_("Which part of the standard"),
        choices=[*Section.choices, ("other", _("Other"))],
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what the utility did and how it differs from what it published."),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=80, required=False)
    contact_phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Email (optional)"), required=False)

    def __init__(self, *args, utility, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        field.queryset = utility.disclosures.order_by("-version")
        field.label_from_instance = lambda d: (
            _("Version %(version)d of %(date)s")
            % {
                "version": d.version,
                "date": timezone.localtime(d.published_at).date().isoformat(),
            }
        )
        latest = utility.latest_disclosure()
        if latest:
            field.initial = latest.pk
