"""Public pages: report a problem, follow it with its tracking code, read published answers."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.cases.access import LookupThrottled, get_case_for_tracking_code
from civicdesk.cases.models import Case
from civicdesk.cases.services import CaseActionError, case_reopen
from civicdesk.cases.workflow import Status
from civicdesk.core.files import is_disk_full
from civicdesk.core.htmx import is_htmx
from civicdesk.core.paging import CappedPaginator
from civicdesk.core.ratelimit import over_limit, refused_page
from civicdesk.evaluation.forms import FollowUpForm
from civicdesk.evaluation.services import FollowUpError
from civicdesk.intake.models import Channel, IdempotencyKey
from civicdesk.intake.services import IdempotencyConflict, NewSubmission, receive
from civicdesk.public import loop
from civicdesk.public.forms import AnsweredSearchForm, DisputeForm, ReportForm, TrackForm
from civicdesk.reports.views import confidential_received

REPORT_CHANNEL = "snapshot"


def home(request: HttpRequest) -> HttpResponse:
    recent = Case.objects.published().with_public_texts().select_related("unit", "category")[:5]
    return render(request, "public/home.html", {"track_form": TrackForm(), "recent": recent})


def _earlier_report(token: str) -> Case | None:
    # get() on the unique key: first() would sort by the primary key for nothing.
    try:
        record = IdempotencyKey.objects.select_related("submission__case").get(key=f"form:{token}")
    except IdempotencyKey.DoesNotExist:
        return None
    return record.submission.case


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_report(request, ReportForm())

    form = ReportForm(request.POST, request.FILES)
    token = request.POST.get("form_token", "")
    earlier = _earlier_report(token) if token else None
    if earlier is not None:
        messages.info(request, _("This report was already sent; here is its status."))
        return redirect("public:status", code=earlier.tracking_code)
    if over_limit(request, "submit", settings.CIVICDESK_SUBMISSION_RATE_LIMIT):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many reports were sent from your connection. Please try again in an hour, "
                "or call the service hotline."
            ),
        )
        return _render_report(request, form, status=429)
    if not form.is_valid():
        return _render_report(request, form, status=400)

    data = form.cleaned_data
    new = NewSubmission(
        channel=Channel.objects.get(code=REPORT_CHANNEL),
        description=data["description"],
        category=data["category"],
        address=data["address"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        contact_email=data["contact_email"],
        for_enterprise=data["for_enterprise"],
        enterprise_name=data["enterprise_name"],
        enterprise_credit_code=data["enterprise_credit_code"],
        consent_publish=data["consent_publish"],
        language=get_language() or "",
        source_details={"form": "web"},
        photos=data["photos"],
    )
    try:
        received = receive(data=new, idempotency_key=f"form:{data['form_token']}")
    except OSError as error:
        if not is_disk_full(error):
            raise
        # submission_create stored nothing (rows rolled back, files removed): say so.
        form.add_error(
            None,
            _(
                "Your report could not be saved: the server has no storage space left for "
                "photos. Nothing was sent; please try again later, or send it without photos."
            ),
        )
        return _render_report(request, form, status=503)
    except IdempotencyConflict:
        case = _earlier_report(str(data["form_token"]))
        messages.info(request, _("This report was already sent; here is its status."))
        return redirect("public:status", code=case.tracking_code)
    if received.is_confidential:
        # An allegation of misconduct: a confidential report, followed (for intermediaries)
        # with its secret code, never by a public tracking code.
        return confidential_received(request, received)
    case = received.case
    messages.success(
        request,
        _("Thank you. Your report was received. Keep the tracking code %(code)s to follow it.")
        % {"code": case.tracking_code},
    )
    return redirect("public:status", code=case.tracking_code)


def _render_report(request: HttpRequest, form: ReportForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "photos_lost": bool(request.FILES) and form.is_bound and not form.is_valid(),
    }
    return render(request, "public/report.html", context, status=status)


def _too_many_lookups(request: HttpRequest, throttled: LookupThrottled) -> HttpResponse:
    return refused_page(request, "public/too_many_lookups.html", throttled)


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        try:
            case = get_case_for_tracking_code(form.cleaned_data["code"], request=request)
        except LookupThrottled as throttled:
            return _too_many_lookups(request, throttled)
        except Http404:
            form.add_error("code", _("No report has this tracking code."))
        else:
            return redirect("public:status", code=case.tracking_code)
    status = 404 if form.is_bound and not form.is_valid() else 200
    return render(request, "public/track.html", {"form": form}, status=status)


def _render_status(
    request: HttpRequest,
    case: Case,
    *,
    dispute_form: DisputeForm | None = None,
    satisfaction_form: FollowUpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    events = list(case.events.public().select_related("unit"))
    followup = loop.current_followup(case)
    asking = loop.may_answer(case, followup)
    # One way to say "not solved" at a time: the satisfaction question while it is open,
    # else (answered, or closed without an answer) the dispute form.
    can_dispute = case.status in {Status.ANSWERED, Status.CLOSED} and not asking
    context = {
        "case": case,
        "events": events,
        "photos": case.submission.photos.all(),
        # A form just sent comes back with its errors wherever the case stands.
        "dispute_form": dispute_form or (DisputeForm() if can_dispute else None),
        "satisfaction_form": satisfaction_form or (FollowUpForm() if asking else None),
        "followup": followup,
        **loop.answer_context(case, events),
    }
    return render(request, "public/status.html", context, status=status)


def status(request: HttpRequest, code: str) -> HttpResponse:
    try:
        case = get_case_for_tracking_code(code, request=request)
    except LookupThrottled as throttled:
        return _too_many_lookups(request, throttled)
    if case.tracking_code != code:
        return redirect("public:status", code=case.tracking_code)
    return _render_status(request, case)


@require_POST
def dispute(request: HttpRequest, code: str) -> HttpResponse:
    try:
        case = get_case_for_tracking_code(code, request=request)
    except LookupThrottled as throttled:
        return _too_many_lookups(request, throttled)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            case_reopen(case=case, actor=None, reason=form.cleaned_data["reason"])
        except CaseActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your case was reopened; the unit will answer again."))
            return redirect("public:status", code=case.tracking_code)
    return _render_status(request, case, dispute_form=form, status=400)


@require_POST
def satisfaction(request: HttpRequest, code: str) -> HttpResponse:
    """The satisfaction question of the status page: whoever holds the tracking code (the
    key to the page) answers it, once per answer."""
    try:
        case = get_case_for_tracking_code(code, request=request)
    except LookupThrottled as throttled:
        return _too_many_lookups(request, throttled)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            loop.answer_on_status_page(case=case, **form.answer())
        except FollowUpError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect("public:status", code=case.tracking_code)
    return _render_status(request, case, satisfaction_form=form, status=400)


def answered(request: HttpRequest) -> HttpResponse:
    form = AnsweredSearchForm(request.GET or None)
    cases = (
        Case.objects.published()
        .with_public_texts()
        .select_related("unit", "category")
        .order_by("-answered_at", "-id")
    )
    if form.is_valid() and form.cleaned_data["q"]:
        cases = cases.search(form.cleaned_data["q"], public=True)
    page = CappedPaginator(cases, 20).get_page(request.GET.get("page"))
    template = "public/_answered_list.html" if is_htmx(request) else "public/answered.html"
    return render(request, template, {"form": form, "page": page})
