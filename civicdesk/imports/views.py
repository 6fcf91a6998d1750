"""Import pages: upload, choose columns, preview, run, follow progress, download rejects."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.core.access import staff_view
from civicdesk.imports import services
from civicdesk.imports.access import get_job_for_user, jobs_visible_to, may_import
from civicdesk.imports.downloads import ReportRemoved, rejected_rows_response
from civicdesk.imports.fields import FIELDS
from civicdesk.imports.forms import MappingForm, UploadForm
from civicdesk.imports.models import ImportJob, JobStatus
from civicdesk.imports.parsers import NumberKind

# Room for the form's other fields and the multipart boundaries around the file.
_FORM_OVERHEAD = 1024 * 1024


def _index(
    request: HttpRequest, form: UploadForm, *, status: int = 200, refusal: str = ""
) -> HttpResponse:
    page = Paginator(jobs_visible_to(request.user), 20).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "refusal": refusal}
    return render(request, "imports/index.html", context, status=status)


# The size is checked before anything reads the body: the CSRF check would read (and store
# on disk) the whole upload first. Refusing changes nothing, so it needs no CSRF token;
# everything else goes through the usual check below.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@staff_view(may_import)
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _index(request, UploadForm(user=request.user))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > services.max_upload_bytes() + _FORM_OVERHEAD:
        return _index(
            request,
            UploadForm(user=request.user),
            status=413,
            refusal=services.too_large_message(length),
        )
    return csrf_protect(_upload)(request)


def _upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = services.job_create(
                upload=data["file"],
                channel=data["channel"],
                source_name=data["source_name"],
                file_format=data["file_format"],
                min_length=data["min_length"],
                actor=request.user,
                # Ticked: the source's authors may hear answers; else the source stays as it is.
                answers_authors=True if data.get("answers_authors") else None,
            )
        except services.ImportJobError as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:preview" if job.is_chat else "imports:mapping", job.pk)
    return _index(request, form, status=400)


@require_GET
@staff_view(may_import)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    context = {"job": job, "may_rerun": services.may_rerun(job)}
    if job.reports_removed_at is not None:
        context["reports_removed"] = services.reports_removed_message(job)
    if request.headers.get("HX-Request"):
        return render(request, "imports/_job_status.html", context)
    context["events"] = job.events.select_related("actor")
    return render(request, "imports/job.html", context)


def _draft(request: HttpRequest, pk: int) -> ImportJob | None:
    job = get_job_for_user(request.user, pk)
    return job if job.status == JobStatus.DRAFT else None


@require_http_methods(["GET", "POST"])
@staff_view(may_import)
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _draft(request, pk)
    if job is None:
        return redirect("imports:job", pk)
    if job.is_chat:
        return redirect("imports:preview", pk)
    form = MappingForm(request.POST or None, columns=job.columns, initial_mapping=job.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.job_set_mapping(job=job, mapping=form.mapping, actor=request.user)
        except services.ImportJobError as error:
            form.add_error(None, str(error))
        else:
            return redirect("imports:preview", pk)
    return render(
        request,
        "imports/mapping.html",
        {
            "job": job,
            "form": form,
            "sample": [
                (number, [values.get(column, "") for column in job.columns])
                for number, values, _details in job.sample[:5]
            ],
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_view(may_import)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = _draft(request, pk)
    if job is None:
        return redirect("imports:job", pk)
    if request.method == "POST":
        try:
            services.job_start(job=job, actor=request.user)
        except services.ImportJobError as error:
            messages.error(request, str(error))
            return redirect("imports:mapping", pk)
        messages.success(request, _("The import was queued; this page follows its progress."))
        return redirect("imports:job", pk)
    labels = {field.key: field.label for field in FIELDS}
    # A row's problems name what the column holds (Time), not the file's key for it ("time").
    by_column = {column: labels[key] for key, column in job.mapping.items()}
    rows = services.job_preview(job)
    for row in rows:
        row.problems = [(by_column.get(column, column), reason) for column, reason in row.problems]
    return render(
        request,
        "imports/preview.html",
        {
            "job": job,
            "rows": rows,
            "mapping": [(labels[key], column) for key, column in job.mapping.items()],
            "number_label": NumberKind(job.number_kind).label,
            "earlier": services.earlier_import(job),
        },
    )


@require_POST
@staff_view(may_import)
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    try:
        services.job_rerun(job=job, actor=request.user)
    except services.ImportJobError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The import was queued again."))
    return redirect("imports:job", pk)


@require_POST
@staff_view(may_import)
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    try:
        services.job_discard(job=job, actor=request.user)
    except services.ImportJobError as error:
        messages.error(request, str(error))
        return redirect("imports:job", pk)
    messages.success(request, _("The upload was discarded."))
    return redirect("imports:index")


@require_GET
@staff_view(may_import)
def report(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    try:
        return rejected_rows_response(job, kind)
    except ReportRemoved:
        # Gone for good, by the retention job: say so rather than "not found".
        context = {"job": job, "message": services.reports_removed_message(job)}
        return render(request, "imports/report_removed.html", context, status=410)
