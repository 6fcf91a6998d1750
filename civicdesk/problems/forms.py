from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Category
from civicdesk.intake.models import Channel
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
