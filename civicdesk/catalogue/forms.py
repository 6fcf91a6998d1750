"""Input forms: they parse and range-check what was typed; the rules live in services."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.catalogue.models import (
    MAX_VISITS_RECORDED,
    ApplicantType,
    Channel,
    OnlineAvailability,
    ServiceItem,
    VisitsNeeded,
)

MAX_PERIOD_DAYS = 3 * 366


class RecordForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Service item"), queryset=ServiceItem.objects.active(), to_field_name="code"
    )
    unit = forms.ModelChoiceField(label=_("Window"), queryset=Unit.objects.none())
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect
    )
    visits = forms.IntegerField(
        label=_("Visits made"),
        min_value=0,
        max_value=MAX_VISITS_RECORDED,
        help_text=_("At least 1 at the window; 0 when handled fully online."),
    )
    completed_on_spot = forms.BooleanField(label=_("Completed on the spot"), required=False)
    applicant_type = forms.ChoiceField(
        label=_("Applicant"),
        choices=[("", _("Not recorded")), *ApplicantType.choices],
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "You cannot record service cases for this window."
        )


class ItemForm(forms.Form):
    code = forms.SlugField(label=_("Item code"), max_length=40)
    name = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=160, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.active(), required=False
    )
    materials = forms.CharField(
        label=_("Required materials"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One per line."),
    )
    legal_days = forms.IntegerField(
        label=_("Legal time limit (working days)"), min_value=1, max_value=365
    )
    promised_days = forms.IntegerField(
        label=_("Promised time limit (working days)"), min_value=1, max_value=365
    )
    online = forms.ChoiceField(label=_("Online availability"), choices=OnlineAvailability.choices)
    max_visits = forms.TypedChoiceField(
        label=_("Visits needed at most"), choices=VisitsNeeded.choices, coerce=int
    )
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen dates (inclusive), defaulting to the last 90 days."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=89)
        return start, end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        return data
