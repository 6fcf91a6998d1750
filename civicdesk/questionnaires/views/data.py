"""Staff pages for what came in: results with charts, XLSX export, paper forms import."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.core.access import staff_view
from civicdesk.questionnaires import access
from civicdesk.questionnaires.forms import PaperImportForm
from civicdesk.questionnaires.paper import paper_columns, paper_import, template_workbook
from civicdesk.questionnaires.responses import version_questions
from civicdesk.questionnaires.results import responses_workbook, version_results

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

reader_view = staff_view(access.may_read)
builder_view = staff_view(access.may_build)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
@reader_view
def results(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk)
    published = questionnaire.versions.filter(published_at__isnull=False).order_by("-number")
    chosen = request.GET.get("version")
    version = (
        published.filter(number=chosen).first()
        if chosen and chosen.isdigit()
        else questionnaire.current_version
    )
    if chosen and version is None:
        raise Http404
    context = {"questionnaire": questionnaire, "versions": published, "version": version}
    if version is not None:
        context["n_responses"], context["results"] = version_results(version)
        context["charts"] = {r.chart_id: r.chart for r in context["results"] if r.chart}
    return render(request, "questionnaires/results.html", context)


@require_GET
@reader_view
def export(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk)
    name = f"questionnaire-{questionnaire.slug}-{timezone.localdate().isoformat()}.xlsx"
    return _xlsx(responses_workbook(questionnaire), name)


@require_GET
@builder_view
def paper_template(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    if questionnaire.current_version is None:
        raise Http404
    name = f"questionnaire-{questionnaire.slug}-v{questionnaire.current_version.number}-paper.xlsx"
    return _xlsx(template_workbook(questionnaire), name)


@require_http_methods(["GET", "POST"])
@builder_view
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    version = questionnaire.current_version
    form = PaperImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = paper_import(
            questionnaire=questionnaire,
            file_name=upload.name,
            content=upload.read(),
            actor=request.user,
        )
        if not outcome.errors:
            messages.success(
                request,
                _(
                    "%(count)d paper forms were imported; %(cases)d of them raised concerns, "
                    "passed on as one case each."
                )
                % {"count": outcome.created, "cases": outcome.cases},
            )
            if outcome.to_confirm:
                messages.info(
                    request,
                    _("%(count)d forms have written answers for staff to confirm.")
                    % {"count": outcome.to_confirm},
                )
            return redirect("questionnaires:results", questionnaire.pk)
    context = {
        "questionnaire": questionnaire,
        "version": version,
        "form": form,
        "outcome": outcome,
        "columns": paper_columns(version_questions(version)) if version else [],
    }
    return render(
        request, "questionnaires/paper.html", context, status=400 if form.is_bound else 200
    )


@require_GET
@builder_view
def import_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_import_report_for_user(request.user, report_id)
    return _xlsx(bytes(report.content), report.file_name)
