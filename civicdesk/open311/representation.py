"""What the endpoint says about services and requests, as plain data for render.respond.

A request shows only what the public status page of its case shows, redacted the same way:
never the reporter's name, phone, e-mail or account, and no internal events.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case, CaseEvent, Category
from civicdesk.cases.workflow import Action
from civicdesk.core.templatetags.civic import local_name
from civicdesk.core.textnorm import to_simplified, to_traditional
from civicdesk.reports.workflow import Ledger

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's own definitions last changed; a later change of the categories in the
# admin moves the changeset on (categories carry no modification time of their own).
ENDPOINT_CHANGESET = datetime(2026, 12, 1, tzinfo=UTC)
DESCRIPTION_MAX_LENGTH = 4000  # the spec's limit for descriptions


def w3c_datetime(value: datetime | None) -> str | None:
    """The spec's date-time format: ISO 8601 with an offset, e.g. 2010-01-01T08:00:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def open311_status(case: Case) -> str:
    """open while the district still owes an answer; closed once answered, closed or merged."""
    return "open" if case.is_open else "closed"


# Discovery.


def _changeset() -> str:
    category_type = ContentType.objects.get_for_model(Category)
    edited = (
        LogEntry.objects.filter(content_type=category_type)
        .order_by("-action_time")
        .values_list("action_time", flat=True)
        .first()
    )
    return w3c_datetime(max(filter(None, [ENDPOINT_CHANGESET, edited])))


def endpoint_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("open311:root")).rstrip("/")


def discovery(request: HttpRequest) -> dict:
    changeset = _changeset()
    site = getattr(settings, "CIVICDESK_SITE_NAME", "") or request.get_host()
    return {
        "changeset": changeset,
        "contact": _(
            "For questions about this API, contact the office that runs %(site)s "
            "through its website."
        )
        % {"site": site},
        "key_service": _(
            "An api_key is needed to create requests and to search them. The site's "
            "administrators issue one to a staff account with: civicdesk issue_token USER."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url(request),
                "changeset": changeset,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# Services.


def _keywords(category: Category, aspect: Category) -> str:
    words: list[str] = []
    for node in (category, aspect):
        for word in (node.name, to_simplified(node.name), to_traditional(node.name), node.name_en):
            if word and word not in words:
                words.append(word)
    return ", ".join(words)


def service(category: Category, aspect: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": local_name(category),
        "description": _("Reports about %(category)s, in the area of %(aspect)s.")
        % {"category": local_name(category), "aspect": local_name(aspect)},
        # No service asks for extra attributes, so clients need no service definition.
        "metadata": False,
        # The case is created at once: POST answers with its service_request_id.
        "type": "realtime",
        "keywords": _keywords(category, aspect),
        "group": local_name(aspect),
    }


def service_definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": []}


# Requests.


def _status_notes(case: Case, event: CaseEvent | None) -> str | None:
    if event is None:
        return None
    text = case.public_text(event.note) if event.note else str(Action(event.action).label)
    if event.action == Action.MERGE and event.data.get("into"):
        text = f"{text} ({_('Merged into')} {event.data['into']})"
    return text


def _media_url(request: HttpRequest, case: Case) -> str | None:
    photos = list(case.submission.photos.all())
    return request.build_absolute_uri(photos[0].image.url) if photos else None


def _coordinate(value) -> float | None:
    return float(value) if value is not None else None


def request_id(case: Case, *, public: bool) -> str:
    """The id a request is shown with: its public id when it was found or listed as a
    published request, else (asked for by its tracking code, or by a key's holder) the
    tracking code."""
    return case.public_id if public else case.tracking_code


def service_request(request: HttpRequest, case: Case, *, public: bool = False) -> dict:
    """One request, from a case loaded with access.with_public_details. ``public``: shown
    as a published request, by its public id and without photos (the redactor cannot check
    a picture; the reporter's tracking code shows them)."""
    submission = case.submission
    events = case.public_events
    latest = events[-1] if events else None
    is_open = case.is_open
    description = case.public_text(submission.description)[:DESCRIPTION_MAX_LENGTH]
    return {
        "service_request_id": request_id(case, public=public),
        "status": open311_status(case),
        "status_notes": _status_notes(case, latest),
        "service_name": local_name(case.category) if case.category else None,
        "service_code": case.category.code if case.category else "",
        "description": description or None,
        "agency_responsible": local_name(case.unit) if case.unit else None,
        "service_notice": answer_notice(case) if is_open else None,
        "requested_datetime": w3c_datetime(case.received_at),
        # For a closed request this is when it was answered, closed or merged.
        "updated_datetime": w3c_datetime(latest.created_at if latest else case.received_at),
        "expected_datetime": w3c_datetime(case.answer_due_at) if is_open else None,
        "address": case.public_text(submission.address) or None,
        "address_id": submission.source_details.get("address_id") or None,
        "zipcode": None,
        "lat": _coordinate(submission.latitude),
        "long": _coordinate(submission.longitude),
        "media_url": None if public else _media_url(request, case),
    }


def answer_notice(case: Case) -> str:
    return _("An official answer is due by %(date)s.") % {
        "date": timezone.localdate(case.answer_due_at).isoformat()
    }


def created_request(case: Case, account_id: str) -> dict:
    return {
        "service_request_id": case.tracking_code,
        "service_notice": answer_notice(case),
        "account_id": account_id or None,
    }


def confidential_request(received, account_id: str) -> dict:
    """An allegation of misconduct filed as a confidential report (intake.routing): no
    request id anyone could look up, only a notice, with the whistle-blower's follow-up code
    for an intermediary report (this answer is the only place it is ever shown)."""
    if received.report.ledger == Ledger.INTERMEDIARY:
        notice = _(
            "This concerns collusion with black intermediaries: it was filed as a confidential "
            "report for the discipline inspectors only, not as a public request."
        )
        if received.followup_code:
            notice += " " + _(
                "Follow-up code (keep it secret, it is shown only once): %(code)s"
            ) % {"code": received.followup_code}
    else:
        notice = _(
            "This concerns misconduct: it was filed as a confidential report for the "
            "supervisors only, not as a public request."
        )
    return {"service_request_id": None, "service_notice": notice, "account_id": account_id or None}


def token_lookup(case: Case, *, public: bool) -> dict:
    shown = request_id(case, public=public)
    return {"service_request_id": shown, "token": shown}
