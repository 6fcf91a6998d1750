"""Knowledge base pages: the public search, staff editing, and the panel beside a case's
answer box (htmx) from which entries are inserted into the answer."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.core.access import staff_view
from civicdesk.core.paging import CappedPaginator
from civicdesk.knowledge import access, services
from civicdesk.knowledge.forms import EntryForm, SearchForm

PAGE_SIZE = 20
PANEL_SIZE = 8


def _search(request: HttpRequest, entries):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        entries = entries.search(query)
    return form, query, entries


@require_GET
def public_search(request: HttpRequest) -> HttpResponse:
    form, query, entries = _search(request, access.entries_visible_to(None))
    entries = entries.select_related("service_item", "category")
    page = CappedPaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge/search.html", {"form": form, "query": query, "page": page})


@require_GET
def public_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_public_entry(pk)
    return render(request, "knowledge/entry.html", {"entry": entry})


@staff_view(access.can_read_staff_list)
def staff_list(request: HttpRequest) -> HttpResponse:
    form, query, entries = _search(request, access.entries_visible_to(request.user))
    entries = entries.select_related("service_item", "category", "updated_by")
    page = CappedPaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "query": query,
        "page": page,
        "may_edit": access.can_edit_entries(request.user),
    }
    return render(request, "knowledge/staff_list.html", context)


@staff_view(access.can_edit_entries)
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = access.get_entry_for_user(request.user, pk) if pk is not None else None
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.entry_save(fields=form.entry_fields(), actor=request.user, entry=entry)
        except services.KnowledgeError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("The entry was saved."))
            return redirect("knowledge:staff_entry", pk=saved.pk)
    status = 400 if form.errors else 200
    return render(request, "knowledge/edit.html", {"form": form, "entry": entry}, status=status)


@staff_view(access.can_read_staff_list)
def staff_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry_for_user(request.user, pk)
    context = {
        "entry": entry,
        "may_edit": access.can_edit_entries(request.user),
        "uses": entry.uses.count(),
    }
    return render(request, "knowledge/staff_entry.html", context)


@require_GET
@staff_view(access.may_insert)
def case_entries(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The panel beside the answer box: the published entries of the case's category (or
    those matching what staff type into the panel's search)."""
    case = access.get_case_for_answering(request.user, case_pk)
    form, query, entries = _search(request, access.entries_visible_to(None))
    if not query:
        entries = entries.for_category(case.category)
    entries = list(entries.select_related("service_item")[:PANEL_SIZE])
    context = {
        "case": case,
        "form": form,
        "query": query,
        "entries": [(entry, services.notice_text(entry)) for entry in entries],
    }
    return render(request, "knowledge/_case_entries.html", context)


@require_POST
@staff_view(access.may_insert)
def use(request: HttpRequest, case_pk: int, entry_pk: int) -> HttpResponse:
    """Record that the entry went into the case's answer (the page's script inserted it)."""
    case = access.get_case_for_answering(request.user, case_pk)
    entry = access.get_public_entry(entry_pk)
    try:
        services.entry_use(entry=entry, case=case, actor=request.user)
    except services.KnowledgeError as error:
        return render(
            request, "knowledge/_used.html", {"error": str(error), "entry": entry}, status=409
        )
    return render(request, "knowledge/_used.html", {"entry": entry})
