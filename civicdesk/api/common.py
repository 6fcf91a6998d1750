"""What the staff modules of the API share: declared error responses, the role check, look-ups
of the codes that input names, list pages, and small output shapes.

The rule every module follows (COVERAGE.md repeats it for clients):

- 401: no valid staff token;
- 404: the object does not exist or the caller may not see it (another unit's case, measure
  or ledger row; a confidential report outside the caller's audience), exactly as the pages;
- 403: the caller sees the object (or the area) but their role may not do this;
- 409: a rule of the app refuses the request as it stands (workflow state, duplicates, values
  that contradict the stored record), with the app's own message;
- 422: a field is missing, malformed or names something that does not exist.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from civicdesk.accounts.models import Unit
from civicdesk.api.errors import ApiError, field_error, invalid, named_error
from civicdesk.api.schemas import ErrorOut, ValidationErrorItem, ValidationErrorOut
from civicdesk.cases.models import Case, Category
from civicdesk.core.tracking import normalize_tracking_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

READ_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    **READ_ERRORS,
    409: ErrorOut,
    413: ErrorOut,
}


def reads(ok: Any, *, forbidden: bool = True) -> dict[int, Any]:
    """Responses of a read: the result or one of the errors any read can get (``forbidden``
    False where the caller's role never gets a 403, only a 404)."""
    errors = READ_ERRORS if forbidden else {k: v for k, v in READ_ERRORS.items() if k != 403}
    return {200: ok, **errors}


def writes(ok: Any, status: int = 200, *, forbidden: bool = True) -> dict[int, Any]:
    """Responses of a change: the result or one of the errors any change can get."""
    errors = WRITE_ERRORS if forbidden else {k: v for k, v in WRITE_ERRORS.items() if k != 403}
    return {status: ok, **errors}


def file_download(content_type: str, description: str) -> dict:
    """``openapi_extra`` of an operation whose success is a file, not JSON."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def forbid_unless(allowed: bool) -> None:
    """403 for what the caller's role may not do (checked after the object was found)."""
    if not allowed:
        raise ApiError(403, _("Your role may not do this."))


def conflict(message: str) -> ApiError:
    return ApiError(409, message)


# --- Codes named in input ------------------------------------------------------------------


def unit_by_code(source: str, field: str, code: str) -> Unit:
    unit = Unit.objects.active().filter(code=code).first()
    if unit is None:
        raise invalid(source, field, _("There is no unit “%(code)s”.") % {"code": code})
    return unit


def optional_unit(source: str, field: str, code: str | None) -> Unit | None:
    return unit_by_code(source, field, code) if code else None


def units_by_code(source: str, field: str, codes: list[str]) -> list[Unit]:
    return [unit_by_code(source, field, code) for code in dict.fromkeys(codes)]


def category_by_code(source: str, field: str, code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise invalid(source, field, _("There is no category “%(code)s”.") % {"code": code})
    return category


def cases_by_code(source: str, field: str, codes: list[str], queryset=None) -> list[Case]:
    """The cases with these tracking codes (written in any accepted form); 422 naming the
    codes that match no case of ``queryset``."""
    queryset = Case.objects.all() if queryset is None else queryset
    normalized, bad = [], []
    for raw in codes:
        code = normalize_tracking_code(raw)
        (normalized if code else bad).append(code or raw)
    found = {case.tracking_code: case for case in queryset.filter(tracking_code__in=normalized)}
    bad += [code for code in normalized if code not in found]
    if bad:
        raise invalid(
            source,
            field,
            _("No case has these tracking codes: %(codes)s") % {"codes": ", ".join(bad)},
        )
    return list({code: found[code] for code in normalized}.values())


def check_period(
    source: str, start: date, end: date, *, end_field: str, max_span_days: int, too_long: str
) -> None:
    """The checks of the pages' period forms: the end not before the start, and at most
    ``max_span_days`` between them (``too_long`` is the form's own message)."""
    if end < start:
        raise invalid(source, end_field, _("The end date is before the start date."))
    if (end - start).days > max_span_days:
        raise invalid(source, end_field, too_long)


# --- Output --------------------------------------------------------------------------------


ChangeValue = str | int | float | bool | list[int | str] | None


class FieldChangeOut(Schema):
    field: str
    before: ChangeValue
    after: ChangeValue


def field_changes(changes: dict) -> list[dict]:
    """A recorded ``{field: [before, after]}`` as a list a schema can describe."""
    return [
        {"field": name, "before": values[0], "after": values[1]} for name, values in changes.items()
    ]


class PersonOut(Schema):
    id: int
    username: str
    name: str


def code_name(obj: Model | None) -> dict | None:
    return None if obj is None else {"code": obj.code, "name": obj.name}


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": str(user)}


class ImportOut(Schema):
    created: int = Field(..., description="Rows loaded: all of the file's rows.")


class ImportErrorOut(Schema):
    detail: list[ValidationErrorItem]
    rejected_rows_url: str | None = Field(
        None, description="The rejected rows with an error column, as XLSX, for the uploader."
    )


def import_errors(errors: list[str], rejected_rows_url: str | None) -> dict:
    """The 422 of a refused workbook import: one entry per error (each names its row and
    column), and where the uploader downloads the rejected rows."""
    return {
        "detail": [named_error(field_error("file", "file", m, kind="import")) for m in errors],
        "rejected_rows_url": rejected_rows_url,
    }


MAX_OFFSET = 2**31 - 1


class PageInput(Schema):
    limit: int = Field(20, ge=1, le=100, description="Rows per page, at most 100.")
    # Bounded: a larger OFFSET overflows the databases' 64-bit integers (a 500 before).
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


class Page(LimitOffsetPagination):
    """A page of a list: ``serialize`` turns each row into its output dict, and ``on_page``
    sees the rows of the page (the confidential reports log each one shown)."""

    Input = PageInput

    def __init__(
        self,
        *,
        serialize: Callable[[Any], dict] | None = None,
        on_page: Callable[[HttpRequest, list], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.serialize = serialize
        self.on_page = on_page

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = list(page["items"])
        if self.on_page is not None:
            self.on_page(request, rows)
        page["items"] = [self.serialize(row) for row in rows] if self.serialize else rows
        return page
