"""Evaluation pages: the rates table (and its XLSX), a handler's own unit, the public
follow-up answer page and the staff return-call form."""

from datetime import date, datetime, time
from io import BytesIO

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from civicdesk.core.access import staff_view
from civicdesk.core.templatetags.civic import local_name
from civicdesk.core.tokens import TokenThrottled, too_many_attempts
from civicdesk.evaluation import access, rates, services
from civicdesk.evaluation import monthly as monthly_report
from civicdesk.evaluation.forms import CallForm, FollowUpForm, MonthlyForm, PeriodForm
from civicdesk.evaluation.models import FollowUpStatus
from civicdesk.ledgers.spreadsheets import safe_cell

RATE_LABELS = {
    rates.RESPONSE: gettext_lazy("Response rate"),
    rates.RESOLUTION: gettext_lazy("Resolution rate"),
    rates.SATISFACTION: gettext_lazy("Satisfaction rate"),
    rates.ON_TIME: gettext_lazy("On-time closure"),
    rates.REOPEN: gettext_lazy("Reopen rate"),
    rates.RECTIFICATION: gettext_lazy("Bad-rating rectification rate"),
    rates.FIRST_CONTACT: gettext_lazy("Answered at first contact from the knowledge base"),
}


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _period_form(request: HttpRequest) -> PeriodForm:
    """The period asked for, or this month so far."""
    asked = "since" in request.GET or "until" in request.GET
    return PeriodForm(request.GET if asked else PeriodForm.default_initial())


def _labels() -> list[tuple[str, str]]:
    return [(name, str(label)) for name, label in RATE_LABELS.items()]


def _rows(ranking: rates.Ranking) -> list[dict]:
    """Rows for the template and the spreadsheet, ranked units first; each rate's figure
    comes with the one shown beside it (the follow-ups without an answer), or None."""
    rows = []
    for row in [*ranking.ranked, *ranking.too_few]:
        rows.append(
            {
                "unit": row.unit,
                "rank": row.rank,
                "case_count": row.case_count,
                "score": row.score,
                "figures": [(row.figures[name], row.aside(name)) for name in RATE_LABELS],
            }
        )
    return rows


@require_GET
@staff_view(access.can_read_table)
def index(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    context = {"form": form, "labels": _labels()}
    if not form.is_valid():
        return render(request, "evaluation/index.html", context, status=400)
    since, end = form.period()
    ranking = rates.rank_units(rates.appraised_units(), _aware(since), _aware(end))
    context.update(ranking=ranking, rows=_rows(ranking), query=request.GET.urlencode())
    return render(request, "evaluation/index.html", context)


@require_GET
@staff_view(access.can_read_table)
def export(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    if not form.is_valid():
        return render(
            request, "evaluation/index.html", {"form": form, "labels": _labels()}, status=400
        )
    since, end = form.period()
    ranking = rates.rank_units(rates.appraised_units(), _aware(since), _aware(end))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Rates")[:31]
    header = [_("Rank"), _("Unit"), _("Cases received")]
    for name, label in _labels():
        header += [
            label,
            _("%(rate)s: counted") % {"rate": label},
            _("%(rate)s: of") % {"rate": label},
        ]
        if name in rates.ASIDES:
            header.append(_("%(rate)s: follow-ups without an answer") % {"rate": label})
    sheet.append([safe_cell(h) for h in header])
    for row in _rows(ranking):
        cells = [
            row["rank"] or _("too few cases to rank"),
            local_name(row["unit"]),
            row["case_count"],
        ]
        for figure, aside in row["figures"]:
            cells += [
                round(figure.rate, 4) if figure.rate is not None else "",
                figure.numerator,
                figure.denominator,
            ]
            if aside is not None:
                cells.append(aside.numerator)
        sheet.append([safe_cell(c) for c in cells])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    end_day = form.cleaned_data["until"]
    response["Content-Disposition"] = (
        f'attachment; filename="rates-{since.isoformat()}-{end_day.isoformat()}.xlsx"'
    )
    return response


@require_GET
@staff_view(access.can_read_own_unit)
def my_unit(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    context = {"form": form, "labels": _labels(), "unit": request.user.unit}
    if not form.is_valid():
        return render(request, "evaluation/my_unit.html", context, status=400)
    since, end = form.period()
    row = rates.unit_rates(request.user.unit, _aware(since), _aware(end))
    context["figures"] = [
        (label, row.figures[label[0]], row.aside(label[0])) for label in _labels()
    ]
    context["row"] = row
    return render(request, "evaluation/my_unit.html", context)


@require_GET
@staff_view(access.can_read_monthly)
def monthly(request: HttpRequest) -> HttpResponse:
    """The monthly appraisal report per unit, as an XLSX or DOCX download."""
    if access.can_read_table(request.user):
        form_kwargs = {"units": list(rates.appraised_units()), "all_units": True}
    else:
        own = request.user.unit
        if request.GET.get("unit", own.code) not in ("", own.code):
            raise Http404
        form_kwargs = {"units": [own], "all_units": False}
    if "month" not in request.GET:
        initial = {"month": f"{timezone.localdate():%Y-%m}", "format": "xlsx"}
        form = MonthlyForm(initial=initial, **form_kwargs)
        return render(request, "evaluation/monthly.html", {"form": form})
    data = request.GET.copy()
    if not form_kwargs["all_units"]:
        data["unit"] = request.user.unit.code
    form = MonthlyForm(data, **form_kwargs)
    if not form.is_valid():
        return render(request, "evaluation/monthly.html", {"form": form}, status=400)
    month = form.cleaned_data["month"]
    units = form.chosen_units()
    report = monthly_report.build(month, units)
    if form.cleaned_data["format"] == "docx":
        content, content_type = monthly_report.to_docx(report), monthly_report.DOCX_CONTENT_TYPE
    else:
        content, content_type = monthly_report.to_xlsx(report), monthly_report.XLSX_CONTENT_TYPE
    name = f"appraisal-{month:%Y-%m}"
    if units:
        name += f"-{units[0].code}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{form.cleaned_data["format"]}"'
    return response


def followup(request: HttpRequest, token: str) -> HttpResponse:
    """The reporter's answer page, reached by the link sent or the form on the status page."""
    try:
        found = access.get_followup_for_token(token, request=request)
    except TokenThrottled as throttled:
        return too_many_attempts(request, throttled)
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.followup_answer(followup=found, **form.answer())
            except services.FollowUpError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you for your answer."))
                return redirect("evaluation:followup", token=token)
        status = 400
    context = {"followup": found, "form": form, "open": found.status == FollowUpStatus.PENDING}
    return render(request, "evaluation/followup.html", context, status=status)


@staff_view(access.can_record_calls)
def record_call(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(access.cases_for_calls(request.user), pk=pk)
    form = CallForm(request.POST or None, may_call=case.reporter_may_be_contacted)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.followup_record_call(
                    case=case,
                    actor=request.user,
                    channel=form.cleaned_data["channel"],
                    **form.answer(),
                )
            except services.FollowUpError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The follow-up answer was recorded."))
                return redirect("staff:case", pk=case.pk)
        status = 400
    followups = case.followups.all()
    context = {"case": case, "form": form, "followups": followups}
    return render(request, "evaluation/call.html", context, status=status)
