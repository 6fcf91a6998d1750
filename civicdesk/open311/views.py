"""The GeoReport v2 endpoint: plain views answering in the format the URL ends with."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicdesk.accounts.models import ApiToken
from civicdesk.cases.workflow import OPEN_STATUSES
from civicdesk.core.ratelimit import over_limit, seconds_left
from civicdesk.intake.services import IdempotencyConflict
from civicdesk.open311 import representation
from civicdesk.open311.access import (
    check_jurisdiction,
    client_for_key,
    get_request,
    get_requests,
    get_service,
    offered_services,
    optional_client,
    public_requests,
    raw_api_key,
    searchable_requests,
    with_public_details,
)
from civicdesk.open311.forms import (
    MAX_RESULTS,
    RequestSearchForm,
    ServiceRequestForm,
    error_descriptions,
)
from civicdesk.open311.render import CONTENT_TYPES, XML, Open311Error, error_response, respond
from civicdesk.open311.services import RequestRefused, service_request_create

# A request of the spec is a few form fields with a description of at most 4,000 characters
# (36 KB when every character is percent-encoded UTF-8); anything far larger is refused.
MAX_BODY_BYTES = 64 * 1024
_MAX_IDEMPOTENCY_KEY = 150
_READ_METHODS = ("GET", "HEAD")


def read_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_OPEN311_READ_RATE_LIMIT", "300/h")


def post_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_OPEN311_POST_RATE_LIMIT", "600/h")


def _too_many(spec: str, message: str) -> Open311Error:
    return Open311Error(429, message, headers={"Retry-After": str(seconds_left(spec))})


def _form_params(request: HttpRequest) -> QueryDict:
    """The POST body, refused before it is read when it is larger than any real request."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise Open311Error(
            413,
            _("The request is %(size)d bytes; at most %(max)d bytes are accepted.")
            % {"size": length, "max": MAX_BODY_BYTES},
        )
    content_type = request.content_type or ""
    if content_type not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise Open311Error(
            400,
            _(
                "Send the request form-encoded (Content-Type: "
                "application/x-www-form-urlencoded), not as “%(type)s”."
            )
            % {"type": content_type or _("no content type")},
        )
    try:
        return request.POST
    except RequestDataTooBig:
        raise Open311Error(
            413, _("The request is larger than %(max)d bytes.") % {"max": MAX_BODY_BYTES}
        ) from None
    except TooManyFieldsSent:
        raise Open311Error(400, _("The request has too many fields.")) from None
    except MultiPartParserError:
        # Without this, Django's HTML 400 page (a 500 in debug mode), not the spec's errors.
        raise Open311Error(
            400,
            _(
                "The multipart form could not be read: its Content-Type names no boundary, or "
                "the parts do not use it. Send the request form-encoded (Content-Type: "
                "application/x-www-form-urlencoded), or as multipart/form-data with its boundary."
            ),
        ) from None


def _with_query(request: HttpRequest, body: QueryDict) -> QueryDict:
    """Some clients put api_key or jurisdiction_id in the URL of a POST; the body wins."""
    params = body.copy()
    for name in request.GET:
        if name not in params:
            params.setlist(name, request.GET.getlist(name))
    return params


def open311_endpoint(*methods: str) -> Callable:
    """Format, method, jurisdiction, api_key and rate limit, then the view; errors in format.

    The view is called as ``view(request, fmt, params, client, **kwargs)``; for reads the
    client is the key's token or None (anonymous reads are rate-limited).
    """

    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # clients authenticate with an api_key, not a session cookie
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            try:
                if fmt not in CONTENT_TYPES:
                    raise Open311Error(
                        404,
                        _("There is no format “%(format)s”: end the address in .xml or .json.")
                        % {"format": fmt},
                    )
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        _("%(method)s is not allowed here; use %(allowed)s.")
                        % {"method": request.method, "allowed": ", ".join(methods)},
                        headers={"Allow": ", ".join(methods)},
                    )
                reading = request.method in _READ_METHODS
                params = request.GET if reading else _with_query(request, _form_params(request))
                check_jurisdiction(request, params)
                client = None
                if reading:
                    client = optional_client(request, params)
                    if client is None and over_limit(request, "open311-read", read_rate_limit()):
                        raise _too_many(
                            read_rate_limit(),
                            _("Too many requests from your network. Please try again later."),
                        )
                return view(request, fmt, params, client, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)

        return wrapper

    return decorate


def root(request: HttpRequest) -> HttpResponse:
    return redirect("open311:discovery", fmt=XML)


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    fmt = path.rsplit(".", 1)[-1] if "." in path else XML
    return error_response(
        fmt,
        Open311Error(
            404,
            _("There is no resource “%(path)s”; discovery.xml lists what this endpoint offers.")
            % {"path": path},
        ),
    )


@open311_endpoint(*_READ_METHODS)
def discovery(request: HttpRequest, fmt: str, params: QueryDict, client) -> HttpResponse:
    return respond(fmt, "discovery", representation.discovery(request))


@open311_endpoint(*_READ_METHODS)
def services(request: HttpRequest, fmt: str, params: QueryDict, client) -> HttpResponse:
    data = [representation.service(category, aspect) for category, aspect in offered_services()]
    return respond(fmt, "services", data)


@open311_endpoint(*_READ_METHODS)
def service_definition(
    request: HttpRequest, fmt: str, params: QueryDict, client, code: str
) -> HttpResponse:
    category, _aspect = get_service(code)
    return respond(fmt, "service_definition", representation.service_definition(category))


@open311_endpoint(*_READ_METHODS, "POST")
def service_requests(
    request: HttpRequest, fmt: str, params: QueryDict, client: ApiToken | None
) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt, params)
    return _search(request, fmt, params, client)


def _search(
    request: HttpRequest, fmt: str, params: QueryDict, client: ApiToken | None
) -> HttpResponse:
    # "Can be declared multiple times, comma delimited": both forms mean the same.
    form = RequestSearchForm({name: ",".join(params.getlist(name)) for name in params})
    valid = form.is_valid()
    if form.has_error("service_request_id"):
        raise Open311Error(
            400, *(f"service_request_id: {text}" for text in form.errors["service_request_id"])
        )
    ids = form.cleaned_data["service_request_id"]
    if ids:
        # The ids override every other argument (spec). A public id names a published
        # request; a tracking code is the secret that opens its case's status page, so
        # anyone may ask for their own.
        found = get_requests(request, ids)
        data = [representation.service_request(request, f.case, public=f.public) for f in found]
        return respond(fmt, "service_requests", data)
    if not valid:
        raise Open311Error(400, *error_descriptions(form))
    # Without an api_key the published requests, named by their public ids; with one, the
    # cases its staff member may see, named by their tracking codes (the staff's own view).
    public = client is None
    search = form.cleaned_data
    cases = (public_requests() if public else searchable_requests(client)).filter(
        received_at__gte=search["start_date"], received_at__lte=search["end_date"]
    )
    if search["service_code"]:
        cases = cases.filter(category__code__in=search["service_code"])
    statuses = set(search["status"])
    if statuses == {"open"}:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        cases = cases.exclude(status__in=OPEN_STATUSES)
    cases = with_public_details(cases.order_by("-received_at", "-id")[:MAX_RESULTS])
    data = [representation.service_request(request, case, public=public) for case in cases]
    return respond(fmt, "service_requests", data)


def _create(request: HttpRequest, fmt: str, params: QueryDict) -> HttpResponse:
    client = client_for_key(raw_api_key(request, params))
    if over_limit(request, f"open311-post:{client.pk}", post_rate_limit()):
        raise _too_many(
            post_rate_limit(),
            _("Too many requests were created with this api_key. Please try again later."),
        )
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency_key) > _MAX_IDEMPOTENCY_KEY:
        raise Open311Error(
            400,
            _("Idempotency-Key may have at most %(max)d characters.")
            % {"max": _MAX_IDEMPOTENCY_KEY},
        )
    form = ServiceRequestForm(params)
    if not form.is_valid():
        status = 404 if form.has_error("service_code", code="not_found") else 400
        raise Open311Error(status, *error_descriptions(form))
    data = form.cleaned_data
    try:
        received = service_request_create(
            client=client,
            category=data["service_code"],
            description=data["description"],
            address=data["address_string"],
            address_id=data["address_id"],
            latitude=data["lat"],
            longitude=data["long"],
            contact_name=form.contact_name(),
            contact_phone=data["phone"],
            contact_email=data["email"],
            device_id=data["device_id"],
            account_id=data["account_id"],
            media_url=data["media_url"],
            language=get_language() or settings.LANGUAGE_CODE,
            idempotency_key=idempotency_key,
        )
    except RequestRefused as error:
        raise Open311Error(400, str(error)) from None
    except IdempotencyConflict:
        raise Open311Error(
            400,
            _(
                "This Idempotency-Key was already used for a different request. "
                "Send a new key for a new request."
            ),
        ) from None
    if received.is_confidential:
        body = [representation.confidential_request(received, data["account_id"])]
    else:
        body = [representation.created_request(received.case, data["account_id"])]
    created = received.created
    response = respond(fmt, "service_requests", body, status=201 if created else 200)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


@open311_endpoint(*_READ_METHODS)
def service_request(
    request: HttpRequest, fmt: str, params: QueryDict, client, request_id: str
) -> HttpResponse:
    found = get_request(request, request_id)
    data = [representation.service_request(request, found.case, public=found.public)]
    return respond(fmt, "service_requests", data)


@open311_endpoint(*_READ_METHODS)
def token(request: HttpRequest, fmt: str, params: QueryDict, client, token: str) -> HttpResponse:
    """Requests get their service_request_id at once, so no other tokens are ever issued;
    a client that asks anyway with the id it was given gets that id back (a public id is
    answered with the public id, never with the tracking code)."""
    found = get_request(request, token)
    data = [representation.token_lookup(found.case, public=found.public)]
    return respond(fmt, "service_requests", data)
