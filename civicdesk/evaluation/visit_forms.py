"""Forms of the return-visit queue: an outcome, the sampling rules, scripts and praise."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Category
from civicdesk.evaluation.models import (
    PraiseSource,
    SamplingRule,
    SamplingRuleKind,
    Satisfaction,
    VisitScript,
)
from civicdesk.evaluation.visit_workflow import VisitAction, VisitStatus
from civicdesk.evaluation.visits import max_attempts

YES_NO = [("yes", _("Solved")), ("no", _("Not solved"))]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What came of the call?"),
        choices=[
            (VisitAction.REACH, _("Reached the person")),
            (VisitAction.NOT_REACHED, _("Not reached (no answer, line busy, switched off)")),
            (VisitAction.REFUSE, _("The person declined to answer")),
        ],
        widget=forms.RadioSelect,
    )
    solved = forms.ChoiceField(
        label=_("Does the person say the problem was solved?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied is the person?"),
        choices=[("", "—"), *Satisfaction.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    praised = forms.BooleanField(
        label=_("The person praised how it was handled (counts as praise for the unit)"),
        required=False,
    )
    comment = forms.CharField(
        label=_("What the person said"), required=False, max_length=2000, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].help_text = _(
            "After %(n)d calls without reaching the person the visit closes as not reached."
        ) % {"n": max_attempts()}
        self.fields["comment"].widget.attrs["rows"] = 3

    def clean(self):
        data = super().clean()
        if data.get("outcome") == VisitAction.REACH:
            if not data.get("solved"):
                self.add_error("solved", _("Say whether the person said it was solved."))
            if data.get("satisfaction") is None:
                self.add_error("satisfaction", _("Choose the level of satisfaction."))
        return data

    def outcome_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["outcome"] != VisitAction.REACH:
            return {"outcome": data["outcome"], "comment": data["comment"]}
        return {
            "outcome": data["outcome"],
            "solved": data["solved"] == "yes",
            "satisfaction": data["satisfaction"],
            "praised": data["praised"],
            "comment": data["comment"],
        }


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Why is it cancelled?"), max_length=500)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *VisitStatus.choices]
    )
    reason = forms.ChoiceField(
        label=_("Why it was picked"),
        required=False,
        choices=[("", _("Any reason")), *SamplingRuleKind.choices],
    )


class SamplingRuleForm(forms.ModelForm):
    class Meta:
        model = SamplingRule
        fields = ["kind", "percent", "category", "is_active", "note"]
        help_texts = {
            "percent": _("For a share: the percentage of the other cases, e.g. 10 or 12.5."),
            "category": _("Empty: every case; an aspect covers its categories."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        kind, percent = data.get("kind"), data.get("percent")
        if kind == SamplingRuleKind.SHARE:
            if percent is None:
                self.add_error("percent", _("Give the percentage for a share."))
            elif not 0 < percent <= 100:
                self.add_error("percent", _("The percentage must be above 0 and at most 100."))
        elif percent is not None:
            self.add_error("percent", _("Only a share has a percentage."))
        return data


class VisitScriptForm(forms.ModelForm):
    class Meta:
        model = VisitScript
        fields = ["category", "title", "text"]
        help_texts = {"category": _("Empty: the default script for every other category.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["text"].widget.attrs["rows"] = 10

    def clean_category(self):
        category = self.cleaned_data.get("category")
        taken = VisitScript.objects.filter(category=category).exclude(pk=self.instance.pk)
        if taken.exists():
            if category is None:
                raise forms.ValidationError(_("There is already a default script."))
            raise forms.ValidationError(_("This category already has a script."))
        return category


class PraiseForm(forms.Form):
    tracking_code = forms.CharField(label=_("Tracking code of the case"), max_length=20)
    source = forms.ChoiceField(label=_("How it came"), choices=PraiseSource.choices)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("What was said"), required=False, max_length=2000, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["rows"] = 3

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The praise cannot have come in the future."))
        return day
