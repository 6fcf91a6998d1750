from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.training.access import staff_choices
from civicdesk.training.models import Contest, Session, StudyAssignment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _HoursForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active()
        self.fields["hours"].widget.attrs.update(step="0.5", min="0.5", max="100")

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is None or hours <= 0 or hours > 100:
            raise forms.ValidationError(_("Give a number above 0 and at most 100."))
        return hours


class SessionForm(_HoursForm):
    class Meta:
        model = Session
        fields = ["kind", "date", "topic", "speaker", "hours", "unit", "place"]
        widgets = {"date": DATE}


class AssignmentForm(_HoursForm):
    class Meta:
        model = StudyAssignment
        fields = ["title", "source", "assigned_on", "due_on", "hours", "unit"]
        widgets = {"assigned_on": DATE, "due_on": DATE}

    def clean(self):
        data = super().clean()
        if data.get("due_on") and data.get("assigned_on") and data["due_on"] < data["assigned_on"]:
            self.add_error("due_on", _("The date to read it by cannot be before it is assigned."))
        return data


class ContestForm(_HoursForm):
    class Meta:
        model = Contest
        fields = ["title", "date", "hours", "max_score", "unit"]
        widgets = {"date": DATE}


class PeopleForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = staff_choices()
        self.fields["people"].label_from_instance = lambda u: f"{u} ({u.username})"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Sign-in sheet (XLSX)"),
        help_text=_("First row: 用户名 (or 账号, 工号) or 姓名; one person per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class StudyForm(forms.Form):
    finished_on = forms.DateField(label=_("Finished on"), widget=DATE)
    reflection = forms.CharField(
        label=_("Reflection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines on what you took from it for your work."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"finished_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ScoreForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Contestant"), queryset=None)
    score = forms.DecimalField(label=_("Score"), max_digits=6, decimal_places=2, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_choices()
        self.fields["person"].label_from_instance = lambda u: f"{u} ({u.username})"


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    unit = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def this_year() -> int:
        return timezone.localdate().year
