from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.evaluation.models import AnswerChannel, Satisfaction

MAX_PERIOD_DAYS = 366
YES_NO = [("yes", _("Yes, it was solved")), ("no", _("No, it was not solved"))]


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"since": today.replace(day=1), "until": today}

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                raise forms.ValidationError(_("The period must end on or after its first day."))
            if (until - since).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most one year."))
        return data

    def period(self) -> tuple[date, date]:
        """First day and the day after the last one."""
        return self.cleaned_data["since"], self.cleaned_data["until"] + timedelta(days=1)


class MonthlyForm(forms.Form):
    """Month (YYYY-MM, not in the future), unit (blank: all the units offered) and format."""

    FORMATS = [("xlsx", "XLSX"), ("docx", "DOCX")]

    month = forms.CharField(
        label=_("Month"),
        max_length=20,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="xlsx", required=False)

    def __init__(self, *args, units=(), all_units=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.code: unit for unit in units}
        choices = [(code, unit.name) for code, unit in self.units.items()]
        if all_units:
            choices.insert(0, ("", _("All units")))
        self.fields["unit"].choices = choices
        if not all_units:
            self.fields["unit"].required = True
            self.fields["unit"].initial = next(iter(self.units), "")

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        try:
            year, month = (int(part) for part in text.split("-"))
            if len(text) != 7 or year < 1000:
                raise ValueError
            chosen = date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a month as YYYY-MM, for example 2025-03.")
            ) from None
        if chosen > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("The month may not be in the future."))
        return chosen

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or "xlsx"

    def chosen_units(self) -> list | None:
        """The unit asked for, or None for all of them."""
        code = self.cleaned_data.get("unit")
        return [self.units[code]] if code else None


class FollowUpForm(forms.Form):
    solved = forms.ChoiceField(
        label=_("Was the problem solved?"), choices=YES_NO, widget=forms.RadioSelect
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how your report was handled?"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea
    )

    def answer(self) -> dict:
        return {
            "solved": self.cleaned_data["solved"] == "yes",
            "satisfaction": self.cleaned_data.get("satisfaction"),
            "comment": self.cleaned_data["comment"],
        }


class CallForm(FollowUpForm):
    channel = forms.ChoiceField(
        label=_("How was this learned?"),
        choices=[(c.value, c.label) for c in (AnswerChannel.PHONE, AnswerChannel.VERIFIED)],
        initial=AnswerChannel.PHONE,
    )

    field_order = ["channel", "solved", "satisfaction", "comment"]

    def __init__(self, *args, may_call: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_call:
            # The reporter asked not to be contacted: no return call, only a verification.
            self.fields["channel"].choices = [
                (c, label)
                for c, label in self.fields["channel"].choices
                if c != AnswerChannel.PHONE
            ]
            self.fields["channel"].initial = AnswerChannel.VERIFIED
        self.fields["satisfaction"].required = False
        self.fields["satisfaction"].empty_value = None
        self.fields["satisfaction"].help_text = _("Leave empty for a staff verification.")
        self.fields["satisfaction"].widget = forms.Select(
            choices=[("", "—"), *Satisfaction.choices]
        )
