"""Staff pages: the unit inbox and the case page with its actions."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.accounts.models import User
from civicdesk.cases import services
from civicdesk.cases.access import get_case_for_user
from civicdesk.cases.actions import available_actions
from civicdesk.cases.models import Case, ReplyTemplate
from civicdesk.cases.workflow import Action
from civicdesk.core.access import staff_required, staff_view
from civicdesk.core.htmx import is_htmx
from civicdesk.core.landing import landing_url
from civicdesk.core.paging import CappedPaginator
from civicdesk.intake import in_person
from civicdesk.intake.services import IdempotencyConflict, receive
from civicdesk.reports.views import confidential_received
from civicdesk.staff import filters, queue_views, queues, workorders
from civicdesk.staff.forms import (
    ACTION_FORMS,
    OPEN_UNLESS_SEARCHING,
    AnswerForm,
    InboxFilterForm,
    InPersonForm,
)
from civicdesk.staff.workorder_forms import WORK_ORDER_FORMS, WorkOrderForm

# Every form of the case page's actions: the workflow's and the work order's.
CASE_FORMS = {**ACTION_FORMS, **WORK_ORDER_FORMS}

PAGE_SIZE = 25


@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not request.GET and not is_htmx(request):
        # /staff/ as such is where each role starts: its own queue or page (core.landing).
        landing = landing_url(request.user)
        if landing != request.path:
            return redirect(landing)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = OPEN_UNLESS_SEARCHING
    form = InboxFilterForm(params, units=filters.visible_units(request.user))
    cases = Case.objects.visible_to(request.user).select_related(
        "submission__channel", "unit", "category"
    )
    status = 200
    if form.is_valid():
        cases = filters.filter_cases(cases, form.cleaned_data)
    else:
        cases = cases.none()
        # htmx swaps only successful responses in; the fragment shows the errors itself.
        status = 200 if is_htmx(request) else 400
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    searching_everywhere = (
        form.is_valid()
        and form.cleaned_data["status"] == OPEN_UNLESS_SEARCHING
        and bool(form.cleaned_data["q"])
    )
    context = {
        "form": form,
        "page": page,
        "now": timezone.now(),
        "searching_everywhere": searching_everywhere,
    }
    template = "staff/_case_table.html" if is_htmx(request) else "staff/inbox.html"
    return render(request, template, context, status=status)


def _reply_templates(user: User, case: Case):
    units = [case.unit] if case.unit else []
    if user.unit:
        units.append(user.unit)
    return ReplyTemplate.objects.filter(is_active=True).filter(
        Q(unit__isnull=True) | Q(unit__in=units)
    )


def _form_kwargs(form_class: type, user: User, case: Case) -> dict:
    if form_class is AnswerForm:
        return {"templates": _reply_templates(user, case)}
    if issubclass(form_class, WorkOrderForm):
        return {"case": case, "user": user}
    return {}


def _action_forms(user: User, case: Case, bound: tuple[str, object] | None = None) -> dict:
    forms = {}
    for action in available_actions(case, user):
        form_class = CASE_FORMS[action]
        kwargs = _form_kwargs(form_class, user, case)
        if bound and bound[0] == action:
            forms[action] = bound[1]
            continue
        if action in {Action.ASSIGN, Action.REASSIGN} and case.category:
            # Suggest the unit that usually handles this category.
            kwargs["initial"] = {"unit": case.category.default_unit_id}
        forms[action] = form_class(prefix=action, **kwargs)
    return forms


def _queue_asked(request: HttpRequest) -> queues.Queue | None:
    """The queue the user came from (?queue= on the page, queue= in an action's form), if it
    is one of theirs: after an action they go on to its next case."""
    slug = request.POST.get("queue") or request.GET.get("queue") or ""
    queue = queues.QUEUES.get(slug)
    return queue if queue is not None and queue in queues.queues_for(request.user) else None


def _render_case(
    request: HttpRequest, case: Case, bound: tuple[str, object] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "case": case,
        "queue": _queue_asked(request),
        "events": case.events.select_related("actor", "unit"),
        "photos": case.submission.photos.all(),
        "forms": _action_forms(request.user, case, bound),
        "duplicates": case.duplicates.all(),
        "now": timezone.now(),
        **workorders.work_order_context(case),
    }
    return render(request, "staff/case.html", context, status=status)


@require_GET
@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, get_case_for_user(request.user, pk))


def _perform(action: str, case: Case, actor: User, data: dict) -> str:
    """Run one action through its service; return the message to show."""
    if action in {Action.ASSIGN, Action.REASSIGN}:
        services.case_assign(case=case, unit=data["unit"], actor=actor, note=data["note"])
        return _("Assigned to %(unit)s.") % {"unit": data["unit"]}
    if action == Action.ACCEPT:
        services.case_accept(case=case, actor=actor, note=data["note"])
        return _("You took the case on.")
    if action == Action.RETURN:
        case = services.case_return(
            case=case, actor=actor, reason=data["reason"], reason_choice=data["reason_choice"]
        )
        if case.awaits_arbitration:
            return _(
                "The case went back. Returned too often, it waits for a supervisor's "
                "arbitration, which binds."
            )
        return _("The case went back to the supervisors.")
    if action == Action.ANSWER:
        services.case_answer(case=case, actor=actor, text=data["text"])
        return _("The answer was published to the reporter.")
    if action == Action.CLOSE:
        services.case_close(case=case, actor=actor, note=data["note"])
        return _("The case was closed.")
    if action == Action.REOPEN:
        services.case_reopen(case=case, actor=actor, reason=data["reason"])
        return _("The case was reopened.")
    if action == Action.MERGE:
        services.case_merge(case=case, into=data["into"], actor=actor, note=data["note"])
        return _("Merged into %(code)s.") % {"code": data["into"].tracking_code}
    if action == Action.NOTE:
        services.case_add_note(case=case, actor=actor, text=data["text"])
        return _("Note added.")
    if action == Action.ESCALATE:
        services.case_escalate(case=case, actor=actor, note=data["note"])
        return _("The case was escalated.")
    if action == Action.RECATEGORIZE:
        services.case_recategorize(case=case, category=data["category"], actor=actor)
        return _("Category changed.")
    return workorders.perform(action, case, actor, data)


@require_POST
@staff_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if action not in CASE_FORMS:
        raise Http404
    form_class = CASE_FORMS[action]
    form = form_class(request.POST, prefix=action, **_form_kwargs(form_class, request.user, case))
    if action not in available_actions(case, request.user):
        form.is_valid()
        messages.error(request, _("This action is not possible on this case now."))
        return _render_case(request, case, status=409)
    if not form.is_valid():
        return _render_case(request, case, (action, form), status=400)
    queue = _queue_asked(request)
    # Where the case stood in its queue before the action moves it out of there.
    position = queues.position_of(queue, case.pk) if queue else None
    try:
        message = _perform(action, case, request.user, form.cleaned_data)
    except services.CaseInputError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _render_case(request, case, (action, form), status=400)
    except services.CaseActionError as error:
        form.add_error(None, str(error))
        if action not in available_actions(case, request.user):
            messages.error(request, str(error))
        return _render_case(request, case, (action, form), status=409)
    messages.success(request, message)
    if queue is not None:
        return queue_views.go_to_next(request, queue, case.pk, position)
    if action == Action.RETURN and not request.user.sees_all_cases:
        # The case has left the handler's unit, so its page is no longer theirs to see.
        return redirect("staff:inbox")
    return redirect("staff:case", pk=case.pk)


@require_GET
@staff_required
def reply_template_text(request: HttpRequest) -> HttpResponse:
    """The answer box filled with a template's text (htmx swaps it in)."""
    case = get_case_for_user(request.user, request.GET.get("case", ""))
    chosen = request.GET.get(f"{Action.ANSWER}-template", "")
    template = (
        _reply_templates(request.user, case).filter(pk=chosen).first() if chosen.isdigit() else None
    )
    if template is None:
        raise Http404
    form = AnswerForm(
        prefix=Action.ANSWER,
        initial={"text": template.body, "template": template},
        templates=_reply_templates(request.user, case),
    )
    return render(request, "staff/_answer_text.html", {"field": form["text"]})


@staff_view(in_person.can_record)
def record(request: HttpRequest) -> HttpResponse:
    """An opinion heard in person becomes a submission with its case, like any other."""
    if request.method != "POST":
        form = InPersonForm(initial={"heard_on": timezone.localtime().replace(second=0)})
        return render(request, "staff/record.html", {"form": form})
    form = InPersonForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "staff/record.html", {"form": form}, status=400)
    data = form.cleaned_data
    new = in_person.in_person_submission(
        channel=data["channel"],
        heard_at=data["heard_at"],
        heard_by=data["heard_by"],
        heard_on=data["heard_on"],
        recorded_by=request.user,
        via="staff",
        description=data["description"],
        category=data["category"],
        address=data["address"],
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        contact_email=data["contact_email"],
        for_enterprise=data["for_enterprise"],
        enterprise_name=data["enterprise_name"],
        enterprise_credit_code=data["enterprise_credit_code"],
        consent_publish=data["consent_publish"],
        consent_contact=data["consent_contact"] == "yes",
        language=get_language() or "",
        photos=data["photos"],
    )
    key = f"staff-form:{data['form_token']}"
    try:
        received = receive(data=new, idempotency_key=key)
    except IdempotencyConflict:
        form.add_error(None, _("This form was already sent with other content; reload it."))
        return render(request, "staff/record.html", {"form": form}, status=409)
    if received.is_confidential:
        # An allegation of misconduct (intake.routing): the page the person would have seen,
        # with an intermediary report's follow-up code, shown once, to hand to them now.
        return confidential_received(request, received)
    case, created = received.case, received.created
    if created:
        messages.success(request, _("Recorded as %(code)s.") % {"code": case.tracking_code})
    else:
        messages.info(
            request,
            _("This opinion was already recorded as %(code)s.") % {"code": case.tracking_code},
        )
    if Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        return redirect("staff:case", pk=case.pk)
    # A handler records for the desk that routes it; the code is what they keep.
    return redirect("staff:record")
