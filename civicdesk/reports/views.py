"""Pages of the confidential ledgers: staff lists and report pages, workbook import and
export, public forms, follow-up.

Every staff page reaches reports only through ``civicdesk.reports.access`` and logs each
report it shows (or exports) in the report's access log.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.core.access import staff_required
from civicdesk.core.ratelimit import over_limit, refused_page
from civicdesk.core.templatetags.civic import local_name
from civicdesk.intake.models import Channel
from civicdesk.ledgers.forms import ImportForm
from civicdesk.reports import services, spreadsheets
from civicdesk.reports.access import (
    FollowUpThrottled,
    get_rejection_for_user,
    get_report_for_followup_code,
    get_report_for_user,
    reports_visible_to,
)
from civicdesk.reports.forms import (
    ActionForm,
    FilterForm,
    FollowUpForm,
    InactionReportForm,
    IntermediaryReportForm,
    SupplementForm,
)
from civicdesk.reports.models import AccessView, Report
from civicdesk.reports.workflow import (
    STAFF_ACTIONS,
    TRANSITIONS,
    Action,
    Ledger,
    Status,
    allowed_actions,
    may_handle,
)

PAGE_SIZE = 25
NO_STORE = "no-store, private"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- staff pages


def _filtered(request: HttpRequest, ledger: str):
    """The reports of the ledger this user may see, narrowed by the list's filters."""
    reports = reports_visible_to(request.user, ledger).select_related("reported_unit")
    form = FilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["status"]:
            reports = reports.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["unit"]:
            reports = reports.filter(reported_unit=form.cleaned_data["unit"])
    return reports, form


@require_GET
@staff_required
def report_list(request: HttpRequest, ledger: str) -> HttpResponse:
    reports, form = _filtered(request, ledger)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    services.report_log_access(reports=list(page), user=request.user, view=AccessView.LIST)
    response = render(
        request,
        "reports/list.html",
        {
            "ledger": Ledger(ledger),
            "form": form,
            "page": page,
            "detail_url": f"reports:{ledger}_detail",
            "list_url": f"reports:{ledger}_list",
            "export_url": f"reports:{ledger}_export",
            "filter_query": urlencode(
                {k: request.GET[k] for k in ("status", "unit") if request.GET.get(k)}
            ),
            "import_url": f"reports:{ledger}_import",
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )
    response["Cache-Control"] = NO_STORE
    return response


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@staff_required
def report_export(request: HttpRequest, ledger: str) -> HttpResponse:
    """The reports of the list, with its filters, as a workbook; each one is logged."""
    reports, form = _filtered(request, ledger)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("The filters are not valid."), status=400, content_type="text/plain")
    reports = list(reports.select_related("reported_unit", "filed_by"))
    content = spreadsheets.reports_workbook(ledger, reports)
    services.report_log_access(reports=reports, user=request.user, view=AccessView.EXPORT)
    return _xlsx(content, f"reports-{ledger}-{timezone.localdate().isoformat()}.xlsx")


@require_http_methods(["GET", "POST"])
@staff_required
def report_import(request: HttpRequest, ledger: str) -> HttpResponse:
    """Reports taken on paper or by phone, loaded from a workbook: all rows or none."""
    reports_visible_to(request.user, ledger)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = spreadsheets.report_import(
            ledger=ledger, file_name=upload.name, content=upload.read(), actor=request.user
        )
        if not outcome.errors:
            messages.success(
                request,
                _("%(count)d reports were imported.") % {"count": len(outcome.reports)},
            )
            return redirect(f"reports:{ledger}_list")
    context = {
        "ledger": Ledger(ledger),
        "form": form,
        "outcome": outcome,
        "columns": spreadsheets.COLUMNS[ledger],
        "settings": spreadsheets.setting_choices() if ledger == Ledger.INTERMEDIARY else None,
        "list_url": f"reports:{ledger}_list",
        "import_url": f"reports:{ledger}_import",
        "rejected_url": f"reports:{ledger}_import_rejected",
    }
    response = render(request, "reports/import.html", context, status=400 if form.is_bound else 200)
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@staff_required
def import_rejected(request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
    rejection = get_rejection_for_user(request.user, ledger, pk)
    return _xlsx(bytes(rejection.content), rejection.file_name)


def _render_report(
    request: HttpRequest, report: Report, bound: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    role = request.user.role
    forms = {}
    for action in allowed_actions(ledger=report.ledger, status=report.status, role=role):
        is_bound = bound is not None and bound.action == action
        initial = {"unit": report.reported_unit_id} if action == Action.SET_UNIT else None
        forms[action] = bound if is_bound else ActionForm(action=action, initial=initial)
    channel = Channel.objects.filter(code=report.channel).first() if report.channel else None
    context = {
        "report": report,
        "channel_name": local_name(channel) if channel else "",
        "ledger": Ledger(report.ledger),
        "events": report.events.select_related("actor"),
        "accesses": report.accesses.select_related("user").order_by("-created_at", "-id"),
        "forms": forms,
        "transitions": TRANSITIONS,
        "list_url": f"reports:{report.ledger}_list",
        "action_url": f"reports:{report.ledger}_action",
    }
    response = render(request, "reports/detail.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@staff_required
def report_detail(request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, ledger, pk)
    services.report_log_access(reports=[report], user=request.user, view=AccessView.DETAIL)
    return _render_report(request, report)


def _perform(action: str, report: Report, actor, data: dict) -> str:
    note = data["note"]
    if action == Action.SET_UNIT:
        report = services.report_set_unit(report=report, unit=data["unit"], actor=actor, note=note)
        if report.reported_unit is None:
            return _("The report names no unit now.")
        return _("The report is now about %(unit)s.") % {"unit": local_name(report.reported_unit)}
    if action in TRANSITIONS:
        report = services.report_transition(report=report, action=action, actor=actor, note=note)
        return _("The report is now “%(status)s”.") % {"status": Status(report.status).label}
    if action == Action.NOTE:
        services.report_add_note(report=report, actor=actor, text=note)
        return _("Note added.")
    if action == Action.REPLY:
        services.report_reply(report=report, actor=actor, text=note)
        return _("The reply can now be read with the follow-up code.")
    raise Http404


@require_POST
@staff_required
def report_action(request: HttpRequest, ledger: str, pk: int, action: str) -> HttpResponse:
    report = get_report_for_user(request.user, ledger, pk)
    if action not in STAFF_ACTIONS:
        raise Http404
    services.report_log_access(reports=[report], user=request.user, view=AccessView.ACTION)
    form = ActionForm(request.POST, action=action)
    if action not in allowed_actions(
        ledger=report.ledger, status=report.status, role=request.user.role
    ):
        messages.error(request, _("This action is not possible on this report now."))
        return _render_report(request, report, status=409)
    if not form.is_valid():
        return _render_report(request, report, form, status=400)
    try:
        message = _perform(action, report, request.user, form.cleaned_data)
    except services.ReportActionError as error:
        form.add_error(None, str(error))
        report.refresh_from_db()
        return _render_report(request, report, form, status=409)
    messages.success(request, message)
    return redirect(f"reports:{ledger}_detail", pk=report.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def staff_file(request: HttpRequest) -> HttpResponse:
    """Any staff member may take down an inaction report; only its audience can read it."""
    form = InactionReportForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "reports/staff_file.html", {"form": form}, status=400)
        try:
            report, _code = services.report_file(
                ledger=Ledger.INACTION,
                data=form.new_report(),
                filed_by=request.user,
                form_token=form.cleaned_data["form_token"],
            )
        except services.DuplicateSubmission:
            messages.info(request, _("This report was already filed."))
            return redirect("reports:staff_file")
        except services.ReportActionError as error:
            form.add_error(None, str(error))
            return render(request, "reports/staff_file.html", {"form": form}, status=400)
        messages.success(request, _("The report was filed and sent to the supervisors."))
        if may_handle(request.user.role, Ledger.INACTION):
            return redirect("reports:inaction_detail", pk=report.pk)
        return redirect("reports:staff_file")
    return render(request, "reports/staff_file.html", {"form": form})


# --------------------------------------------------------------- public pages

PUBLIC_FORMS = {Ledger.INACTION: InactionReportForm, Ledger.INTERMEDIARY: IntermediaryReportForm}


def _render_public(request: HttpRequest, ledger: str, form, status: int = 200) -> HttpResponse:
    return render(
        request, "reports/public_form.html", {"form": form, "ledger": Ledger(ledger)}, status=status
    )


def confidential_received(request: HttpRequest, received) -> HttpResponse:
    """The page for an allegation sent through another form (the report-a-problem form)
    that civicdesk.intake.routing filed as a confidential report (``intake.services.Received``)."""
    return _received(
        request,
        received.report.ledger,
        code=received.followup_code,
        again=not received.created,
        routed=True,
    )


def _received(
    request: HttpRequest, ledger: str, *, code: str | None, again: bool, routed: bool = False
) -> HttpResponse:
    response = render(
        request,
        "reports/public_received.html",
        {"ledger": Ledger(ledger), "code": code, "again": again, "routed": routed},
        status=200 if again else 201,
    )
    # The follow-up code is on this page only: no cache may keep it.
    response["Cache-Control"] = NO_STORE
    return response


@require_http_methods(["GET", "POST"])
def public_file(request: HttpRequest, ledger: str) -> HttpResponse:
    form_class = PUBLIC_FORMS[ledger]
    if request.method == "GET":
        return _render_public(request, ledger, form_class())
    form = form_class(request.POST)
    if over_limit(request, "report-submit", settings.CIVICDESK_SUBMISSION_RATE_LIMIT):
        form.is_valid()
        form.add_error(
            None,
            _("Too many reports were sent from your connection. Please try again in an hour."),
        )
        return _render_public(request, ledger, form, status=429)
    if not form.is_valid():
        return _render_public(request, ledger, form, status=400)
    try:
        _report, code = services.report_file(
            ledger=ledger,
            data=form.new_report(),
            filed_by=None,
            form_token=form.cleaned_data["form_token"],
        )
    except services.DuplicateSubmission:
        return _received(request, ledger, code=None, again=True)
    except services.ReportActionError as error:
        form.add_error(None, str(error))
        return _render_public(request, ledger, form, status=400)
    return _received(request, ledger, code=code, again=False)


def _too_many(request: HttpRequest, throttled: FollowUpThrottled) -> HttpResponse:
    return refused_page(request, "reports/followup_throttled.html", throttled)


def _render_followup(
    request: HttpRequest, report: Report, code: str, form=None, status: int = 200
) -> HttpResponse:
    context = {
        "report": report,
        "events": report.events.for_reporter(),
        "form": form or SupplementForm(initial={"code": code}),
        "closed": report.status == Status.CLOSED,
    }
    response = render(request, "reports/followup_status.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


@require_http_methods(["GET", "POST"])
def followup(request: HttpRequest) -> HttpResponse:
    """The code travels in POST bodies only, never in a URL (history, logs, referrers)."""
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                report = get_report_for_followup_code(form.cleaned_data["code"], request=request)
            except FollowUpThrottled as throttled:
                return _too_many(request, throttled)
            except Http404:
                pass
            else:
                return _render_followup(request, report, form.cleaned_data["code"])
        form = FollowUpForm(request.POST)
        form.is_valid()
        form.errors.clear()
        form.add_error(None, _("No report has this follow-up code."))
        return render(request, "reports/followup.html", {"form": form}, status=404)
    return render(request, "reports/followup.html", {"form": form})


@require_POST
def followup_add(request: HttpRequest) -> HttpResponse:
    form = SupplementForm(request.POST)
    try:
        report = get_report_for_followup_code(request.POST.get("code", ""), request=request)
    except FollowUpThrottled as throttled:
        return _too_many(request, throttled)
    except Http404:
        lookup = FollowUpForm(request.POST)
        lookup.is_valid()
        lookup.errors.clear()
        lookup.add_error(None, _("No report has this follow-up code."))
        return render(request, "reports/followup.html", {"form": lookup}, status=404)
    code = request.POST.get("code", "")
    if not form.is_valid():
        return _render_followup(request, report, code, form, status=400)
    try:
        services.report_supplement(report=report, text=form.cleaned_data["text"])
    except services.ReportActionError as error:
        form.add_error(None, str(error))
        return _render_followup(request, report, code, form, status=409)
    messages.success(request, _("Thank you. Your information was added to the report."))
    return _render_followup(request, report, code)
