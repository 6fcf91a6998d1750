"""Public pages: the map of published reports with its list, a report's public page with
"me too", and e-mail alerts about new reports in an area."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.core.paging import CappedPaginator
from civicdesk.core.ratelimit import client_address, over_limit, seconds_left
from civicdesk.core.tokens import TokenThrottled, too_many_attempts
from civicdesk.nearby import services
from civicdesk.nearby.access import get_alert_for_token
from civicdesk.nearby.forms import AlertForm, MapFilterForm
from civicdesk.nearby.queries import (
    endorsement_count,
    get_published_report,
    published_reports,
    with_endorsement_counts,
    with_status,
)

BROWSER_COOKIE = "civicdesk_metoo"
BROWSER_COOKIE_SALT = "civicdesk.nearby.browser"
BROWSER_COOKIE_AGE = 365 * 24 * 3600


def metoo_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_METOO_RATE_LIMIT", "30/h")


def alert_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_ALERT_SUBSCRIBE_RATE_LIMIT", "10/h")


def filtered_reports(form: MapFilterForm):
    cases = published_reports()
    if form.is_valid():
        if form.cleaned_data["category"]:
            cases = cases.filter(category=form.cleaned_data["category"])
        cases = with_status(cases, form.cleaned_data["status"])
    return cases


def report_map(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    cases = with_endorsement_counts(
        filtered_reports(form).with_public_texts().select_related("unit", "category")
    ).order_by("-received_at", "-id")
    page = CappedPaginator(cases, 20).get_page(request.GET.get("page"))
    filters = {}
    if form.is_valid():
        if form.cleaned_data["category"]:
            filters["category"] = form.cleaned_data["category"].code
        if form.cleaned_data["status"]:
            filters["status"] = ",".join(form.cleaned_data["status"])
    clusters_url = reverse("api-v1:map_clusters")
    if filters:
        clusters_url += "?" + urlencode(filters)
    return render(
        request,
        "nearby/map.html",
        {"form": form, "page": page, "clusters_url": clusters_url},
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _report_context(case) -> dict:
    return {
        "case": case,
        "events": case.events.public().select_related("unit"),
        "endorsements": endorsement_count(case),
    }


def report(request: HttpRequest, public_id: str) -> HttpResponse:
    case = get_published_report(public_id)
    return render(request, "nearby/report.html", _report_context(case))


def _browser_id(request: HttpRequest) -> tuple[str, bool]:
    """The browser's random id from its signed cookie, or a new one (True: to be set)."""
    value = request.get_signed_cookie(BROWSER_COOKIE, default="", salt=BROWSER_COOKIE_SALT)
    if value and len(value) <= 64:
        return value, False
    return secrets.token_urlsafe(24), True


@require_POST
def metoo(request: HttpRequest, public_id: str) -> HttpResponse:
    case = get_published_report(public_id)
    browser_id, fresh = _browser_id(request)
    status = 200
    if over_limit(request, "metoo", metoo_rate_limit()):
        messages.error(
            request, _("Too many “me too” from your connection. Please try again later.")
        )
        status = 429
    else:
        try:
            endorsed = services.endorse(
                case=case,
                browser_id=browser_id,
                client_address=client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except services.NearbyError as error:
            messages.info(request, str(error))
            status = 409
        else:
            messages.success(
                request,
                _("Thank you: your “me too” was counted (%(count)d in all).")
                % {"count": endorsed.count},
            )
    if status == 200:
        response = redirect("nearby:report", public_id=case.public_id)
    else:
        response = render(request, "nearby/report.html", _report_context(case), status=status)
        if status == 429:
            response["Retry-After"] = str(seconds_left(metoo_rate_limit()))
    if fresh:
        response.set_signed_cookie(
            BROWSER_COOKIE,
            browser_id,
            salt=BROWSER_COOKIE_SALT,
            max_age=BROWSER_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@require_http_methods(["GET", "POST"])
def alerts(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "nearby/alerts.html", {"form": AlertForm()})
    form = AlertForm(request.POST)
    if over_limit(request, "area-alert", alert_rate_limit()):
        form.is_valid()
        form.add_error(None, _("Too many subscriptions from your connection. Try again later."))
        return render(request, "nearby/alerts.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "nearby/alerts.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        area = services.alert_area(
            kind=data["kind"],
            latitude=data["latitude"] or None,
            longitude=data["longitude"] or None,
            radius_m=data["radius_m"],
            street=data["street"] if data["kind"] == "street" else "",
        )
        services.alert_subscribe(email=data["email"], area=area, language=get_language() or "")
    except services.NearbyError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return render(request, "nearby/alerts.html", {"form": form}, status=400)
    messages.success(request, _("Almost done: open the link we sent to your mailbox to confirm."))
    return redirect("nearby:alerts")


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a button (mail scanners open links); the button confirms."""
    try:
        alert = get_alert_for_token(token, request=request)
    except TokenThrottled as throttled:
        return too_many_attempts(request, throttled)
    if request.method == "GET":
        return render(
            request,
            "nearby/alert_link.html",
            {"alert": alert, "area": services.area_description(alert), "confirming": True},
        )
    services.alert_confirm(token=token)
    messages.success(
        request, _("Confirmed: you will get an e-mail about new reports in this area.")
    )
    return redirect("nearby:map")


@require_http_methods(["GET", "POST"])
def alert_stop(request: HttpRequest, token: str) -> HttpResponse:
    try:
        alert = get_alert_for_token(token, request=request)
    except TokenThrottled as throttled:
        return too_many_attempts(request, throttled)
    if request.method == "GET":
        return render(
            request,
            "nearby/alert_link.html",
            {"alert": alert, "area": services.area_description(alert), "confirming": False},
        )
    services.alert_stop(token=token)
    messages.success(request, _("You will get no more alerts about this area."))
    return redirect("nearby:map")
