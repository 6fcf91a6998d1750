"""Forms of the work-order actions on the case page: dispatch within and across units,
co-handling, returns with reasons, arbitration, extensions and suspensions. Each takes the
case and the user, whose unit decides the choices offered; the services check everything
again and name the field at fault."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases import dispatch, returns
from civicdesk.cases.models import Area, Case, Category, SuspensionGround
from civicdesk.cases.workflow import Action
from civicdesk.core.deadlines import local_today
from civicdesk.staff.forms import LocalNameChoiceField


def _note(label, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _date_input() -> forms.DateInput:
    tomorrow = local_today() + timedelta(days=1)
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "min": tomorrow.isoformat()})


class WorkOrderForm(forms.Form):
    """A case page form whose choices depend on the case and the user."""

    def __init__(self, *args, case: Case, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user


class ReturnForm(WorkOrderForm):
    reason_choice = LocalNameChoiceField(
        label=_("Reason for returning"), queryset=returns.active_reasons(), empty_label=None
    )
    reason = _note(_("Explanation"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Needed for “Other”; helps the clerks in any case.")


class UndoDispatchForm(WorkOrderForm):
    note = _note(_("Note (public)"))


class GiveForm(WorkOrderForm):
    assignee = forms.ModelChoiceField(
        label=_("Person in charge"), queryset=User.objects.none(), required=False
    )
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=None, required=False)
    note = _note(_("Note (internal)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        unit = self.case.unit
        self.fields["assignee"].queryset = dispatch.people_of(unit) if unit else User.objects.none()
        self.fields["grid"].queryset = (
            dispatch.grids_of(unit) if unit else dispatch.Grid.objects.none()
        )
        self.fields["assignee"].empty_label = self.fields["grid"].empty_label = _("Nobody")
        self.fields["grid"].help_text = _(
            "Leave both empty to give the case back to the whole unit."
        )


class CoUnitForm(WorkOrderForm):
    unit = LocalNameChoiceField(label=_("Co-handling unit"), queryset=Unit.objects.active())


class RemoveCoUnitForm(WorkOrderForm):
    unit = LocalNameChoiceField(label=_("Co-handling unit"), queryset=Unit.objects.none())
    note = _note(_("Note (public)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        waiting = self.case.co_units.filter(part_at__isnull=True).values("unit")
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=waiting)


class PartForm(WorkOrderForm):
    unit = LocalNameChoiceField(label=_("For the unit"), queryset=Unit.objects.none())
    text = forms.CharField(
        label=_("Your unit's part of the answer (internal)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        reachable = dispatch.co_units_in_reach(self.case, self.user).values("unit")
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=reachable)
        self.fields["unit"].empty_label = None


class WaivePartForm(WorkOrderForm):
    unit = LocalNameChoiceField(label=_("Co-handling unit"), queryset=Unit.objects.none())
    reason = _note(_("Why may the lead unit answer without this part?"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        missing = self.case.co_units.filter(part_at__isnull=True, waived_at__isnull=True)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=missing.values("unit"))


class ArbitrateForm(WorkOrderForm):
    unit = LocalNameChoiceField(
        label=_("Unit that must handle the case"), queryset=Unit.objects.active()
    )
    reason = _note(_("Why this unit (internal)"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].help_text = _("Binding: the unit chosen cannot return the case.")


class ExtensionForm(WorkOrderForm):
    new_date = forms.DateField(label=_("New answer deadline"))
    reason = _note(_("Reason (public once approved)"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_date"].widget = _date_input()


class SuspensionForm(WorkOrderForm):
    ground = forms.ChoiceField(label=_("Waiting for"), choices=SuspensionGround.choices)
    new_date = forms.DateField(label=_("Expected to resume on"))
    reason = _note(_("Reason (public once approved)"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_date"].widget = _date_input()


APPROVE, REFUSE = "approve", "refuse"


class DecideForm(WorkOrderForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = _note(_("Note (needed to refuse)"))


class ResumeForm(WorkOrderForm):
    note = _note(_("Note (public)"))


WORK_ORDER_FORMS: dict[str, type[WorkOrderForm]] = {
    Action.RETURN: ReturnForm,
    Action.UNDO_DISPATCH: UndoDispatchForm,
    Action.GIVE: GiveForm,
    Action.ADD_CO_UNIT: CoUnitForm,
    Action.REMOVE_CO_UNIT: RemoveCoUnitForm,
    Action.PART: PartForm,
    Action.WAIVE_PART: WaivePartForm,
    Action.ARBITRATE: ArbitrateForm,
    Action.REQUEST_EXTENSION: ExtensionForm,
    Action.REQUEST_SUSPENSION: SuspensionForm,
    Action.DECIDE_REQUEST: DecideForm,
    Action.RESUME: ResumeForm,
}


class DispatchRuleForm(forms.Form):
    category = LocalNameChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any"),
    )
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.all(), required=False, empty_label=_("Anywhere")
    )
    unit = LocalNameChoiceField(label=_("Unit"), queryset=Unit.objects.active())
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=1000,
        initial=100,
        help_text=_("Among rules that match equally well, the lower number wins."),
    )
