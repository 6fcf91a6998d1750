"""The campaigns' ledgers: broken promises to enterprises, the enterprise case backlog and the
utilities' published standards, with XLSX imports that load every row or none.

Who may do what is the ledger pages' rule (ledgers.access): clerks, supervisors and
administrators read and write every ledger; leaders read; handlers read and update the rows
their unit's subtree is responsible for. Rows out of reach are 404; rows in reach that the
caller may not change are 403.
"""

from typing import Any

from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    READ_ERRORS,
    XLSX,
    ImportErrorOut,
    Page,
    code_name,
    field_changes,
    file_download,
    forbid_unless,
    import_errors,
    optional_unit,
    person,
    reads,
    unit_by_code,
    writes,
)
from civicdesk.api.errors import ApiError
from civicdesk.api.ledgers.schemas import (
    BacklogDetailOut,
    BacklogIn,
    BacklogOut,
    BacklogSummaryOut,
    BacklogUpdateIn,
    ConfirmIn,
    DisclosureIn,
    LedgerImportOut,
    LedgerName,
    PromiseDetailOut,
    PromiseFilters,
    PromiseIn,
    PromiseOut,
    PromiseTotalsOut,
    ResolveIn,
    UtilityDetailOut,
    UtilityIn,
    UtilityOut,
)
from civicdesk.ledgers import access, services, workbooks
from civicdesk.ledgers.forms import ImportForm
from civicdesk.ledgers.models import (
    AGEING_BUCKETS,
    BacklogCase,
    LedgerEvent,
    PromiseItem,
    PromiseStatus,
    Stage,
    Utility,
    ageing_bucket,
)

router = Router(tags=["ledgers"], auth=staff_token)


# --- Output --------------------------------------------------------------------------------


def _events(obj) -> list[dict]:
    events = LedgerEvent.objects.filter(
        entity_type=obj._meta.model_name, entity_id=obj.pk
    ).select_related("actor")
    return [
        {
            "position": event.position,
            "action": event.action,
            "actor": person(event.actor),
            "changes": field_changes(event.changes),
            "created_at": event.created_at,
            "hash": event.hash,
        }
        for event in events
    ]


def _can_write(user: User, model, obj) -> bool:
    try:
        return access.ledger_rows_for_user(user, model, write=True).filter(pk=obj.pk).exists()
    except Http404:
        return False


def promise_out(item: PromiseItem) -> dict:
    return {
        "id": item.pk,
        "enterprise": {"name": item.enterprise.name, "credit_code": item.enterprise.credit_code},
        "promise": item.promise,
        "promised_on": item.promised_on,
        "document": item.document,
        "amount_owed": item.amount_owed,
        "unit": code_name(item.unit),
        "deadline": item.deadline,
        "status": item.status,
        "overdue": item.is_overdue(),
        "resolution": item.resolution,
        "resolved_on": item.resolved_on,
        "enterprise_confirmed": item.enterprise_confirmed,
        "confirmed_on": item.confirmed_on,
        "created_at": item.created_at,
    }


def _promise_detail(item: PromiseItem, user: User) -> dict:
    item = PromiseItem.objects.select_related("enterprise", "unit").get(pk=item.pk)
    return promise_out(item) | {
        "can_write": _can_write(user, PromiseItem, item),
        "events": _events(item),
    }


def backlog_out(case: BacklogCase) -> dict:
    age = case.age_days()
    return {
        "id": case.pk,
        "case_number": case.case_number,
        "court_or_agency": case.court_or_agency,
        "enterprise_name": case.enterprise_name,
        "credit_code": case.enterprise.credit_code if case.enterprise else "",
        "filed_on": case.filed_on,
        "stage": case.stage,
        "target_close_on": case.target_close_on,
        "closed_on": case.closed_on,
        "unit": code_name(case.unit),
        "age_days": age,
        "bucket": None if case.is_closed else ageing_bucket(age),
        "created_at": case.created_at,
    }


def _backlog_detail(case: BacklogCase, user: User) -> dict:
    case = BacklogCase.objects.select_related("enterprise", "unit").get(pk=case.pk)
    return backlog_out(case) | {
        "can_write": _can_write(user, BacklogCase, case),
        "events": _events(case),
    }


def utility_out(utility: Utility) -> dict:
    latest = utility.latest_disclosure()
    return {
        "id": utility.pk,
        "name": utility.name,
        "kind": utility.kind,
        "unit": code_name(utility.unit),
        "latest_version": latest.version if latest else None,
        "public_url": f"/ledgers/utilities/{utility.pk}/" if latest else None,
    }


def _utility_detail(utility: Utility, user: User) -> dict:
    disclosures = utility.disclosures.select_related("published_by").order_by("-version")
    return utility_out(utility) | {
        "can_write": _can_write(user, Utility, utility),
        "disclosures": [
            {
                "version": d.version,
                "service_standards": d.service_standards,
                "procedures": d.procedures,
                "fees": d.fees,
                "legal_conditions": d.legal_conditions,
                "published_at": d.published_at,
                "published_by": person(d.published_by),
            }
            for d in disclosures
        ],
        "events": _events(utility),
    }


# --- Helpers -------------------------------------------------------------------------------


def _reader(user: User) -> None:
    forbid_unless(access.can_use_ledgers(user))


def _manager(user: User) -> None:
    _reader(user)
    forbid_unless(access.is_manager(user))


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except services.LedgerError as error:
        raise ApiError(409, str(error)) from None


# --- Broken promises -----------------------------------------------------------------------


@router.get("/promises", response=reads(list[PromiseOut]), summary="Promises to enterprises")
@paginate(Page, serialize=promise_out)
def list_promises(request: HttpRequest, filters: Query[PromiseFilters]) -> Any:
    _reader(request.auth)
    items = access.ledger_rows_for_user(request.auth, PromiseItem)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.overdue is True:
        items = items.overdue()
    elif filters.overdue is False:
        items = items.exclude(pk__in=PromiseItem.objects.overdue().values("pk"))
    if filters.credit_code:
        items = items.filter(enterprise__credit_code=filters.credit_code.strip().upper())
    return items.select_related("enterprise", "unit")


@router.get(
    "/promises/totals",
    response=reads(list[PromiseTotalsOut]),
    summary="Per enterprise: items, open, overdue and the amount still owed",
)
def promise_totals(request: HttpRequest) -> list[dict]:
    _reader(request.auth)
    items = access.ledger_rows_for_user(request.auth, PromiseItem)
    is_open = Q(status=PromiseStatus.OPEN)
    rows = (
        items.values("enterprise__name", "enterprise__credit_code")
        .annotate(
            n_items=Count("pk"),
            n_open=Count("pk", filter=is_open),
            n_overdue=Count("pk", filter=is_open & Q(deadline__lt=timezone.localdate())),
            owed_open=Sum("amount_owed", filter=is_open),
        )
        .order_by("-n_overdue", "-n_open", "enterprise__name")
    )
    return [
        {
            "enterprise": {
                "name": row["enterprise__name"],
                "credit_code": row["enterprise__credit_code"],
            },
            "n_items": row["n_items"],
            "n_open": row["n_open"],
            "n_overdue": row["n_overdue"],
            "owed_open": row["owed_open"],
        }
        for row in rows
    ]


@router.post("/promises", response=writes(PromiseDetailOut, 201), summary="Add a promise")
def create_promise(request: HttpRequest, payload: PromiseIn) -> Status[dict]:
    user: User = request.auth
    _manager(user)
    item = _service(
        services.promise_create,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        promise=payload.promise,
        promised_on=payload.promised_on,
        document=payload.document,
        amount_owed=payload.amount_owed,
        unit=unit_by_code("body", "unit", payload.unit),
        deadline=payload.deadline,
        actor=user,
    )
    return Status(201, _promise_detail(item, user))


@router.get(
    "/promises/{item_id}", response=reads(PromiseDetailOut), summary="A promise and its history"
)
def get_promise(request: HttpRequest, item_id: int) -> dict:
    _reader(request.auth)
    return _promise_detail(access.get_promise_for_user(request.auth, item_id), request.auth)


def _writable_promise(user: User, item_id: int) -> PromiseItem:
    _reader(user)
    item = access.get_promise_for_user(user, item_id)
    forbid_unless(_can_write(user, PromiseItem, item))
    return item


@router.post(
    "/promises/{item_id}/resolve",
    response=writes(PromiseDetailOut),
    summary="Record how the promise was kept",
)
def resolve_promise(request: HttpRequest, item_id: int, payload: ResolveIn) -> dict:
    user: User = request.auth
    item = _writable_promise(user, item_id)
    _service(
        services.promise_resolve,
        item=item,
        resolution=payload.resolution,
        resolved_on=payload.resolved_on,
        actor=user,
    )
    return _promise_detail(item, user)


@router.post(
    "/promises/{item_id}/confirm",
    response=writes(PromiseDetailOut),
    summary="Record the enterprise's confirmation",
)
def confirm_promise(request: HttpRequest, item_id: int, payload: ConfirmIn) -> dict:
    user: User = request.auth
    item = _writable_promise(user, item_id)
    _service(services.promise_confirm, item=item, confirmed_on=payload.confirmed_on, actor=user)
    return _promise_detail(item, user)


# --- Backlog -------------------------------------------------------------------------------


@router.get("/backlog", response=reads(list[BacklogOut]), summary="The enterprise case backlog")
@paginate(Page, serialize=backlog_out)
def list_backlog(request: HttpRequest, stage: Stage | None = None) -> Any:
    _reader(request.auth)
    cases = access.ledger_rows_for_user(request.auth, BacklogCase)
    if stage:
        cases = cases.filter(stage=stage)
    return cases.select_related("enterprise", "unit")


@router.get("/backlog/summary", response=reads(BacklogSummaryOut), summary="Pending cases by age")
def backlog_summary(request: HttpRequest) -> dict:
    _reader(request.auth)
    cases = access.ledger_rows_for_user(request.auth, BacklogCase)
    counts = {key: 0 for key, *_rest in AGEING_BUCKETS}
    closed = 0
    for case in cases:
        if case.is_closed:
            closed += 1
        else:
            counts[ageing_bucket(case.age_days())] += 1
    return {
        "buckets": [
            {"key": key, "label": str(label), "count": counts[key]}
            for key, label, *_rest in AGEING_BUCKETS
        ],
        "n_pending": sum(counts.values()),
        "n_closed": closed,
    }


@router.post("/backlog", response=writes(BacklogDetailOut, 201), summary="Add a backlog case")
def create_backlog_case(request: HttpRequest, payload: BacklogIn) -> Status[dict]:
    user: User = request.auth
    _manager(user)
    case = _service(
        services.backlog_create,
        case_number=payload.case_number,
        court_or_agency=payload.court_or_agency,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        filed_on=payload.filed_on,
        stage=payload.stage,
        target_close_on=payload.target_close_on,
        closed_on=payload.closed_on,
        unit=optional_unit("body", "unit", payload.unit),
        actor=user,
    )
    return Status(201, _backlog_detail(case, user))


@router.get(
    "/backlog/{case_id}", response=reads(BacklogDetailOut), summary="A backlog case and history"
)
def get_backlog_case(request: HttpRequest, case_id: int) -> dict:
    _reader(request.auth)
    return _backlog_detail(access.get_backlog_for_user(request.auth, case_id), request.auth)


@router.put(
    "/backlog/{case_id}",
    response=writes(BacklogDetailOut),
    summary="Update a backlog case's stage and dates",
)
def update_backlog_case(request: HttpRequest, case_id: int, payload: BacklogUpdateIn) -> dict:
    user: User = request.auth
    _reader(user)
    case = access.get_backlog_for_user(user, case_id)
    forbid_unless(_can_write(user, BacklogCase, case))
    _service(
        services.backlog_update,
        case=case,
        stage=payload.stage,
        target_close_on=payload.target_close_on,
        closed_on=payload.closed_on,
        actor=user,
    )
    return _backlog_detail(case, user)


# --- Utilities -----------------------------------------------------------------------------


@router.get("/utilities", response=reads(list[UtilityOut]), summary="Utilities")
def list_utilities(request: HttpRequest) -> list[dict]:
    _reader(request.auth)
    utilities = access.ledger_rows_for_user(request.auth, Utility).select_related("unit")
    return [utility_out(utility) for utility in utilities]


@router.post("/utilities", response=writes(UtilityDetailOut, 201), summary="Add a utility")
def create_utility(request: HttpRequest, payload: UtilityIn) -> Status[dict]:
    user: User = request.auth
    _manager(user)
    utility = services.utility_create(
        name=payload.name,
        kind=payload.kind,
        unit=unit_by_code("body", "unit", payload.unit),
        actor=user,
    )
    return Status(201, _utility_detail(utility, user))


@router.get(
    "/utilities/{utility_id}",
    response=reads(UtilityDetailOut),
    summary="A utility with every published version",
)
def get_utility(request: HttpRequest, utility_id: int) -> dict:
    _reader(request.auth)
    return _utility_detail(access.get_utility_for_user(request.auth, utility_id), request.auth)


@router.post(
    "/utilities/{utility_id}/disclosures",
    response=writes(UtilityDetailOut, 201),
    summary="Publish a new version of a utility's standards, procedures, fees and conditions",
)
def publish_disclosure(
    request: HttpRequest, utility_id: int, payload: DisclosureIn
) -> Status[dict]:
    user: User = request.auth
    _reader(user)
    utility = access.get_utility_for_user(user, utility_id)
    forbid_unless(_can_write(user, Utility, utility))
    services.disclosure_publish(utility=utility, **payload.dict(), actor=user)
    return Status(201, _utility_detail(utility, user))


# --- Import --------------------------------------------------------------------------------


@router.post(
    "/imports/{ledger}",
    response={**writes(LedgerImportOut), 422: ImportErrorOut},
    summary="Import an XLSX workbook into a ledger: every row, or none",
)
def import_ledger(request: HttpRequest, ledger: LedgerName, file: File[UploadedFile]) -> Any:
    user: User = request.auth
    _manager(user)
    if file.size is not None and file.size > ImportForm.MAX_BYTES:
        raise ApiError(
            413,
            _("The workbook is larger than %(limit)s.")
            % {"limit": filesizeformat(ImportForm.MAX_BYTES)},
        )
    outcome = workbooks.ledger_import(
        ledger=ledger.value, file_name=file.name or "", content=file.read(), actor=user
    )
    if outcome.errors:
        url = reverse("api-v1:import_report", args=[outcome.report.pk]) if outcome.report else None
        return Status(422, import_errors(outcome.errors, url))
    return {"created": outcome.created, "skipped": outcome.skipped}


@router.get(
    "/import-reports/{report_id}",
    response=READ_ERRORS,
    openapi_extra=file_download(XLSX, "The rejected rows with an error column."),
    summary="Download the rejected rows of a failed import (the uploader's own)",
)
def import_report(request: HttpRequest, report_id: int) -> HttpResponse:
    _manager(request.auth)
    report = access.get_import_report_for_user(request.auth, report_id)
    response = HttpResponse(bytes(report.content), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, report.file_name)
    return response
