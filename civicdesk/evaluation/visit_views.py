"""Pages of the return-visit queue (call centre), its sampling rules and scripts, and praise."""

from datetime import datetime, time

from django.contrib import messages
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicdesk.cases.models import Case
from civicdesk.core.access import staff_view
from civicdesk.core.paging import CappedPaginator
from civicdesk.core.tracking import normalize_tracking_code
from civicdesk.evaluation import access, visits
from civicdesk.evaluation.models import FollowUp, ReturnVisit, SamplingRule, VisitScript
from civicdesk.evaluation.visit_forms import (
    CancelForm,
    OutcomeForm,
    PraiseForm,
    QueueFilterForm,
    SamplingRuleForm,
    VisitScriptForm,
)
from civicdesk.evaluation.visit_workflow import VisitStatus, allowed_outcomes

PAGE_SIZE = 25


def _month_start() -> datetime:
    today = timezone.localdate()
    return timezone.make_aware(datetime.combine(today.replace(day=1), time.min))


def queue_summary() -> dict:
    """Waiting visits now, and this month's closed ones by outcome."""
    closed = ReturnVisit.objects.filter(closed_at__gte=_month_start()).aggregate(
        reached=Count("pk", filter=Q(status=VisitStatus.REACHED)),
        unreachable=Count("pk", filter=Q(status=VisitStatus.UNREACHABLE)),
        refused=Count("pk", filter=Q(status=VisitStatus.REFUSED)),
        reopened=Count("pk", filter=Q(reopened=True)),
        counted=Count("pk", filter=Q(counted=True)),
    )
    return {"waiting": ReturnVisit.objects.waiting().count(), **closed}


@staff_view(access.can_read_visits)
def queue(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", VisitStatus.WAITING)
    form = QueueFilterForm(data)
    rows = access.visits_visible_to(request.user).select_related(
        "case", "case__category", "case__unit", "visited_by"
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["reason"]:
            rows = rows.filter(reason=form.cleaned_data["reason"])
    # Dissatisfied people first, then the oldest waiting.
    rows = rows.order_by(
        models.Case(models.When(reason="dissatisfied", then=0), default=1),
        "last_attempt_at",
        "created_at",
        "id",
    )
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "summary": queue_summary(),
        "may_build": access.can_edit_visit_rules(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "evaluation/visits/queue.html", context)


@require_POST
@staff_view(access.can_edit_visit_rules)
def build(request: HttpRequest) -> HttpResponse:
    """Run the scheduled queue builder now (it is idempotent)."""
    run = visits.build_queue()
    messages.success(
        request,
        _("%(queued)d return visits queued, %(cancelled)d cancelled.")
        % {"queued": run.queued, "cancelled": run.cancelled},
    )
    return redirect("evaluation:visits")


@staff_view(access.can_read_visits)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_for_user(request.user, pk)
    may_work = access.can_work_visits(request.user) and bool(
        allowed_outcomes(visit.status, request.user.role)
    )
    form = OutcomeForm(request.POST or None) if may_work else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                visits.visit_record(visit=visit, actor=request.user, **form.outcome_kwargs())
            except visits.VisitError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The call was recorded."))
                return redirect("evaluation:visit", pk=visit.pk)
        status = 400
    case = visit.case
    context = {
        "visit": visit,
        "case": case,
        "form": form,
        "cancel_form": CancelForm()
        if may_work and access.can_edit_visit_rules(request.user)
        else None,
        "script": VisitScript.for_category(case.category),
        "followup": FollowUp.objects.filter(case=case, answer_of=visit.answer_of).first(),
        "events": visit.events.select_related("actor"),
    }
    return render(request, "evaluation/visits/detail.html", context, status=status)


@require_POST
@staff_view(access.can_edit_visit_rules)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access.get_visit_for_user(request.user, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            visits.visit_cancel(visit=visit, actor=request.user, note=form.cleaned_data["note"])
        except visits.VisitError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The return visit was cancelled."))
    else:
        messages.error(request, _("Say why the return visit is cancelled."))
    return redirect("evaluation:visit", pk=visit.pk)


# --- Sampling rules and scripts ------------------------------------------------------------


def _edit(request: HttpRequest, form_class, instance, template: str, list_url: str, **extra):
    may_edit = access.can_edit_visit_rules(request.user)
    form = form_class(request.POST or None, instance=instance) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            saved = form.save(commit=False)
            if hasattr(saved, "updated_by_id"):
                saved.updated_by = request.user
            saved.updated_at = timezone.now()
            saved.save()
            messages.success(request, _("Saved."))
            return redirect(list_url)
    context = {"form": form, "instance": instance, "may_edit": may_edit, **extra}
    return render(request, template, context, status=400 if form and form.errors else 200)


@staff_view(access.can_read_visits)
def rules(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        SamplingRuleForm,
        None,
        "evaluation/visits/rules.html",
        "evaluation:visit_rules",
        rules=SamplingRule.objects.select_related("category", "updated_by"),
    )


@staff_view(access.can_read_visits)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access.get_rule_for_user(request.user, pk)
    return _edit(
        request,
        SamplingRuleForm,
        rule,
        "evaluation/visits/rule_edit.html",
        "evaluation:visit_rules",
    )


@staff_view(access.can_read_visits)
def scripts(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        VisitScriptForm,
        None,
        "evaluation/visits/scripts.html",
        "evaluation:visit_scripts",
        scripts=VisitScript.objects.select_related("category"),
    )


@staff_view(access.can_read_visits)
def script_edit(request: HttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_user(request.user, pk)
    return _edit(
        request,
        VisitScriptForm,
        script,
        "evaluation/visits/script_edit.html",
        "evaluation:visit_scripts",
    )


# --- Praise --------------------------------------------------------------------------------


@staff_view(access.can_read_praise)
def praise(request: HttpRequest) -> HttpResponse:
    may_record = access.can_record_praise(request.user)
    form = PraiseForm(request.POST or None) if may_record else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            code = normalize_tracking_code(form.cleaned_data["tracking_code"])
            case = Case.objects.filter(tracking_code=code).select_related("unit").first()
            if case is None:
                form.add_error("tracking_code", _("No case has this tracking code."))
            else:
                received = timezone.make_aware(
                    datetime.combine(form.cleaned_data["received_on"], time(12))
                )
                try:
                    visits.praise_record(
                        case=case,
                        actor=request.user,
                        source=form.cleaned_data["source"],
                        received_at=min(received, timezone.now()),
                        note=form.cleaned_data["note"],
                    )
                except visits.VisitError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("The praise was recorded."))
                    return redirect("evaluation:praise")
        status = 400
    rows = access.praise_visible_to(request.user).select_related("case", "unit", "recorded_by")
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/praise.html", {"form": form, "page": page}, status=status)
