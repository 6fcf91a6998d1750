"""Forms of the hall: applying (online or at the window), following an application with its
tracking code and a one-time code, the staff's step actions, and a matter's new version."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.applications.models import (
    STEP_ROLES,
    MaterialKind,
    MatterVersion,
    StepKind,
    VisitKind,
)
from civicdesk.applications.services import ApplicationError, NewApplication
from civicdesk.applications.versions import MaterialRow, StepRow
from civicdesk.catalogue.models import ApplicantType
from civicdesk.core.tracking import normalize_tracking_code

FILE_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.pdf,.docx,.xlsx"


def material_field(requirement_id: int | str) -> str:
    return f"material_{requirement_id}"


class ApplyForm(forms.Form):
    applicant_type = forms.ChoiceField(
        label=_("Who applies"),
        choices=ApplicantType.choices,
        widget=forms.RadioSelect,
        initial=ApplicantType.ENTERPRISE,
    )
    applicant_name = forms.CharField(label=_("Name of the person or enterprise"), max_length=120)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("Enterprises only: 18 characters."),
    )
    contact_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("We send the one-time code for following the application here."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("If you have no mobile phone.")
    )
    agent_name = forms.CharField(
        label=_("Agent (if someone files for the applicant)"), max_length=80, required=False
    )
    agent_phone = forms.CharField(
        label=_("Agent's phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, version: MatterVersion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.requirements = list(version.materials.all())
        for requirement in self.requirements:
            self.fields[material_field(requirement.pk)] = forms.FileField(
                label=requirement.name,
                required=False,
                help_text=requirement.get_kind_display(),
                widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
            )

    def material_fields(self):
        return [self[material_field(r.pk)] for r in self.requirements]

    def applicant_fields(self):
        return [self[name] for name in self.fields if not name.startswith("material_")]

    def new_application(self, language: str) -> NewApplication:
        data = self.cleaned_data
        return NewApplication(
            applicant_type=data["applicant_type"],
            applicant_name=data["applicant_name"],
            credit_code=data["credit_code"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            agent_name=data["agent_name"],
            agent_phone=data["agent_phone"],
            language=language,
            files={
                r.pk: data[material_field(r.pk)]
                for r in self.requirements
                if data.get(material_field(r.pk))
            },
        )

    def add_service_errors(self, error: ApplicationError) -> None:
        add_service_errors(self, error, prefix="material_")


def add_service_errors(form: forms.Form, error: ApplicationError, *, prefix: str = "") -> None:
    """Put the service's messages on the fields they name (or on the form)."""
    for key, messages in error.errors.items():
        name = key
        if key.isdigit():
            name = f"{prefix}{key}"
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = normalize_tracking_code(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(
                _("This is not a tracking code: check the characters."), code="invalid"
            )
        return code


class CodeForm(forms.Form):
    otp = forms.CharField(
        label=_("One-time code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )


class SupplyForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"), max_length=500, required=False, widget=forms.Textarea
    )


# --- Staff ---------------------------------------------------------------------------------


class CheckForm(forms.Form):
    material = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    problem = forms.CharField(label=_("What is wrong"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("How"), choices=VisitKind.choices, initial=VisitKind.STAFF)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class KioskForm(TrackForm):
    pass


class StaffSupplyForm(SupplyForm):
    material = forms.IntegerField(widget=forms.HiddenInput)


class ListFilterForm(forms.Form):
    matter = forms.CharField(required=False)
    status = forms.CharField(required=False)
    mine = forms.BooleanField(required=False)
    overdue = forms.BooleanField(required=False)
    follow_up = forms.BooleanField(required=False)


# --- Versions ------------------------------------------------------------------------------


class VersionForm(forms.Form):
    time_limit_days = forms.IntegerField(
        label=_("Time limit (working days)"),
        min_value=1,
        max_value=365,
        help_text=_(
            "承诺时限: from acceptance to issue; the clock stops while materials are awaited."
        ),
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaterialRowForm(forms.Form):
    name = forms.CharField(label=_("Material"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *MaterialKind.choices], required=False
    )
    follow_up_days = forms.IntegerField(
        label=_("Follow-up (working days)"), required=False, min_value=0, max_value=10000
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(
            data.get(key) not in (None, "") for key in ("name", "kind", "follow_up_days", "note")
        )

    def row(self) -> MaterialRow:
        data = self.cleaned_data
        return MaterialRow(
            name=data["name"],
            kind=data["kind"],
            follow_up_days=data["follow_up_days"],
            note=data["note"],
        )


class StepRowForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Step"), choices=[("", "—"), *StepKind.choices], required=False
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", "—"), *[(role.value, role.label) for role in STEP_ROLES]],
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.active(), required=False, to_field_name="code"
    )
    time_limit_days = forms.IntegerField(
        label=_("Time limit (working days)"), required=False, min_value=0, max_value=10000
    )
    online_possible = forms.BooleanField(label=_("Online"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(
            data.get(key) not in (None, "", False)
            for key in ("kind", "name", "role", "unit", "time_limit_days", "online_possible")
        )

    def row(self) -> StepRow:
        data = self.cleaned_data
        return StepRow(
            kind=data["kind"],
            role=data["role"],
            unit=data["unit"],
            time_limit_days=data["time_limit_days"],
            online_possible=data["online_possible"],
            name=data["name"],
        )


MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=0, max_num=60, absolute_max=60)
StepFormSet = forms.formset_factory(StepRowForm, extra=0, max_num=60, absolute_max=60)
