"""The rejected-rows report of an import as a download, for the staff page and the API alike."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from civicdesk.core.downloads import upload_response
from civicdesk.imports.models import ImportJob

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ReportRemoved(Exception):
    """The retention job deleted the report: gone for good, not merely not found."""


def rejected_rows_response(job: ImportJob, kind: str) -> HttpResponse:
    """The report in `kind` ("xlsx" or "csv"); Http404 when there is none, ReportRemoved
    when there was one and retention removed it."""
    if kind not in CONTENT_TYPES:
        raise Http404("No report")
    stored = job.report_xlsx if kind == "xlsx" else job.report_csv
    if not stored and job.reports_removed_at is not None:
        raise ReportRemoved
    if not stored:
        raise Http404("No report")
    try:
        handle = stored.open("rb")
    except OSError:
        raise Http404("No report") from None
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    return upload_response(
        handle, filename=f"{stem}-{_('rejected')}.{kind}", content_type=CONTENT_TYPES[kind]
    )
