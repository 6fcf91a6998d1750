"""Commitment pages: staff pages for working on measures, public pages for checking them."""

from itertools import chain
from operator import attrgetter

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.accounts.models import Unit
from civicdesk.commitments import services
from civicdesk.commitments.access import (
    get_measure_for_user,
    get_problem_for_user,
    get_subscription_for_token,
    is_reader,
)
from civicdesk.commitments.forms import (
    DueFilterForm,
    EvidenceForm,
    ExtensionForm,
    MarkDoneForm,
    MeasureForm,
    MilestoneCompleteForm,
    MilestoneForm,
    NoteForm,
    ProgressForm,
    PublicFilterForm,
    SubscribeForm,
)
from civicdesk.commitments.models import (
    Evidence,
    Measure,
    MeasureEvent,
    ProblemEvent,
    problem_progress,
    with_progress,
)
from civicdesk.commitments.workflow import CREATORS, SIGNERS, MeasureAction, ProblemAction
from civicdesk.core.access import staff_required
from civicdesk.core.downloads import upload_response
from civicdesk.core.ratelimit import over_limit
from civicdesk.core.tokens import TokenThrottled, too_many_attempts
from civicdesk.problems.models import Problem

# Forms of the actions on the measure page, in the order they are shown.
ACTION_FORMS = {
    MeasureAction.PROGRESS: ProgressForm,
    MeasureAction.MILESTONE_ADD: MilestoneForm,
    MeasureAction.EVIDENCE: EvidenceForm,
    MeasureAction.REQUEST_EXTENSION: ExtensionForm,
    MeasureAction.APPROVE_EXTENSION: NoteForm,
    MeasureAction.MARK_DONE: MarkDoneForm,
    MeasureAction.VERIFY: NoteForm,
    MeasureAction.CLOSE: NoteForm,
}


def _reader_required(request: HttpRequest) -> None:
    if not is_reader(request.user):
        raise Http404


# --- Staff: a problem's commitments --------------------------------------------------------


def _render_problem(request, problem: Problem, form: MeasureForm | None, status: int = 200):
    measures = Measure.objects.visible_to(request.user).filter(problem=problem)
    context = {
        "problem": problem,
        "measures": measures.select_related("unit"),
        "progress": problem_progress(problem),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "commitments/staff_problem.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def staff_problem(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    may_add = request.user.has_role(*CREATORS)
    if request.method == "GET":
        form = MeasureForm(initial={"unit": problem.lead_unit_id}) if may_add else None
        return _render_problem(request, problem, form)
    if not may_add:
        raise Http404
    form = MeasureForm(request.POST)
    if not form.is_valid():
        return _render_problem(request, problem, form, status=400)
    data = form.cleaned_data
    try:
        measure = services.measure_create(
            problem=problem,
            data=services.NewMeasure(
                title=data["title"],
                description=data["description"],
                unit=data["unit"],
                start_date=data["start_date"],
                deadline=data["deadline"],
                weight=data["weight"],
            ),
            actor=request.user,
        )
    except services.MeasureError as error:
        form.add_error(error.field, error.message)
        return _render_problem(request, problem, form, status=400)
    messages.success(request, _("The measure was added."))
    return redirect("commitments:staff_measure", pk=measure.pk)


# --- Staff: one measure ------------------------------------------------------------------


def _action_form(action: str, user, *args, **kwargs):
    """The form of one action for this user (only supervisors are asked for a reason to mark
    a measure done without its milestones and evidence)."""
    if action == MeasureAction.MARK_DONE:
        kwargs["may_give_reason"] = user.role in SIGNERS
    return ACTION_FORMS[action](*args, **kwargs)


def _action_forms(request, measure: Measure, bound: tuple[str, object] | None = None) -> dict:
    forms = {}
    for action, form_class in ACTION_FORMS.items():
        if not services.may(measure, action, request.user):
            continue
        if action == MeasureAction.APPROVE_EXTENSION and measure.pending_extension is None:
            continue
        if action == MeasureAction.REQUEST_EXTENSION and measure.pending_extension is not None:
            continue
        if bound and bound[0] == action:
            forms[action] = bound[1]
        elif action == MeasureAction.PROGRESS:
            forms[action] = form_class(prefix=action, initial={"progress": measure.progress})
        else:
            forms[action] = _action_form(action, request.user, prefix=action)
    return forms


def _render_measure(request, measure: Measure, bound=None, status: int = 200) -> HttpResponse:
    may_complete = services.may(measure, MeasureAction.MILESTONE_COMPLETE, request.user)
    forms = _action_forms(request, measure, bound)
    context = {
        "measure": measure,
        "events": measure.events.select_related("actor").order_by("-position"),
        "milestones": measure.milestones.all(),
        "evidence": measure.evidence.select_related("uploaded_by"),
        "extensions": measure.extensions.select_related("requested_by", "approved_by"),
        "pending_extension": measure.pending_extension,
        "forms": forms,
        "missing_for_done": (
            measure.missing_for_done() if MeasureAction.MARK_DONE in forms else []
        ),
        "may_complete_milestones": may_complete,
        "overdue": measure.is_overdue(),
    }
    return render(request, "commitments/staff_measure.html", context, status=status)


@require_GET
@staff_required
def staff_measure(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_measure(request, get_measure_for_user(request.user, pk))


def _perform(action: str, measure: Measure, user, data: dict) -> str:
    if action == MeasureAction.PROGRESS:
        services.measure_update_progress(
            measure=measure, progress=data["progress"], actor=user, note=data["note"]
        )
        return _("Progress saved.")
    if action == MeasureAction.MILESTONE_ADD:
        services.milestone_add(
            measure=measure, title=data["title"], due_date=data["due_date"], actor=user
        )
        return _("Milestone added.")
    if action == MeasureAction.EVIDENCE:
        services.evidence_add(measure=measure, upload=data["file"], actor=user, note=data["note"])
        return _("Evidence added.")
    if action == MeasureAction.REQUEST_EXTENSION:
        services.measure_request_extension(
            measure=measure, reason=data["reason"], new_deadline=data["new_deadline"], actor=user
        )
        return _("The extension was requested; a supervisor will decide on it.")
    if action == MeasureAction.APPROVE_EXTENSION:
        services.measure_approve_extension(measure=measure, actor=user, note=data["note"])
        return _("The extension was approved; the new deadline and its reason are public.")
    if action == MeasureAction.MARK_DONE:
        services.measure_mark_done(
            measure=measure, actor=user, note=data["note"], reason=data.get("reason", "")
        )
        return _("The measure is marked done.")
    if action == MeasureAction.VERIFY:
        services.measure_verify(measure=measure, actor=user, note=data["note"])
        return _("The measure is verified and signed off.")
    services.measure_close(measure=measure, actor=user, note=data["note"])
    return _("The measure is closed.")


@require_POST
@staff_required
def staff_measure_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    measure = get_measure_for_user(request.user, pk)
    if action == MeasureAction.MILESTONE_COMPLETE:
        return _complete_milestone(request, measure)
    if action not in ACTION_FORMS:
        raise Http404
    form = _action_form(action, request.user, request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_measure(request, measure, bound=(action, form), status=400)
    try:
        message = _perform(action, measure, request.user, form.cleaned_data)
    except services.MeasureError as error:
        if action not in _action_forms(request, measure):
            # No form to show the error on: the action is not open to this user now.
            messages.error(request, error.message)
            return _render_measure(request, measure, status=400)
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return _render_measure(request, measure, bound=(action, form), status=400)
    messages.success(request, message)
    return redirect("commitments:staff_measure", pk=measure.pk)


def _complete_milestone(request: HttpRequest, measure: Measure) -> HttpResponse:
    form = MilestoneCompleteForm(request.POST)
    if not form.is_valid():
        raise Http404
    milestone = get_object_or_404(measure.milestones, pk=form.cleaned_data["milestone"])
    try:
        services.milestone_complete(milestone=milestone, actor=request.user)
    except services.MeasureError as error:
        messages.error(request, error.message)
        return _render_measure(request, measure, status=400)
    messages.success(request, _("Milestone reached."))
    return redirect("commitments:staff_measure", pk=measure.pk)


@require_GET
@staff_required
def staff_evidence(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence, pk=pk)
    get_measure_for_user(request.user, evidence.measure_id)
    return upload_response(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        filename=f"evidence-{evidence.pk}.{evidence.file.name.rsplit('.', 1)[-1]}",
    )


@require_GET
@staff_required
def staff_due(request: HttpRequest) -> HttpResponse:
    _reader_required(request)
    user = request.user
    if user.sees_all_cases:
        units = Unit.objects.all()
    else:
        units = Unit.objects.subtree_of(user.unit) if user.unit else Unit.objects.none()
    form = DueFilterForm(request.GET or None, units=units)
    measures = Measure.objects.visible_to(user).select_related("unit", "problem")
    days, status = 3, 200
    if form.is_bound:
        if form.is_valid():
            if form.cleaned_data["unit"]:
                measures = measures.for_unit_subtree(form.cleaned_data["unit"])
            if form.cleaned_data["days"] is not None:
                days = form.cleaned_data["days"]
        else:
            measures, status = measures.none(), 400
    context = {
        "form": form,
        "days": days,
        "overdue": measures.overdue().order_by("unit__path", "deadline", "id"),
        "due_soon": measures.due_soon(days).order_by("unit__path", "deadline", "id"),
        "today": timezone.localdate(),
    }
    return render(request, "commitments/staff_due.html", context, status=status)


# --- Public pages ------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    measures = Measure.objects.all()
    problems = Problem.objects.all()
    status = 200
    if form.is_bound and not form.is_valid():
        measures, status = measures.none(), 400
    elif form.is_bound:
        data = form.cleaned_data
        if data["unit"]:
            measures = measures.for_unit_subtree(data["unit"])
        if data["status"]:
            measures = measures.filter(status=data["status"])
        if data["overdue"]:
            measures = measures.overdue()
        if data["campaign"]:
            problems = problems.filter(campaigns=data["campaign"])
    problems = with_progress(
        problems.filter(pk__in=measures.values("problem")).select_related("lead_unit")
    ).prefetch_related("campaigns")
    overdue_ids = set(Measure.objects.overdue().values_list("problem", flat=True))
    context = {"form": form, "problems": problems, "overdue_ids": overdue_ids}
    return render(request, "commitments/public_list.html", context, status=status)


def _public_problem(pk: int) -> Problem:
    problem = (
        Problem.objects.filter(pk=pk, measures__isnull=False)
        .select_related("lead_unit")
        .distinct()
        .first()
    )
    if problem is None:
        raise Http404
    return problem


def _render_public_problem(request, problem: Problem, form=None, status: int = 200):
    measures = list(
        problem.measures.select_related("unit").prefetch_related("milestones", "extensions")
    )
    for measure in measures:
        # Only approved extensions are public, with their reasons.
        measure.public_extensions = [e for e in measure.extensions.all() if e.approved_at]
    measure_events = MeasureEvent.objects.filter(
        measure__problem=problem, is_public=True
    ).select_related("measure")
    # A measure's own "promised" event already tells the public it was added.
    problem_events = (
        ProblemEvent.objects.filter(problem=problem, is_public=True)
        .exclude(action=ProblemAction.MEASURE_ADDED)
        .select_related("measure")
    )
    timeline = sorted(
        chain(measure_events, problem_events), key=attrgetter("created_at"), reverse=True
    )
    context = {
        "problem": problem,
        "progress": problem_progress(problem),
        "measures": measures,
        "timeline": timeline,
        "co_units": problem.co_units.all(),
        "subscribe_form": form or SubscribeForm(),
        "today": timezone.localdate(),
    }
    return render(request, "commitments/public_problem.html", context, status=status)


@require_GET
def public_problem(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_public_problem(request, _public_problem(pk))


@require_POST
def subscribe(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _public_problem(pk)
    form = SubscribeForm(request.POST)
    limit = getattr(settings, "CIVICDESK_SUBSCRIBE_RATE_LIMIT", "10/h")
    if over_limit(request, "subscribe", limit):
        form.is_valid()
        form.add_error(None, _("Too many subscriptions from your connection. Try again later."))
        return _render_public_problem(request, problem, form, status=429)
    if not form.is_valid():
        return _render_public_problem(request, problem, form, status=400)
    services.subscription_create(
        problem=problem, email=form.cleaned_data["email"], language=get_language() or ""
    )
    messages.success(request, _("Almost done: open the link we sent to your mailbox to confirm."))
    return redirect("commitments:public_problem", pk=problem.pk)


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        get_subscription_for_token(token, request=request)
    except TokenThrottled as throttled:
        return too_many_attempts(request, throttled)
    subscription = services.subscription_confirm(token=token)
    if subscription is None:  # stopped in the meantime
        raise Http404
    messages.success(request, _("Confirmed: you will get news about this problem by email."))
    return redirect("commitments:public_problem", pk=subscription.problem_id)


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = get_subscription_for_token(token, request=request)
    except TokenThrottled as throttled:
        return too_many_attempts(request, throttled)
    if request.method == "GET":
        return render(request, "commitments/unsubscribe.html", {"subscription": subscription})
    services.subscription_delete(token=token)
    messages.success(request, _("You will get no more email about this problem."))
    return redirect("commitments:public_problem", pk=subscription.problem_id)
