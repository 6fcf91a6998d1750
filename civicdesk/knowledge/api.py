"""The knowledge base in the API (registered under /api/v1/knowledge by civicdesk.api.api):
anyone searches and reads the published entries; staff with a token edit them (clerks,
supervisors, administrators), list a case's entries with the text to insert, and record that
an entry went into a case's answer (whoever may answer the case)."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    Page,
    category_by_code,
    code_name,
    conflict,
    forbid_unless,
    reads,
    writes,
)
from civicdesk.api.errors import invalid
from civicdesk.api.schemas import CodeNameOut, ErrorOut, ValidationErrorOut
from civicdesk.cases.access import get_case_for_user
from civicdesk.catalogue.models import ServiceItem
from civicdesk.knowledge import access, services
from civicdesk.knowledge.models import Entry

router = Router(tags=["knowledge"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class EntryOut(Schema):
    id: int
    title: str
    service_item: CodeNameOut | None
    category: CodeNameOut | None
    summary: str
    materials: list[str] = Field(..., description="The entry's list, else the item's.")
    place: str
    fees: str
    legal_basis: str
    is_published: bool
    updated_at: datetime


class CaseEntryOut(EntryOut):
    text: str = Field(..., description="The whole notice, as inserted into an answer.")


class EntryIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    service_item: str | None = Field(None, description="Service catalogue item code.")
    category: str | None = Field(None, description="Category code.")
    materials: Text = Field("", description="One per line.")
    place: Text = ""
    fees: Text = ""
    legal_basis: Text = ""
    is_published: bool = True


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="Words that must all appear.")


class UseIn(Schema):
    entry_id: int


class UseOut(Schema):
    id: int
    entry_id: int
    case_id: int
    used_at: datetime


def entry_out(entry: Entry) -> dict:
    return {
        "id": entry.pk,
        "title": entry.title,
        "service_item": code_name(entry.service_item),
        "category": code_name(entry.category),
        "summary": entry.summary,
        "materials": entry.material_list,
        "place": entry.place,
        "fees": entry.fees,
        "legal_basis": entry.legal_basis,
        "is_published": entry.is_published,
        "updated_at": entry.updated_at,
    }


def _fields(payload: EntryIn) -> services.EntryFields:
    item = None
    if payload.service_item:
        item = ServiceItem.objects.active().filter(code=payload.service_item).first()
        if item is None:
            raise invalid(
                "body",
                "service_item",
                _("There is no service item “%(code)s”.") % {"code": payload.service_item},
            )
    return services.EntryFields(
        title=payload.title,
        summary=payload.summary,
        category=category_by_code("body", "category", payload.category),
        service_item=item,
        materials=payload.materials,
        place=payload.place,
        fees=payload.fees,
        legal_basis=payload.legal_basis,
        is_published=payload.is_published,
    )


def _case(user: User, case_id: int):
    """The case as the staff pages find it (404), then whether the caller answers cases (403)."""
    case = get_case_for_user(user, case_id)
    forbid_unless(access.may_insert(user))
    return case


def _save(user: User, payload: EntryIn, entry: Entry | None = None) -> Entry:
    fields = _fields(payload)
    try:
        return services.entry_save(fields=fields, actor=user, entry=entry)
    except services.KnowledgeError as error:
        raise invalid("body", error.field or "category", str(error)) from None


@router.get(
    "/entries",
    response={200: list[EntryOut], 422: ValidationErrorOut},
    summary="Search the published knowledge entries (no account needed)",
)
@paginate(Page, serialize=entry_out)
def search_entries(request: HttpRequest, query: Query[SearchQuery]) -> Any:
    entries = access.entries_visible_to(None).select_related("service_item", "category")
    return entries.search(query.q) if query.q.strip() else entries


@router.get(
    "/entries/{entry_id}",
    response={200: EntryOut, 404: ErrorOut},
    summary="A published knowledge entry (no account needed)",
)
def get_entry(request: HttpRequest, entry_id: int) -> dict:
    return entry_out(access.get_public_entry(entry_id))


@router.post(
    "/entries",
    auth=staff_token,
    response=writes(EntryOut, 201),
    summary="Add a knowledge entry (clerks, supervisors)",
)
def create_entry(request: HttpRequest, payload: EntryIn) -> Status:
    forbid_unless(access.can_edit_entries(request.auth))
    return Status(201, entry_out(_save(request.auth, payload)))


@router.put(
    "/entries/{entry_id}",
    auth=staff_token,
    response=writes(EntryOut),
    summary="Change a knowledge entry (the whole entry)",
)
def update_entry(request: HttpRequest, entry_id: int, payload: EntryIn) -> dict:
    entry = access.get_entry_for_user(request.auth, entry_id)
    forbid_unless(access.can_edit_entries(request.auth))
    return entry_out(_save(request.auth, payload, entry))


@router.get(
    "/cases/{case_id}/entries",
    auth=staff_token,
    response=reads(list[CaseEntryOut]),
    summary="The published entries for a case's category, with the text to insert",
)
def list_case_entries(request: HttpRequest, case_id: int, query: Query[SearchQuery]) -> list:
    case = _case(request.auth, case_id)
    entries = access.entries_visible_to(None).select_related("service_item", "category")
    entries = entries.search(query.q) if query.q.strip() else entries.for_category(case.category)
    return [entry_out(e) | {"text": services.notice_text(e)} for e in entries[:50]]


@router.post(
    "/cases/{case_id}/uses",
    auth=staff_token,
    response=writes(UseOut, 201),
    summary="Record that an entry was inserted into the case's answer",
)
def record_entry_use(request: HttpRequest, case_id: int, payload: UseIn) -> Status:
    case = _case(request.auth, case_id)
    entry = Entry.objects.published().filter(pk=payload.entry_id).first()
    if entry is None:
        raise invalid(
            "body", "entry_id", _("There is no published entry %(id)d.") % {"id": payload.entry_id}
        )
    try:
        used = services.entry_use(entry=entry, case=case, actor=request.auth)
    except services.KnowledgeError as error:
        raise conflict(str(error)) from None
    return Status(
        201,
        {"id": used.pk, "entry_id": entry.pk, "case_id": case.pk, "used_at": used.used_at},
    )
