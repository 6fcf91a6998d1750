import re
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Case, Category
from civicdesk.core.tracking import normalize_tracking_code
from civicdesk.intake.models import Channel
from civicdesk.problems.models import Campaign
from civicdesk.staff.forms import LocalNameChoiceField


class LocalNameMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        from civicdesk.core.templatetags.civic import local_name

        return local_name(obj)


def _two_weeks_ago():
    return timezone.localdate() - timedelta(days=13)


class ClusterRunForm(forms.Form):
    period_start = forms.DateField(
        label=_("From"),
        initial=_two_weeks_ago,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=_("Until"),
        initial=timezone.localdate,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    channels = LocalNameMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen means every channel."),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The end date is before the start date."))
        if start and end and (end - start).days > 366:
            self.add_error("period_end", _("Choose a period of at most one year."))
        return data


class RenameForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class SplitForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(
        label=_("Cases to move"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Title of the new cluster"), max_length=200, required=False)

    def __init__(self, *args, cluster=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cluster.cases.select_related("submission")
        self.fields["cases"].label_from_instance = lambda case: (
            f"{case.tracking_code} · {case.submission.description[:60]}"
        )


class MergeForm(forms.Form):
    clusters = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, run=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clusters"].queryset = run.clusters.all()


class PromoteForm(forms.Form):
    title = forms.CharField(label=_("Problem title"), max_length=200)
    category = LocalNameChoiceField(
        label=_("Aspect or category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProblemForm(forms.Form):
    """A problem created by hand or edited: who leads it, which campaigns, which cases."""

    title = forms.CharField(label=_("Problem title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = LocalNameChoiceField(
        label=_("Aspect or category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    campaigns = LocalNameMultipleChoiceField(
        label=_("Campaigns"),
        queryset=Campaign.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lead_unit = LocalNameChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.active(), required=False
    )
    co_units = LocalNameMultipleChoiceField(
        label=_("Co-operating units"), queryset=Unit.objects.active(), required=False
    )
    responsible_official = forms.CharField(
        label=_("Responsible official"), max_length=80, required=False
    )
    case_codes = forms.CharField(
        label=_("Linked cases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tracking codes, separated by spaces, commas or new lines."),
    )

    def clean_case_codes(self) -> list[Case]:
        raw = re.split(r"[\s,，、;；]+", self.cleaned_data["case_codes"].strip())
        codes, bad = [], []
        for item in filter(None, raw):
            code = normalize_tracking_code(item)
            (codes if code else bad).append(code or item)
        found = {c.tracking_code: c for c in Case.objects.filter(tracking_code__in=codes)}
        bad += [code for code in codes if code not in found]
        if bad:
            raise forms.ValidationError(
                _("No case has these tracking codes: %(codes)s") % {"codes": ", ".join(bad)}
            )
        return list(found.values())

    def clean(self) -> dict:
        data = super().clean()
        lead = data.get("lead_unit")
        if lead is not None and lead in (data.get("co_units") or []):
            self.add_error("co_units", _("The lead unit cannot also be a co-operating unit."))
        return data
