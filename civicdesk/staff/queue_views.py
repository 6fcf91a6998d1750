"""Staff pages of the work queues: a queue with its remembered filters, the live counts, the
next case of a queue, and batch actions on the cases ticked in it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.accounts.models import User
from civicdesk.cases import batch
from civicdesk.cases.services import CaseInputError
from civicdesk.core.access import staff_required
from civicdesk.core.htmx import is_htmx
from civicdesk.core.paging import CappedPaginator
from civicdesk.staff import filters, queues
from civicdesk.staff.forms import BatchForm, QueueFilterForm

PAGE_SIZE = 25


def _filter_form(user: User, params) -> QueueFilterForm:
    return QueueFilterForm(params, units=filters.visible_units(user))


def filtered_queue(user: User, queue: queues.Queue, params: dict | None = None):
    """The queue's cases for this user with their filters (the saved ones when not given);
    filters that no longer validate (a unit since deactivated…) are left out."""
    if params is None:
        params = filters.saved_params(user, queue.slug)
    cases = queues.queue_cases(user, queue)
    form = _filter_form(user, filters.as_query(params))
    return filters.filter_cases(cases, form.cleaned_data) if form.is_valid() else cases


def case_url_in_queue(case_pk: int, queue: queues.Queue) -> str:
    return f"{reverse('staff:case', args=[case_pk])}?queue={queue.slug}"


def may_batch(user: User) -> bool:
    """Leaders read the queues; those who act on cases may act on several at once."""
    return user.role in {"clerk", "handler", "supervisor", "admin"}


@require_GET
@staff_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    current = queues.get_queue(request.user, slug)
    if "reset" in request.GET:
        filters.forget(request.user, current.slug)
        return redirect(current.url())
    asked = any(key not in filters.NOT_FILTERS for key in request.GET)
    params = filters.filter_params(request.GET) if asked else None
    restored = False
    if params is None:
        params = filters.saved_params(request.user, current.slug)
        restored = bool(params)
    form = _filter_form(request.user, filters.as_query(params))
    cases = queues.queue_cases(request.user, current).select_related(
        "submission__channel", "unit", "category"
    )
    status = 200
    if form.is_valid():
        cases = filters.filter_cases(cases, form.cleaned_data)
        if asked:
            filters.remember(request.user, current.slug, params)
    else:
        cases = cases.none()
        status = 200 if is_htmx(request) else 400
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "queue": current,
        "queues": queues.queues_for(request.user),
        "form": form,
        "page": page,
        "now": timezone.now(),
        "restored": restored,
        "filtered": bool(params),
        "selectable": may_batch(request.user),
        "batch_form": BatchForm(initial={"queue": current.slug}),
    }
    template = "staff/_queue_list.html" if is_htmx(request) else "staff/queue.html"
    return render(request, template, context, status=status)


@require_GET
@staff_required
def queue_counts(request: HttpRequest) -> HttpResponse:
    """The counters of the user's queues (htmx polls this, and reloads it after actions)."""
    context = {
        "counts": queues.counts(request.user),
        "current": request.GET.get("current", ""),
    }
    return render(request, "staff/_queue_counts.html", context)


@require_GET
@staff_required
def queue_next(request: HttpRequest, slug: str) -> HttpResponse:
    """The case after ?after=<pk> in the queue (with the user's filters), or the queue."""
    current = queues.get_queue(request.user, slug)
    after = request.GET.get("after", "")
    if not after.isdigit():
        return redirect(current.url())
    return go_to_next(request, current, int(after), queues.position_of(current, int(after)))


def go_to_next(request: HttpRequest, current: queues.Queue, after_pk: int, position):
    """Redirect to the next case of the queue, or back to the queue when none waits."""
    following = queues.next_case(
        filtered_queue(request.user, current), after_pk=after_pk, after_key=position
    )
    if following is None:
        messages.info(request, _("No other case waits in “%(queue)s”.") % {"queue": current.label})
        return redirect(current.url())
    return redirect(case_url_in_queue(following.pk, current))


def _run_batch(form: BatchForm, user: User) -> list[batch.BatchResult]:
    data = form.cleaned_data
    ids = data["cases"]
    if data["action"] == batch.ASSIGN:
        return batch.batch_assign(case_ids=ids, unit=data["unit"], actor=user, note=data["note"])
    if data["action"] == batch.MERGE:
        return batch.batch_merge(
            case_ids=ids, into=data["into_case"], actor=user, note=data["note"]
        )
    return batch.batch_note(case_ids=ids, text=data["note"], actor=user)


@require_POST
@staff_required
def batch_action(request: HttpRequest) -> HttpResponse:
    """One action on every case ticked in a queue, case by case through the same services
    and checks as on the case page; the page that answers lists each case's result."""
    form = BatchForm(request.POST)
    slug = request.POST.get("queue", "")
    back = queues.QUEUES.get(slug)
    if back is not None and back not in queues.queues_for(request.user):
        back = None
    context = {"form": form, "queue": back, "results": []}
    if not may_batch(request.user):
        form.is_valid()
        form.add_error(None, _("Your role may not do this."))
        return render(request, "staff/batch_result.html", context, status=403)
    if not form.is_valid():
        return render(request, "staff/batch_result.html", context, status=400)
    try:
        results = _run_batch(form, request.user)
    except CaseInputError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return render(request, "staff/batch_result.html", context, status=400)
    context["results"] = results
    context["done"] = sum(result.done for result in results)
    context["refused"] = len(results) - context["done"]
    response = render(request, "staff/batch_result.html", context)
    # Counters on the page listen for this and count again.
    response["HX-Trigger"] = "queues-changed"
    return response
