"""The inspectors' pages: the three signal lists (every view logged) and their own log."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicdesk.integrity import signals
from civicdesk.integrity.access import signals_view
from civicdesk.integrity.models import Signal, SignalAccess
from civicdesk.integrity.services import read_signal

NO_STORE = "no-store, private"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@signals_view
def index(request: HttpRequest) -> HttpResponse:
    return _no_store(render(request, "integrity/index.html", {"signals": Signal.choices}))


@require_GET
@signals_view
def signal_list(request: HttpRequest, signal: str) -> HttpResponse:
    if signal not in Signal.values:
        raise Http404
    rows = read_signal(user=request.user, signal=signal)
    context = {
        "signal": Signal(signal),
        "rows": rows,
        "rules": {
            "factor": signals.STUCK_FACTOR,
            "min_hours": signals.STUCK_MIN_HOURS,
            "passages": signals.MIN_PASSAGES,
            "days": signals.AGENT_DAYS,
            "applicants": signals.MIN_APPLICANTS,
            "refusals": signals.MIN_REFUSALS,
            "accepted": signals.MIN_ACCEPTED,
            "share": int(signals.ACCEPTED_ELSEWHERE_SHARE * 100),
            "ratio": signals.REFUSAL_RATIO,
        },
    }
    return _no_store(render(request, f"integrity/{signal}.html", context))


@require_GET
@signals_view
def access_log(request: HttpRequest) -> HttpResponse:
    views = SignalAccess.objects.select_related("user").order_by("-created_at", "-id")[:200]
    return _no_store(render(request, "integrity/log.html", {"views": views}))
