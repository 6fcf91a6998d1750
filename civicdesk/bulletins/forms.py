from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.bulletins.build import PROBLEM_LIST, PROGRESS

XLSX = "xlsx"
DOCX = "docx"


def _month_start():
    return timezone.localdate().replace(day=1)


class BulletinForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Bulletin"),
        choices=[(PROBLEM_LIST, _("Problem list")), (PROGRESS, _("Progress"))],
        initial=PROBLEM_LIST,
        widget=forms.RadioSelect,
    )
    period_start = forms.DateField(
        label=_("From"),
        initial=_month_start,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=_("Until"),
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(XLSX, _("Spreadsheet (XLSX)")), (DOCX, _("Document (DOCX)"))],
        initial=XLSX,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The end date is before the start date."))
        elif start and end and end - start > timedelta(days=366):
            self.add_error("period_end", _("Choose a period of at most one year."))
        return data
