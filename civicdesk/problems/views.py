"""Staff pages for triage: clustering runs, clusters, the prominent-problem list, and the
triage panel on a case page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.accounts.models import Unit
from civicdesk.cases.access import get_case_for_user
from civicdesk.cases.models import Category
from civicdesk.cases.workflow import Action, Status, allowed_actions
from civicdesk.core.access import staff_view
from civicdesk.intake import in_person
from civicdesk.problems import services, suggestions
from civicdesk.problems.access import (
    can_edit,
    can_read,
    get_cluster_for_user,
    get_problem_for_user,
    get_run_for_user,
)
from civicdesk.problems.forms import (
    ClusterRunForm,
    MergeForm,
    ProblemForm,
    PromoteForm,
    RenameForm,
    SplitForm,
)
from civicdesk.problems.models import ClusterRun, Problem, RunStatus

triage_reader = staff_view(can_read)


def _require_editor(request: HttpRequest) -> None:
    if not can_edit(request.user):
        raise Http404


@require_http_methods(["GET", "POST"])
@triage_reader
def problem_list(request: HttpRequest) -> HttpResponse:
    """The prominent-problem list, the clustering runs, and a form to start one."""
    form = ClusterRunForm(request.POST or None)
    if request.method == "POST":
        _require_editor(request)
        if form.is_valid():
            try:
                run = services.cluster_run_start(
                    actor=request.user,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    channels=list(form.cleaned_data["channels"]),
                )
            except services.ProblemError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Clustering started."))
                return redirect("problems:run", pk=run.pk)
    context = {
        "form": form,
        "runs": ClusterRun.objects.select_related("created_by")[:10],
        "problems": Problem.objects.select_related("category").annotate(n_cases=Count("cases"))[
            :50
        ],
        "can_edit": can_edit(request.user),
    }
    return render(request, "problems/list.html", context, status=400 if form.errors else 200)


@require_GET
@triage_reader
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request.user, pk)
    clusters = run.clusters.select_related("problem")
    page = Paginator(clusters, 30).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "page": page,
        "working": run.status in {RunStatus.QUEUED, RunStatus.RUNNING},
        "can_edit": can_edit(request.user),
    }
    template = (
        "problems/_run_body.html" if request.headers.get("HX-Request") else "problems/run.html"
    )
    return render(request, template, context)


@require_POST
@triage_reader
def run_merge(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    run = get_run_for_user(request.user, pk)
    form = MergeForm(request.POST, run=run)
    if not form.is_valid():
        messages.error(request, _("Choose at least two clusters to merge."))
        return redirect("problems:run", pk=run.pk)
    try:
        merged = services.cluster_merge(
            clusters=list(form.cleaned_data["clusters"]), actor=request.user
        )
    except services.ProblemError as error:
        messages.error(request, str(error))
        return redirect("problems:run", pk=run.pk)
    messages.success(request, _("Clusters merged."))
    return redirect("problems:cluster", pk=merged.pk)


def _render_cluster(request, cluster, *, rename=None, split=None, promote=None, status=200):
    context = {
        "cluster": cluster,
        "cases": cluster.cases.select_related("submission__channel", "unit").order_by(
            "received_at"
        ),
        "rename_form": rename or RenameForm(initial={"title": cluster.title}),
        "split_form": split or SplitForm(cluster=cluster),
        "promote_form": promote or PromoteForm(initial={"title": cluster.title}),
        "can_edit": can_edit(request.user) and cluster.problem_id is None,
    }
    return render(request, "problems/cluster.html", context, status=status)


@require_GET
@triage_reader
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_cluster(request, get_cluster_for_user(request.user, pk))


@require_POST
@triage_reader
def cluster_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_editor(request)
    cluster = get_cluster_for_user(request.user, pk)
    forms = {"rename": RenameForm, "split": SplitForm, "promote": PromoteForm}
    if action not in forms:
        raise Http404
    form = (
        SplitForm(request.POST, cluster=cluster)
        if action == "split"
        else forms[action](request.POST)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "rename":
                services.cluster_rename(cluster=cluster, title=data["title"], actor=request.user)
                messages.success(request, _("Cluster renamed."))
            elif action == "split":
                new = services.cluster_split(
                    cluster=cluster,
                    cases=list(data["cases"]),
                    actor=request.user,
                    title=data["title"],
                )
                messages.success(request, _("The chosen cases now form their own cluster."))
                return redirect("problems:cluster", pk=new.pk)
            else:
                problem = services.cluster_promote(
                    cluster=cluster,
                    actor=request.user,
                    title=data["title"],
                    category=data["category"],
                    description=data["description"],
                )
                messages.success(request, _("The problem is on the list."))
                return redirect("problems:problem", pk=problem.pk)
            return redirect("problems:cluster", pk=cluster.pk)
        except services.ProblemError as error:
            form.add_error(None, str(error))
    return _render_cluster(request, cluster, status=400, **{action: form})


def _problem_initial(problem: Problem) -> dict:
    return {
        "title": problem.title,
        "description": problem.description,
        "category": problem.category,
        "campaigns": problem.campaigns.all(),
        "lead_unit": problem.lead_unit,
        "co_units": problem.co_units.all(),
        "responsible_official": problem.responsible_official,
        "case_codes": " ".join(problem.cases.values_list("tracking_code", flat=True)),
    }


@require_http_methods(["GET", "POST"])
@triage_reader
def problem_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a problem by hand, or change who leads it, its campaigns and its cases."""
    _require_editor(request)
    problem = get_problem_for_user(request.user, pk) if pk is not None else None
    if request.method == "POST":
        form = ProblemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = services.problem_save(
                    problem=problem,
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    lead_unit=data["lead_unit"],
                    co_units=list(data["co_units"]),
                    responsible_official=data["responsible_official"],
                    campaigns=list(data["campaigns"]),
                    cases=data["case_codes"],
                )
            except services.ProblemError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The problem was saved."))
                return redirect("problems:problem", pk=problem.pk)
    else:
        form = ProblemForm(initial=_problem_initial(problem) if problem else None)
    return render(
        request,
        "problems/edit.html",
        {"form": form, "problem": problem},
        status=400 if form.errors else 200,
    )


@require_GET
@triage_reader
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request.user, pk)
    cases = problem.cases.select_related("submission__channel", "unit").order_by("-received_at")
    by_channel: dict[str, int] = {}
    for case in cases:
        name = str(case.submission.channel)
        by_channel[name] = by_channel.get(name, 0) + 1
    return render(
        request,
        "problems/problem.html",
        {
            "problem": problem,
            "cases": cases,
            "by_channel": sorted(by_channel.items()),
            "clusters": problem.clusters.select_related("run"),
            "changes": problem.changes.select_related("actor").order_by("-position")[:20],
            "can_edit": can_edit(request.user),
        },
    )


def _percent(confidence: float) -> str:
    """A confidence as a whole percentage, rounded down and never 100: a suggestion is never
    certain (models before calibration stored up to 0.9999); under 1 % reads "<1"."""
    percent = min(99, int(confidence * 100))
    return str(percent) if percent >= 1 else "<1"


def _route_action(case, user) -> str | None:
    """The action that routes this case to a unit, if this user may take it now."""
    allowed = allowed_actions(case.status, user.role)
    return next((action for action in (Action.ASSIGN, Action.REASSIGN) if action in allowed), None)


@require_GET
def case_triage_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggested category and unit, and possible same-problem cases, for the case page (htmx).
    Each suggestion is a button that applies it through the case's own actions (the same
    forms, services and access checks as the action panel)."""
    if not request.user.is_authenticated:
        raise Http404
    case = get_case_for_user(request.user, pk)
    suggestion = suggestions.suggest_categories(case)
    unit_suggestion = suggestions.suggest_unit(case)
    similar = services.similar_open_cases(services.case_text(case), user=request.user, exclude=case)
    categories = Category.objects.in_bulk(
        [item["code"] for item in suggestion.top] if suggestion else [], field_name="code"
    )
    units = Unit.objects.active().in_bulk(
        [item["code"] for item in unit_suggestion.top] if unit_suggestion else [],
        field_name="code",
    )
    can_recategorize = case.status != Status.MERGED and Action.RECATEGORIZE in allowed_actions(
        case.status, request.user.role
    )
    return render(
        request,
        "problems/_case_triage.html",
        {
            "case": case,
            "suggestion": suggestion,
            "suggested": [
                (categories[item["code"]], _percent(item["confidence"]))
                for item in (suggestion.top if suggestion else [])
                if item["code"] in categories
            ],
            "can_recategorize": can_recategorize,
            "unit_suggestion": unit_suggestion,
            "suggested_units": [
                (units[item["code"]], _percent(item["confidence"]))
                for item in (unit_suggestion.top if unit_suggestion else [])
                if item["code"] in units
            ],
            "route_action": _route_action(case, request.user),
            "similar": similar,
        },
    )


# Hints need some words to go on; past this much text, more adds nothing to the match.
HINT_MIN_CHARS = 6
HINT_MAX_CHARS = 2000


@require_GET
@staff_view(in_person.can_record)
def same_problem_hints(request: HttpRequest) -> HttpResponse:
    """Open cases that may report the same problem as the opinion being typed (htmx, on the
    in-person recording form), among those the user may see."""
    description = request.GET.get("description", "").strip()[:HINT_MAX_CHARS]
    address = request.GET.get("address", "").strip()[:HINT_MAX_CHARS]
    similar = []
    if len(description) >= HINT_MIN_CHARS:
        text = "\n".join(part for part in (description, address) if part)
        similar = services.similar_open_cases(text, user=request.user)
    return render(
        request,
        "problems/_same_problem_hints.html",
        {"similar": similar, "asked": len(description) >= HINT_MIN_CHARS},
    )
