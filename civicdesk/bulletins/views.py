"""The bulletin page: choose a kind, a period and a format, and download the document."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicdesk.bulletins import build, writers
from civicdesk.bulletins.access import require_reader
from civicdesk.bulletins.forms import XLSX, BulletinForm

CONTENT_TYPES = {"xlsx": writers.XLSX_CONTENT_TYPE, "docx": writers.DOCX_CONTENT_TYPE}
WRITERS = {"xlsx": writers.to_xlsx, "docx": writers.to_docx}


@require_GET
def bulletin(request: HttpRequest) -> HttpResponse:
    """Without parameters the form; with them the document, or the form with its errors."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require_reader(request.user)
    submitted = "kind" in request.GET
    form = BulletinForm(request.GET if submitted else None)
    if not submitted or not form.is_valid():
        return render(
            request, "bulletins/form.html", {"form": form}, status=400 if form.errors else 200
        )
    kind, start, end = (form.cleaned_data[k] for k in ("kind", "period_start", "period_end"))
    ext = form.cleaned_data["format"] or XLSX
    data = build.build_bulletin(kind, start, end)
    response = HttpResponse(WRITERS[ext](data), content_type=CONTENT_TYPES[ext])
    response["Content-Disposition"] = (
        f'attachment; filename="bulletin-{kind}-{start.isoformat()}-{end.isoformat()}.{ext}"'
    )
    return response
