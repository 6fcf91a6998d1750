"""The one way Open311 views reach jurisdictions, API keys, services and cases.

What a request shows is what the public status page of its case shows, so anyone who holds
a service_request_id (the case's tracking code) may read that request. Searching requests
by service, status and date would hand out tracking codes, which also let their holder
dispute an answer and answer the satisfaction follow-up; so a search needs an api_key and
covers only the cases the key's staff member may see.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.http.request import split_domain_port
from django.utils.translation import gettext as _

from civicdesk.accounts.models import ApiToken, Role, Unit
from civicdesk.cases.access import LookupThrottled, get_case_for_tracking_code
from civicdesk.cases.models import Case, CaseEvent, Category
from civicdesk.open311.render import Open311Error

# Staff who take down opinions may run an Open311 client; discipline inspectors may not.
CLIENT_ROLES = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})
# Issued keys are ~46 characters; anything much longer is not worth hashing.
_MAX_KEY_LENGTH = 200


def _bare_host(value: str) -> str:
    return value.strip().lower().rstrip(".").removeprefix("www.")


def jurisdiction_id(request: HttpRequest) -> str:
    """The jurisdiction this endpoint serves: the setting, else the site's host name.

    The spec suggests the jurisdiction's website without "www" (sfgov.org for San Francisco).
    """
    configured = getattr(settings, "CIVICDESK_OPEN311_JURISDICTION", "")
    if configured:
        return _bare_host(configured)
    site_url = getattr(settings, "CIVICDESK_SITE_URL", "")
    host = urlsplit(site_url).hostname if site_url else None
    return _bare_host(host or split_domain_port(request.get_host())[0])


def check_jurisdiction(request: HttpRequest, params: QueryDict) -> None:
    """jurisdiction_id is optional for a single-jurisdiction endpoint, but must be ours if sent."""
    given = params.get("jurisdiction_id", "").strip()
    if given and _bare_host(given) != jurisdiction_id(request):
        raise Open311Error(
            404,
            _("jurisdiction_id “%(given)s” was not found: this endpoint serves “%(ours)s”.")
            % {"given": given, "ours": jurisdiction_id(request)},
        )


def raw_api_key(request: HttpRequest, params: QueryDict) -> str:
    """The api_key parameter of the spec, or an ``Authorization: Bearer`` header."""
    key = params.get("api_key", "")
    if not key:
        scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            key = value
    return key.strip()


def _jurisdiction_unit() -> Unit | None:
    code = getattr(settings, "CIVICDESK_OPEN311_UNIT", "")
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ImproperlyConfigured(f"CIVICDESK_OPEN311_UNIT names no unit: {code!r}")
    return unit


def client_for_key(raw_key: str) -> ApiToken:
    """The live token behind an api_key, if its holder may use Open311; else a 403."""
    if not raw_key:
        raise Open311Error(403, _("api_key is missing: this request needs an API key."))
    token = ApiToken.objects.find(raw_key) if len(raw_key) <= _MAX_KEY_LENGTH else None
    if token is None or not token.user.is_staff_member:
        raise Open311Error(
            403, _("api_key is not valid: it is unknown, revoked or of a disabled account.")
        )
    if token.user.role not in CLIENT_ROLES:
        raise Open311Error(403, _("api_key belongs to an account that may not use Open311."))
    unit = _jurisdiction_unit()
    user_unit = token.user.unit
    if unit is not None and (user_unit is None or not user_unit.path.startswith(unit.path)):
        raise Open311Error(
            403,
            _("api_key belongs to a unit outside this jurisdiction (%(unit)s).") % {"unit": unit},
        )
    token.record_use()  # at most once a minute: a read must not wait for the writer
    return token


def optional_client(request: HttpRequest, params: QueryDict) -> ApiToken | None:
    """No key is an anonymous caller; a key that is sent must be valid (a 403 says so)."""
    raw_key = raw_api_key(request, params)
    return client_for_key(raw_key) if raw_key else None


# Services: the categories under the aspects (the top-level nodes are the groups).


def offered_services() -> list[tuple[Category, Category]]:
    """(category, aspect) for each active category under an active aspect, in display order."""
    categories = {category.pk: category for category in Category.objects.all()}
    offered = []
    for category in categories.values():
        if category.parent_id is None or not category.is_active:
            continue
        aspect, chain_active = category, True
        while aspect.parent_id is not None:
            aspect = categories[aspect.parent_id]
            chain_active = chain_active and aspect.is_active
        if chain_active:
            offered.append((category, aspect))
    return offered


def get_service(code: str) -> tuple[Category, Category]:
    for category, aspect in offered_services():
        if category.code == code:
            return category, aspect
    raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code})


# Requests: cases, looked up by tracking code or searched with a key.


def with_public_details(cases: QuerySet) -> QuerySet:
    """Everything a request's representation needs, in a fixed number of queries."""
    # with_public_texts: the notes that Case.public_text looks for names in.
    cases = cases.with_public_texts()
    return cases.select_related("submission", "unit", "category", "merged_into").prefetch_related(
        Prefetch(
            "events",
            queryset=CaseEvent.objects.public().order_by("created_at", "id"),
            to_attr="public_events",
        ),
        "submission__photos",
    )


def _throttled(throttled: LookupThrottled) -> Open311Error:
    return Open311Error(
        429,
        _("Too many unknown service_request_ids were tried from your network. Try again later."),
        headers={"Retry-After": str(throttled.retry_after)},
    )


def get_request(request: HttpRequest, raw_id: str) -> Case:
    """The case whose tracking code is ``raw_id``; misses count against the look-up limit."""
    try:
        case = get_case_for_tracking_code(raw_id, request=request)
    except LookupThrottled as throttled:
        raise _throttled(throttled) from None
    except Http404:
        raise Open311Error(
            404, _("No service request has the id “%(id)s”.") % {"id": raw_id}
        ) from None
    return with_public_details(Case.objects.filter(pk=case.pk)).get()


def get_requests(request: HttpRequest, raw_ids: list[str]) -> list[Case]:
    """The cases of the ids that exist, in the order asked; unknown ids are left out."""
    found: dict[int, Case] = {}
    for raw_id in raw_ids:
        try:
            case = get_case_for_tracking_code(raw_id, request=request)
        except LookupThrottled as throttled:
            raise _throttled(throttled) from None
        except Http404:
            continue
        found.setdefault(case.pk, case)
    loaded = with_public_details(Case.objects.filter(pk__in=found)).in_bulk()
    return [loaded[pk] for pk in found]


def searchable_requests(client: ApiToken) -> QuerySet:
    """The cases a key may search: those its staff member may see, and where the endpoint
    serves one unit's part of the district, only the cases handled there."""
    cases = Case.objects.visible_to(client.user)
    unit = _jurisdiction_unit()
    if unit is None:
        return cases
    inside = Q(unit__path__startswith=unit.path)
    if unit.parent_id is None:
        inside |= Q(unit__isnull=True)  # not yet routed, but reported to the whole district
    return cases.filter(inside)
