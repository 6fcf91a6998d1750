"""The public unsubscribe page (reached from the link in every message) and the staff outbox."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.core.access import staff_view
from civicdesk.core.paging import CappedPaginator
from civicdesk.core.tokens import too_many_attempts
from civicdesk.notifications import access, services
from civicdesk.notifications.forms import OutboxFilterForm, PreferenceForm
from civicdesk.notifications.models import Outbox, Status

PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop messages to the address the signed token names: everything, or some kinds. A GET
    changes nothing (mail scanners open links); the person confirms with the button."""
    try:
        preference = access.get_preference_for_token(token, request=request)
    except access.TokenThrottled as throttled:
        message = _(
            "Too many wrong unsubscribe links were opened from your connection. Please open "
            "the link from one of our messages again, exactly as it was sent, later."
        )
        return too_many_attempts(request, throttled, message)
    except Http404:
        return render(request, "notifications/invalid_link.html", status=404)
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preference_update(
                    preference=preference,
                    stop_all=form.cleaned_data["stop_all"],
                    kinds=form.cleaned_data["kinds"],
                )
            except services.NotificationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your choice is saved."))
                return redirect("notifications:unsubscribe", token=token)
        status = 400
    else:
        untouched = not preference.stop_all and not preference.stopped_kinds
        form = PreferenceForm(
            initial={
                # One click on "unsubscribe" should stop everything unless told otherwise.
                "stop_all": preference.stop_all or untouched,
                "kinds": preference.stopped_kinds,
            }
        )
    context = {"preference": preference, "form": form}
    return render(request, "notifications/unsubscribe.html", context, status=status)


@require_GET
@staff_view(access.can_see_outbox)
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    rows = Outbox.objects.all()
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        rows = rows.filter(**form.filters())
    counted = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
    counts = [(value, label, counted.get(value, 0)) for value, label in Status.choices]
    page = CappedPaginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "total": sum(counted.values()),
        "query": query.urlencode(),
    }
    return render(request, "notifications/outbox.html", context, status=status)


@require_POST
@staff_view(access.can_see_outbox)
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Outbox, pk=pk)
    try:
        services.outbox_resend(row=row, actor=request.user)
    except services.NotificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message will be sent again."))
    # Back to the same filters; the path is fixed, so the query cannot redirect elsewhere.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(reverse("notifications:outbox") + (f"?{query}" if query else ""))
