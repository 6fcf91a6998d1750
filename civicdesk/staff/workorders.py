"""Staff pages of work orders: the work-order actions of the case page (run through their
services), and the supervisors' page of what waits for them: cases to arbitrate, requests to
extend or suspend, suspended cases, and the dispatch rules."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicdesk.accounts.models import Role, User
from civicdesk.cases import dispatch, extensions, returns
from civicdesk.cases.access import can_edit_dispatch_rules
from civicdesk.cases.models import Case, ClockRequest, DispatchRule, ReturnReason
from civicdesk.cases.services import CaseInputError
from civicdesk.cases.workflow import Action
from civicdesk.core.access import staff_view
from civicdesk.staff.workorder_forms import APPROVE, DispatchRuleForm


def perform(action: str, case: Case, actor: User, data: dict) -> str:
    """Run one work-order action through its service; return the message to show."""
    if action == Action.UNDO_DISPATCH:
        dispatch.undo_dispatch(case=case, actor=actor, note=data["note"])
        return _("The automatic dispatch was undone; the case waits to be assigned.")
    if action == Action.GIVE:
        dispatch.give(
            case=case,
            actor=actor,
            assignee=data["assignee"],
            grid=data["grid"],
            note=data["note"],
        )
        return _("The case was given on within the unit.")
    if action == Action.ADD_CO_UNIT:
        dispatch.add_co_unit(case=case, unit=data["unit"], actor=actor)
        return _("%(unit)s co-handles the case now.") % {"unit": data["unit"]}
    if action == Action.REMOVE_CO_UNIT:
        dispatch.remove_co_unit(case=case, unit=data["unit"], actor=actor, note=data["note"])
        return _("%(unit)s no longer co-handles the case.") % {"unit": data["unit"]}
    if action == Action.PART:
        dispatch.give_part(case=case, actor=actor, text=data["text"], unit=data["unit"])
        return _("Your unit's part was sent to the lead unit.")
    if action == Action.WAIVE_PART:
        dispatch.waive_part(case=case, unit=data["unit"], actor=actor, reason=data["reason"])
        return _("The lead unit may answer without this part.")
    if action == Action.ARBITRATE:
        returns.case_arbitrate(case=case, unit=data["unit"], actor=actor, reason=data["reason"])
        return _("Arbitrated: %(unit)s handles the case and cannot return it.") % {
            "unit": data["unit"]
        }
    if action == Action.REQUEST_EXTENSION:
        extensions.request_extension(
            case=case, actor=actor, reason=data["reason"], new_date=data["new_date"]
        )
        return _("The extension was asked for; a supervisor decides.")
    if action == Action.REQUEST_SUSPENSION:
        extensions.request_suspension(
            case=case,
            actor=actor,
            ground=data["ground"],
            reason=data["reason"],
            new_date=data["new_date"],
        )
        return _("The suspension was asked for; a supervisor decides.")
    if action == Action.DECIDE_REQUEST:
        approve = data["decision"] == APPROVE
        extensions.decide_request(case=case, actor=actor, approve=approve, note=data["note"])
        return _("Approved.") if approve else _("Refused.")
    if action == Action.RESUME:
        extensions.resume(case=case, actor=actor, note=data["note"])
        return _("The case was resumed; its deadlines moved by the days it was suspended.")
    raise Http404


def _returns_with_reasons(case: Case) -> list:
    if not case.return_count and not case.awaits_arbitration:
        return []
    reasons = {reason.code: reason for reason in ReturnReason.objects.all()}
    return [(event, reasons.get(event.data.get("reason"))) for event in returns.returns_of(case)]


def work_order_context(case: Case) -> dict:
    """What the case page shows of the work order beside the actions."""
    return {
        "co_units": case.co_units.select_related("unit", "part_by", "waived_by"),
        "clock_requests": case.clock_requests.select_related("unit", "requested_by", "decided_by"),
        "returns": _returns_with_reasons(case),
        "may_undo_dispatch": dispatch.may_undo(case),
    }


READERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})


def can_read_work_orders(user: User) -> bool:
    return user.is_staff_member and user.role in READERS


def _add_rule(request: HttpRequest, form: DispatchRuleForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        rule = dispatch.rule_create(
            category=data["category"],
            area=data["area"],
            unit=data["unit"],
            priority=data["priority"],
            actor=request.user,
        )
    except CaseInputError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return False
    messages.success(request, _("Dispatch rule added: %(rule)s") % {"rule": rule})
    return True


@require_http_methods(["GET", "POST"])
@staff_view(can_read_work_orders)
def work_orders(request: HttpRequest) -> HttpResponse:
    """What waits for the supervisors: arbitration, requests, suspended cases; and the
    dispatch rules (supervisors and administrators add and switch them off)."""
    editor = can_edit_dispatch_rules(request.user)
    form = DispatchRuleForm(request.POST or None) if editor else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if _add_rule(request, form):
            return redirect("staff:work_orders")
    context = {
        "arbitration": returns.arbitration_queue(),
        "requests": ClockRequest.objects.pending()
        .select_related("case", "unit", "requested_by")
        .order_by("requested_at"),
        "suspended": Case.objects.filter(suspended_at__isnull=False)
        .select_related("unit")
        .order_by("suspended_at"),
        "rules": DispatchRule.objects.select_related("category", "area", "unit").order_by(
            "-is_active", "priority", "id"
        ),
        "rule_form": form,
    }
    status = 400 if form is not None and form.is_bound and not form.is_valid() else 200
    return render(request, "staff/work_orders.html", context, status=status)


@require_http_methods(["POST"])
@staff_view(can_edit_dispatch_rules)
def rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = DispatchRule.objects.filter(pk=pk, is_active=True).first()
    if rule is None:
        raise Http404
    dispatch.rule_deactivate(rule=rule, actor=request.user)
    messages.success(request, _("Dispatch rule switched off: %(rule)s") % {"rule": rule})
    return redirect("staff:work_orders")
