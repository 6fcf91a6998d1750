"""Forms of the staff pages: inbox filters, one form per case action, and opinions heard in
person."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.cases import batch
from civicdesk.cases.models import Case, Category, ReplyTemplate
from civicdesk.cases.workflow import Action, Status
from civicdesk.core.templatetags.civic import local_name
from civicdesk.core.tracking import normalize_tracking_code
from civicdesk.intake import in_person
from civicdesk.intake.models import Channel
from civicdesk.public.forms import ReportForm
from civicdesk.reports.workflow import CATEGORY_LEDGERS


class LocalNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        indent = "\u00a0\u00a0" * getattr(obj, "depth", 0)
        return indent + local_name(obj)


OPEN = "open"
# The inbox's default: open cases, but any status once the user searches (a tracking code or
# words), since a search looks for one case wherever it is. Choosing "Open" narrows a search.
OPEN_UNLESS_SEARCHING = "default"


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (OPEN_UNLESS_SEARCHING, _("Open (any status when searching)")),
            ("", _("All")),
            (OPEN, _("Open")),
            *Status.choices,
        ],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    channel = LocalNameChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    category = LocalNameChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    unit = LocalNameChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
    )
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    received_to = forms.DateField(
        label=_("Received until"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return data


class QueueFilterForm(InboxFilterForm):
    """A queue's filters: the inbox's, but the queue itself decides the statuses."""

    status = None


class CaseIdsField(forms.Field):
    """The cases ticked in a list: primary keys, as many as were ticked."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Cases: the list of chosen cases is not valid.")}

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(item) for item in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


BATCH_CHOICES = [
    (batch.ASSIGN, _("Assign to a unit")),
    (batch.MERGE, _("Merge as duplicates of one case")),
    (batch.NOTE, _("Add an internal note")),
]


class BatchForm(forms.Form):
    """One action for every case ticked in a queue: assign, merge or add a note."""

    action = forms.ChoiceField(label=_("Action for the chosen cases"), choices=BATCH_CHOICES)
    cases = CaseIdsField(label=_("Cases"), required=False)
    unit = LocalNameChoiceField(
        label=_("Unit"), queryset=Unit.objects.active(), required=False, empty_label=_("Choose")
    )
    into = forms.CharField(
        label=_("Tracking code of the case they duplicate"), max_length=30, required=False
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Assign: public note; merge: note on the duplicates; internal note: its text."),
    )
    queue = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        # Ids of its own: the queue's filter form beside it has a "unit" list too, and two
        # id_unit would leave one of them without its label.
        kwargs.setdefault("auto_id", "batch_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == batch.ASSIGN and not data.get("unit"):
            self.add_error("unit", _("Choose the unit the cases go to."))
        if action == batch.MERGE:
            code = normalize_tracking_code(data.get("into") or "")
            into = Case.objects.filter(tracking_code=code).first() if code else None
            if into is None:
                self.add_error("into", _("No case has this tracking code."))
            data["into_case"] = into
        if action == batch.NOTE and not (data.get("note") or "").strip():
            self.add_error("note", _("The note cannot be empty."))
        return data


class AssignForm(forms.Form):
    unit = LocalNameChoiceField(label=_("Unit"), queryset=Unit.objects.active())
    note = forms.CharField(
        label=_("Note (public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Message to the reporter"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Public. Taking the case on counts as the first response."),
    )


class AnswerForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Reply template"), queryset=None, required=False, empty_label=_("No template")
    )
    text = forms.CharField(
        label=_("Official answer (public)"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, templates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = (
            templates if templates is not None else ReplyTemplate.objects.none()
        )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Note (public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Tracking code of the case it duplicates"), max_length=30)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_into(self) -> Case:
        code = normalize_tracking_code(self.cleaned_data["into"])
        case = Case.objects.filter(tracking_code=code).first() if code else None
        if case is None:
            raise forms.ValidationError(_("No case has this tracking code."), code="unknown")
        return case


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (never public)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("Why escalate?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecategorizeForm(forms.Form):
    # The confidential ledgers' categories are not offered: a case is not re-categorised into
    # them (cases.services refuses it; such a report is filed in the ledger instead).
    category = LocalNameChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True)
        .exclude(code__in=CATEGORY_LEDGERS.keys())
        .exclude(parent__code__in=CATEGORY_LEDGERS.keys()),
        required=False,
        empty_label=_("None"),
    )


# The return's form, with its reasons from the list, is a work-order form (workorder_forms).
ACTION_FORMS: dict[str, type[forms.Form]] = {
    Action.ASSIGN: AssignForm,
    Action.REASSIGN: AssignForm,
    Action.ACCEPT: AcceptForm,
    Action.ANSWER: AnswerForm,
    Action.CLOSE: CloseForm,
    Action.REOPEN: ReopenForm,
    Action.MERGE: MergeForm,
    Action.NOTE: NoteForm,
    Action.ESCALATE: EscalateForm,
    Action.RECATEGORIZE: RecategorizeForm,
}


YES_NO = [("yes", _("Yes, they may be contacted")), ("no", _("No, do not contact them"))]


class InPersonForm(ReportForm):
    """An opinion heard in person (at a window, on the phone, by a leader at a window, on a
    community visit), typed in by the member of staff who heard it. The person's details and
    enterprise are checked as on the public form; photos are of papers the person handed in."""

    channel = forms.ModelChoiceField(
        label=_("How it was heard"),
        queryset=Channel.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    heard_at = forms.CharField(
        label=_("Where it was heard"),
        max_length=120,
        help_text=_("E.g. window 3 of the service hall, or the community visited."),
    )
    heard_by = forms.CharField(
        label=_("Who heard it"),
        max_length=80,
        required=False,
        help_text=_("Leave empty if it was you; name the leader if you type in what they heard."),
    )
    heard_on = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    consent_contact = forms.ChoiceField(
        label=_("May the person be contacted about it?"), choices=YES_NO, widget=forms.RadioSelect
    )

    field_order = ["channel", "heard_at", "heard_by", "heard_on", "description", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields.pop(name)
        self.fields["channel"].queryset = in_person.in_person_channels()
        self.fields["channel"].label_from_instance = local_name
        labels = {
            "description": _("What did the person say?"),
            "contact_name": _("Person's name"),
            "for_enterprise": _("The person spoke for an enterprise"),
            "consent_publish": _("The answer may be published (without personal details)"),
            "photos": _("Photos of papers handed in"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["description"].help_text = _("In the person's own words, as far as possible.")

    def clean_heard_on(self):
        heard_on = self.cleaned_data["heard_on"]
        try:
            in_person.check_heard_on(heard_on)
        except in_person.InPersonError as error:
            raise forms.ValidationError(error.message) from error
        return heard_on

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_error("contact_phone") and not self.has_error("contact_email"):
            try:
                in_person.check_consent(
                    consent_contact=data.get("consent_contact") == "yes",
                    contact_phone=data.get("contact_phone") or "",
                    contact_email=data.get("contact_email") or "",
                )
            except in_person.InPersonError as error:
                self.add_error(error.field, error.message)
        return data
