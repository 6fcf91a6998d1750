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
        choices=[(c.value, c.label) for c in AnswerChannel if c != AnswerChannel.WEB],
        initial=AnswerChannel.PHONE,
    )

    field_order = ["channel", "solved", "satisfaction", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].required = False
        self.fields["satisfaction"].empty_value = None
        self.fields["satisfaction"].help_text = _("Leave empty for a staff verification.")
        self.fields["satisfaction"].widget = forms.Select(
            choices=[("", "—"), *Satisfaction.choices]
        )
