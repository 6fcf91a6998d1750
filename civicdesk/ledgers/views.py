"""Ledger pages: staff ledgers of promises and backlog, public pages of the utilities."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.core.access import staff_required
from civicdesk.core.ratelimit import over_limit
from civicdesk.ledgers import access, services, workbooks
from civicdesk.ledgers.forms import (
    BacklogForm,
    BacklogUpdateForm,
    ConfirmForm,
    DeviationForm,
    DisclosureForm,
    ImportForm,
    PromiseForm,
    ResolveForm,
    UtilityForm,
)
from civicdesk.ledgers.models import (
    AGEING_BUCKETS,
    BacklogCase,
    LedgerEvent,
    PromiseItem,
    PromiseStatus,
    Utility,
    ageing_bucket,
)
from civicdesk.ledgers.spreadsheets import BACKLOG_COLUMNS, PROMISE_COLUMNS, UTILITY_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _can_write(user, model, obj) -> bool:
    try:
        return access.ledger_rows_for_user(user, model, write=True).filter(pk=obj.pk).exists()
    except Http404:
        return False


def _events(obj) -> list[LedgerEvent]:
    return LedgerEvent.objects.filter(
        entity_type=obj._meta.model_name, entity_id=obj.pk
    ).select_related("actor")


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    access.require_reader(request.user)
    return render(request, "ledgers/index.html", {"is_manager": access.is_manager(request.user)})


# --- broken promises ------------------------------------------------------------------------


@require_GET
@staff_required
def promises(request: HttpRequest) -> HttpResponse:
    items = access.ledger_rows_for_user(request.user, PromiseItem)
    today = timezone.localdate()
    is_open = Q(status=PromiseStatus.OPEN)
    totals = (
        items.values("enterprise__pk", "enterprise__name", "enterprise__credit_code")
        .annotate(
            n_items=Count("pk"),
            n_open=Count("pk", filter=is_open),
            n_overdue=Count("pk", filter=is_open & Q(deadline__lt=today)),
            owed_open=Sum("amount_owed", filter=is_open),
        )
        .order_by("-n_overdue", "-n_open", "enterprise__name")
    )
    context = {
        "totals": totals,
        "overdue": items.overdue(today).select_related("enterprise", "unit"),
        "items": items.select_related("enterprise", "unit"),
        "is_manager": access.is_manager(request.user),
        "today": today,
    }
    return render(request, "ledgers/promises.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def promise_new(request: HttpRequest) -> HttpResponse:
    access.require_manager(request.user)
    form = PromiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.promise_create(**form.cleaned_data, actor=request.user)
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The promise was added to the ledger."))
            return redirect("ledgers:promise", item.pk)
    status = 400 if form.is_bound else 200
    return render(request, "ledgers/promise_new.html", {"form": form}, status=status)


def _render_promise(request, item, *, resolve=None, confirm=None, status=200) -> HttpResponse:
    can_write = _can_write(request.user, PromiseItem, item)
    context = {
        "item": item,
        "events": _events(item),
        "can_write": can_write,
        "resolve_form": resolve or ResolveForm(),
        "confirm_form": confirm or ConfirmForm(),
        "overdue": item.is_overdue(),
    }
    return render(request, "ledgers/promise.html", context, status=status)


@require_GET
@staff_required
def promise(request: HttpRequest, item_id: int) -> HttpResponse:
    return _render_promise(request, access.get_promise_for_user(request.user, item_id))


@require_POST
@staff_required
def promise_resolve(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.get_promise_for_user(request.user, item_id, write=True)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.promise_resolve(item=item, **form.cleaned_data, actor=request.user)
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The resolution was recorded."))
            return redirect("ledgers:promise", item.pk)
    return _render_promise(request, item, resolve=form, status=400)


@require_POST
@staff_required
def promise_confirm(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.get_promise_for_user(request.user, item_id, write=True)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.promise_confirm(item=item, **form.cleaned_data, actor=request.user)
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The enterprise's confirmation was recorded."))
            return redirect("ledgers:promise", item.pk)
    return _render_promise(request, item, confirm=form, status=400)


@require_GET
@staff_required
def promises_export(request: HttpRequest) -> HttpResponse:
    items = access.ledger_rows_for_user(request.user, PromiseItem)
    name = f"promises-{timezone.localdate().isoformat()}.xlsx"
    return _xlsx(workbooks.promises_workbook(items), name)


# --- backlog --------------------------------------------------------------------------------


@require_GET
@staff_required
def backlog(request: HttpRequest) -> HttpResponse:
    cases = list(
        access.ledger_rows_for_user(request.user, BacklogCase).select_related("enterprise", "unit")
    )
    today = timezone.localdate()
    counts = {key: 0 for key, *_rest in AGEING_BUCKETS}
    rows = []
    for case in cases:
        age = case.age_days(today)
        bucket = None if case.is_closed else ageing_bucket(age)
        if bucket:
            counts[bucket] += 1
        rows.append({"case": case, "age": age, "bucket": bucket})
    buckets = [
        {"key": key, "label": label, "count": counts[key]} for key, label, *_r in AGEING_BUCKETS
    ]
    context = {
        "rows": rows,
        "buckets": buckets,
        "n_pending": sum(counts.values()),
        "n_closed": sum(1 for case in cases if case.is_closed),
        "is_manager": access.is_manager(request.user),
    }
    return render(request, "ledgers/backlog.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def backlog_new(request: HttpRequest) -> HttpResponse:
    access.require_manager(request.user)
    form = BacklogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.backlog_create(**form.cleaned_data, actor=request.user)
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The case was added to the backlog ledger."))
            return redirect("ledgers:backlog_case", case.pk)
    status = 400 if form.is_bound else 200
    return render(request, "ledgers/backlog_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def backlog_case(request: HttpRequest, case_id: int) -> HttpResponse:
    write = request.method == "POST"
    case = access.get_backlog_for_user(request.user, case_id, write=write)
    initial = {"stage": case.stage, "target_close_on": case.target_close_on,
               "closed_on": case.closed_on}  # fmt: skip
    form = BacklogUpdateForm(request.POST or None, initial=initial)
    if write and form.is_valid():
        try:
            services.backlog_update(case=case, **form.cleaned_data, actor=request.user)
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The case was updated."))
            return redirect("ledgers:backlog_case", case.pk)
    context = {
        "case": case,
        "form": form,
        "events": _events(case),
        "can_write": _can_write(request.user, BacklogCase, case),
    }
    return render(request, "ledgers/backlog_case.html", context, status=400 if write else 200)


@require_GET
@staff_required
def backlog_export(request: HttpRequest) -> HttpResponse:
    cases = access.ledger_rows_for_user(request.user, BacklogCase)
    name = f"backlog-{timezone.localdate().isoformat()}.xlsx"
    return _xlsx(workbooks.backlog_workbook(cases), name)


# --- import ---------------------------------------------------------------------------------

_CELLS_HELP = gettext_lazy(
    "Dates like 2025-03-31; units by code or name; amounts in yuan, not negative."
)

# ledger: (columns, the ledger's page, title, what the cells hold)
_IMPORTS = {
    services.PROMISES: (
        PROMISE_COLUMNS,
        "ledgers:promises",
        gettext_lazy("Import promises"),
        _CELLS_HELP,
    ),
    services.BACKLOG: (
        BACKLOG_COLUMNS,
        "ledgers:backlog",
        gettext_lazy("Import backlog cases"),
        _CELLS_HELP,
    ),
    services.UTILITIES: (
        UTILITY_COLUMNS,
        "ledgers:utilities_manage",
        gettext_lazy("Import utility disclosures"),
        gettext_lazy(
            "Name each utility by its name or its number (the last column of the export). Each "
            "row publishes a new version of that utility's disclosure; earlier versions stay as "
            "they were published."
        ),
    ),
}


@require_http_methods(["GET", "POST"])
@staff_required
def ledger_import(request: HttpRequest, ledger: str) -> HttpResponse:
    access.require_manager(request.user)
    if ledger not in _IMPORTS:
        raise Http404
    columns, back, title, help_text = _IMPORTS[ledger]
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = workbooks.ledger_import(
            ledger=ledger, file_name=upload.name, content=upload.read(), actor=request.user
        )
        if not outcome.errors:
            messages.success(
                request,
                _("%(count)d rows were imported.") % {"count": outcome.created},
            )
            if not outcome.skipped:
                return redirect(back)
    context = {
        "form": form,
        "outcome": outcome,
        "columns": columns,
        "ledger": ledger,
        "title": title,
        "help": help_text,
        "back": back,
    }
    failed = form.is_bound and (outcome is None or bool(outcome.errors))
    return render(request, "ledgers/import.html", context, status=400 if failed else 200)


@require_GET
@staff_required
def import_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_import_report_for_user(request.user, report_id)
    return _xlsx(bytes(report.content), report.file_name)


# --- utilities: staff -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def utilities_manage(request: HttpRequest) -> HttpResponse:
    utilities = access.ledger_rows_for_user(request.user, Utility).select_related("unit")
    is_manager = access.is_manager(request.user)
    form = UtilityForm(request.POST or None) if is_manager else None
    if request.method == "POST":
        access.require_manager(request.user)
        if form.is_valid():
            utility = services.utility_create(**form.cleaned_data, actor=request.user)
            messages.success(request, _("The utility was added; now publish its standards."))
            return redirect("ledgers:utility_publish", utility.pk)
    context = {
        "utilities": utilities,
        "form": form,
        "is_manager": is_manager,
        "can_publish": access.can_change_rows(request.user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "ledgers/utilities_manage.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def utility_publish(request: HttpRequest, utility_id: int) -> HttpResponse:
    utility = access.get_utility_for_user(request.user, utility_id, write=True)
    latest = utility.latest_disclosure()
    initial = {s: getattr(latest, s) for s in DisclosureForm.base_fields} if latest else None
    form = DisclosureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        disclosure = services.disclosure_publish(
            utility=utility, **form.cleaned_data, actor=request.user
        )
        messages.success(
            request, _("Version %(version)d was published.") % {"version": disclosure.version}
        )
        return redirect("ledgers:utility", utility.pk)
    context = {"utility": utility, "form": form, "latest": latest}
    status = 400 if form.is_bound else 200
    return render(request, "ledgers/utility_publish.html", context, status=status)


@require_GET
@staff_required
def utilities_export(request: HttpRequest) -> HttpResponse:
    utilities = access.ledger_rows_for_user(request.user, Utility)
    name = f"utilities-{timezone.localdate().isoformat()}.xlsx"
    return _xlsx(workbooks.utilities_workbook(utilities), name)


# --- utilities: public ----------------------------------------------------------------------


@require_GET
def utilities(request: HttpRequest) -> HttpResponse:
    rows = Utility.objects.annotate(n_versions=Count("disclosures")).filter(n_versions__gt=0)
    return render(request, "ledgers/utilities.html", {"utilities": rows})


@require_GET
def utility(request: HttpRequest, utility_id: int, version: int | None = None) -> HttpResponse:
    utility = access.get_public_utility(utility_id)
    versions = utility.disclosures.order_by("-version")
    if not versions:
        raise Http404
    shown = versions[0] if version is None else versions.filter(version=version).first()
    if shown is None:
        raise Http404
    context = {
        "utility": utility,
        "disclosure": shown,
        "versions": versions,
        "is_latest": shown.pk == versions[0].pk,
    }
    return render(request, "ledgers/utility.html", context)


@require_http_methods(["GET", "POST"])
def utility_report(request: HttpRequest, utility_id: int) -> HttpResponse:
    utility = access.get_public_utility(utility_id)
    if not utility.disclosures.exists():
        raise Http404
    form = DeviationForm(request.POST or None, utility=utility)
    if request.method == "POST":
        if over_limit(request, "utility-deviation", settings.CIVICDESK_SUBMISSION_RATE_LIMIT):
            form.is_valid()
            form.add_error(
                None,
                _("Too many reports were sent from your connection. Please try again later."),
            )
            return render(
                request, "ledgers/utility_report.html", {"utility": utility, "form": form},
                status=429,
            )  # fmt: skip
        if form.is_valid():
            data = form.cleaned_data
            case = services.deviation_report(
                utility=utility,
                disclosure=data["version"],
                section=data["section"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                language=get_language() or "",
            )
            messages.success(
                request,
                _("Thank you. Your report was sent to %(utility)s. Keep the tracking code "
                  "%(code)s to follow it.") % {"utility": utility.name, "code": case.tracking_code},
            )  # fmt: skip
            return redirect("public:status", code=case.tracking_code)
    status = 400 if form.is_bound else 200
    return render(
        request, "ledgers/utility_report.html", {"utility": utility, "form": form}, status=status
    )
