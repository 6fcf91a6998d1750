"""Staff pages for the matters' checklists and processes (one version each), and the process
figures: per matter and step, each version beside the one before."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.applications import figures
from civicdesk.applications.access import hall_staff_view
from civicdesk.applications.forms import MaterialFormSet, StepFormSet, VersionForm
from civicdesk.applications.models import MatterVersion, VersionStatus
from civicdesk.applications.versions import VersionError, version_publish, version_withdraw
from civicdesk.catalogue.access import can_edit_items
from civicdesk.catalogue.models import ServiceItem

# Versions shown side by side on the figures page (the newest, and those before it).
COMPARED_VERSIONS = 3


@require_GET
@hall_staff_view
def matter_list(request: HttpRequest) -> HttpResponse:
    items = ServiceItem.objects.active().order_by("code")
    versions: dict[int, list[MatterVersion]] = {}
    for version in MatterVersion.objects.select_related("item").order_by("item", "-number"):
        versions.setdefault(version.item_id, []).append(version)
    rows = [(item, versions.get(item.pk, [])) for item in items]
    return render(
        request,
        "applications/matters.html",
        {"rows": rows, "can_edit": can_edit_items(request.user)},
    )


@require_GET
@hall_staff_view
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(MatterVersion.objects.select_related("item", "created_by"), pk=pk)
    return render(
        request,
        "applications/version.html",
        {
            "version": version,
            "materials": version.materials.all(),
            "steps": version.steps.select_related("unit"),
            "can_edit": can_edit_items(request.user),
        },
    )


def _initial(item: ServiceItem) -> tuple[dict, list[dict], list[dict]]:
    """Start a new version from the active one (or the catalogue's list of materials)."""
    current = MatterVersion.objects.filter(item=item, status=VersionStatus.ACTIVE).first()
    if current is None:
        materials = [{"name": name, "kind": "required"} for name in item.material_list]
        return {"time_limit_days": item.promised_days}, materials, []
    materials = [
        {"name": m.name, "kind": m.kind, "follow_up_days": m.follow_up_days, "note": m.note}
        for m in current.materials.all()
    ]
    steps = [
        {
            "kind": s.kind,
            "name": s.name,
            "role": s.role,
            "unit": s.unit,
            "time_limit_days": s.time_limit_days,
            "online_possible": s.online_possible,
        }
        for s in current.steps.select_related("unit")
    ]
    return {"time_limit_days": current.time_limit_days}, materials, steps


# Empty rows offered below the filled ones, for adding materials and steps.
EXTRA_ROWS = 3


@require_http_methods(["GET", "POST"])
@hall_staff_view
def version_new(request: HttpRequest, code: str) -> HttpResponse:
    if not can_edit_items(request.user):
        raise Http404
    item = get_object_or_404(ServiceItem, code=code)
    if request.method == "POST":
        form = VersionForm(request.POST)
        materials = MaterialFormSet(request.POST, prefix="materials")
        process = StepFormSet(request.POST, prefix="steps")
        problems: list[str] = []
        if form.is_valid() and materials.is_valid() and process.is_valid():
            try:
                version = version_publish(
                    actor=request.user,
                    item=item,
                    time_limit_days=form.cleaned_data["time_limit_days"],
                    note=form.cleaned_data["note"],
                    materials=[row.row() for row in materials if not row.is_blank()],
                    steps=[row.row() for row in process if not row.is_blank()],
                )
            except VersionError as error:
                problems = error.messages
            else:
                messages.success(request, f"{item.name} v{version.number}")
                return redirect("applications:version", pk=version.pk)
        return render(
            request,
            "applications/version_edit.html",
            {
                "item": item,
                "form": form,
                "materials": materials,
                "steps": process,
                "problems": problems,
            },
            status=400,
        )
    initial, material_rows, step_rows = _initial(item)
    materials = MaterialFormSet(prefix="materials", initial=material_rows + [{}] * EXTRA_ROWS)
    process = StepFormSet(prefix="steps", initial=step_rows + [{}] * EXTRA_ROWS)
    return render(
        request,
        "applications/version_edit.html",
        {
            "item": item,
            "form": VersionForm(initial=initial),
            "materials": materials,
            "steps": process,
        },
    )


@require_POST
@hall_staff_view
def version_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_edit_items(request.user):
        raise Http404
    version = get_object_or_404(MatterVersion, pk=pk)
    try:
        version_withdraw(actor=request.user, version=version)
    except VersionError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("applications:version", pk=version.pk)


@require_GET
@hall_staff_view
def figures_page(request: HttpRequest) -> HttpResponse:
    """Per matter: its versions side by side (finished applications, steps, notices, late
    requests, visits, waiting), and per step the median and 90th percentile times."""
    versions = list(MatterVersion.objects.select_related("item").order_by("item__code", "-number"))
    by_item: dict[int, list[MatterVersion]] = {}
    for version in versions:
        compared = by_item.setdefault(version.item_id, [])
        if len(compared) < COMPARED_VERSIONS:
            compared.append(version)
    shown = [v for compared in by_item.values() for v in compared]
    totals = figures.totals_by("version", figures.day_rows().filter(version__in=shown))
    times = figures.step_times(shown)
    matters = []
    for compared in by_item.values():
        compared = list(reversed(compared))  # oldest first: before, then after
        rows: dict[tuple, dict[int, figures.StepTimes]] = {}
        for version in reversed(compared):  # rows in the newest process's order
            for entry in times[version.pk]:
                rows.setdefault((entry.step.kind, entry.step.label), {})[version.pk] = entry
        matters.append(
            {
                "item": compared[0].item,
                "versions": [(v, totals.get(v.pk, figures.Totals())) for v in compared],
                "steps": [(kind, label, cells) for (kind, label), cells in rows.items()],
            }
        )
    return render(request, "applications/figures.html", {"matters": matters})
