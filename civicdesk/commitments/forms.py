"""Forms read and type the input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.commitments.workflow import MeasureStatus
from civicdesk.problems.models import Campaign

_PROGRESS_RANGE = _("Progress must be between 0 and 100 percent.")


class DateInput(forms.DateInput):
    input_type = "date"


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("What will be done"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea, required=False)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.active())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("How much this measure counts in the problem's progress."),
    )


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={"min_value": _PROGRESS_RANGE, "max_value": _PROGRESS_RANGE},
    )
    note = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)


class MilestoneCompleteForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A photo (JPEG, PNG, WebP) or a PDF, DOCX or XLSX document.")
    )
    note = forms.CharField(label=_("Internal note"), max_length=500, required=False)


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the new deadline once a supervisor approves it."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MarkDoneForm(NoteForm):
    """Done needs every milestone reached and evidence; a supervisor may instead give the
    reason for marking the measure done without them (`may_give_reason`)."""

    reason = forms.CharField(
        label=_("Reason for marking it done without them"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_(
            "Only when milestones are not reached or there is no evidence. Kept in the "
            "measure's history and shown with it on the public page."
        ),
    )

    def __init__(self, *args, may_give_reason: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_give_reason:
            del self.fields["reason"]


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class PublicFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.active(), required=False, empty_label=_("Any")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *MeasureStatus.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class DueFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    days = forms.IntegerField(label=_("Working days ahead"), min_value=0, max_value=60, initial=3)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.fields["days"].required = False
