"""Moderation pages: the public "report abuse" form (举报不当内容), and for moderators the
queue of open abuse reports and a case's public texts with their moderation."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.cases.models import Case
from civicdesk.core.access import staff_view
from civicdesk.core.paging import CappedPaginator
from civicdesk.core.ratelimit import client_address, over_limit, seconds_left
from civicdesk.moderation import services
from civicdesk.moderation.access import get_case_for_moderator, is_moderator
from civicdesk.moderation.forms import AbuseReportForm, DismissForm, ModerateForm
from civicdesk.moderation.hook import in_force
from civicdesk.moderation.models import AbuseReport, AbuseStatus, PublicField
from civicdesk.nearby.queries import get_published_report

moderator_required = staff_view(is_moderator)


def abuse_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_ABUSE_REPORT_RATE_LIMIT", "5/h")


def flaggable_fields(case: Case) -> list[str]:
    return [field for field in PublicField.values if services.stored_text(case, field)]


@require_http_methods(["GET", "POST"])
def report_abuse(request: HttpRequest, public_id: str) -> HttpResponse:
    case = get_published_report(public_id)
    fields = flaggable_fields(case)
    form = AbuseReportForm(request.POST or None, fields=fields)
    context = {"case": case, "form": form}
    if request.method == "GET":
        return render(request, "moderation/report_abuse.html", context)
    if over_limit(request, "abuse-report", abuse_rate_limit()):
        form.is_valid()
        form.add_error(
            None,
            _("Too many reports of inappropriate content from your connection. Try again later."),
        )
        response = render(request, "moderation/report_abuse.html", context, status=429)
        response["Retry-After"] = str(seconds_left(abuse_rate_limit()))
        return response
    if not form.is_valid():
        return render(request, "moderation/report_abuse.html", context, status=400)
    try:
        services.abuse_report_create(
            case=case,
            field=form.cleaned_data["field"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            client=client_address(request),
        )
    except services.AlreadyReported as error:
        messages.info(request, str(error))
        return redirect("nearby:report", public_id=case.public_id)
    except services.ModerationError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return render(request, "moderation/report_abuse.html", context, status=400)
    messages.success(
        request, _("Thank you. The moderators will look at this text and hide it if needed.")
    )
    return redirect("nearby:report", public_id=case.public_id)


@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    """Cases with open abuse reports, the most reported first."""
    status = request.GET.get("status", AbuseStatus.OPEN)
    if status not in AbuseStatus.values:
        status = AbuseStatus.OPEN
    cases = (
        Case.objects.filter(abuse_reports__status=status)
        .annotate(reports=Count("abuse_reports", filter=Q(abuse_reports__status=status)))
        .with_public_texts()
        .select_related("category", "unit")
        .order_by("-reports", "-id")
    )
    page = CappedPaginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/queue.html",
        {"page": page, "status": status, "statuses": AbuseStatus.choices},
    )


def _texts(case: Case) -> list[dict]:
    moderations = in_force(case)
    texts = []
    for field, label in PublicField.choices:
        stored = services.stored_text(case, field)
        if not stored:
            continue
        texts.append(
            {
                "field": field,
                "label": label,
                "stored": stored,
                "public": case.public_text(stored),
                "moderation": moderations.get(stored),
                "form": ModerateForm(prefix=field),
            }
        )
    return texts


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, failed=None):
    texts = _texts(case)
    if failed is not None:
        for text in texts:
            if text["field"] == failed.prefix:
                text["form"] = failed
    context = {
        "case": case,
        "texts": texts,
        "reports": case.abuse_reports.order_by("-created_at"),
        "history": case.text_moderations.select_related("actor").order_by("-created_at", "-id"),
        "dismiss_form": DismissForm(),
    }
    return render(request, "moderation/case.html", context, status=status)


@moderator_required
def case_texts(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, get_case_for_moderator(request.user, case_id))


@moderator_required
@require_POST
def moderate(request: HttpRequest, case_id: int, field: str) -> HttpResponse:
    case = get_case_for_moderator(request.user, case_id)
    if field not in PublicField.values:
        raise Http404
    form = ModerateForm(request.POST, prefix=field)
    if not form.is_valid():
        return _case_page(request, case, status=400, failed=form)
    data = form.cleaned_data
    try:
        services.text_moderate(
            case=case,
            field=field,
            action=data["action"],
            reason=data["reason"],
            replacement=data["replacement"],
            actor=request.user,
        )
    except services.ModerationError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _case_page(request, case, status=400, failed=form)
    messages.success(request, _("The public text was changed; the timeline records it."))
    return redirect("moderation:case", case_id=case.pk)


@moderator_required
@require_POST
def dismiss(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(AbuseReport, pk=report_id)
    case = get_case_for_moderator(request.user, report.case_id)
    form = DismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.abuse_report_dismiss(report=report, actor=request.user, note=note)
    except services.ModerationError as error:
        messages.error(request, str(error))
        return _case_page(request, case, status=409)
    messages.success(request, _("The report was dismissed."))
    return redirect("moderation:case", case_id=case.pk)
