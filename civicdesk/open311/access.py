"""The one way Open311 views reach jurisdictions, API keys, services and cases.

A request has two ids. Its **public id** (Case.public_id) names a published report, one
whose reporter agreed to publication (civicdesk.nearby.queries.published_reports): anyone
may list those (a search without an api_key) and read them by that id. Its **tracking
code** is the reporter's secret, which also lets its holder dispute an answer and answer the
satisfaction follow-up: whoever holds it may read that request, as on the public status
page, and a search with an api_key, covering the cases the key's staff member may see,
answers with tracking codes. A public id never leads to the tracking code.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.http.request import split_domain_port
from django.utils.translation import gettext as _

from civicdesk.accounts.models import ApiToken, Role, Unit
from civicdesk.cases.access import LookupThrottled, get_case_for_tracking_code
from civicdesk.cases.models import PUBLIC_ID_LENGTH, Case, CaseEvent, Category
from civicdesk.core.tracking import ALPHABET
from civicdesk.nearby.queries import published_reports
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
        headers=throttled.headers,
    )


_PUBLIC_ID = re.compile(f"[{ALPHABET.lower()}]{{{PUBLIC_ID_LENGTH}}}")


def is_public_id(raw_id: str) -> bool:
    """A public id is 12 lower-case characters; a tracking code has 10 and a check character,
    so the two can never be taken for each other."""
    return bool(_PUBLIC_ID.fullmatch(raw_id.strip()))


@dataclass(frozen=True)
class Found:
    """A case found by one of its ids; ``public`` when by its public id, so that the answer
    names it by that id again (and never by the tracking code)."""

    case: Case
    public: bool


def _find(request: HttpRequest, raw_id: str) -> Found | None:
    if is_public_id(raw_id):
        case = published_reports().filter(public_id=raw_id.strip()).first()
        return Found(case, public=True) if case is not None else None
    try:
        return Found(get_case_for_tracking_code(raw_id, request=request), public=False)
    except LookupThrottled as throttled:
        raise _throttled(throttled) from None
    except Http404:
        return None


def get_request(request: HttpRequest, raw_id: str) -> Found:
    """The case whose public id (published cases) or tracking code is ``raw_id``; misses of
    tracking codes count against the look-up limit."""
    found = _find(request, raw_id)
    if found is None:
        raise Open311Error(404, _("No service request has the id “%(id)s”.") % {"id": raw_id})
    case = with_public_details(Case.objects.filter(pk=found.case.pk)).get()
    return Found(case, found.public)


def get_requests(request: HttpRequest, raw_ids: list[str]) -> list[Found]:
    """The cases of the ids that exist, in the order asked; unknown ids are left out."""
    # (case, by public id) in the order asked, each once.
    found: dict[tuple[int, bool], None] = {}
    for raw_id in raw_ids:
        hit = _find(request, raw_id)
        if hit is not None:
            found.setdefault((hit.case.pk, hit.public), None)
    pks = {pk for pk, _public in found}
    loaded = with_public_details(Case.objects.filter(pk__in=pks)).in_bulk()
    return [Found(loaded[pk], public) for pk, public in found]


def public_requests() -> QuerySet:
    """What a search without an api_key covers: the published reports, and where the
    endpoint serves one unit's part of the district, only those handled there."""
    return _in_jurisdiction(published_reports())


def searchable_requests(client: ApiToken) -> QuerySet:
    """The cases a key may search: those its staff member may see, and where the endpoint
    serves one unit's part of the district, only the cases handled there."""
    return _in_jurisdiction(Case.objects.visible_to(client.user))


def _in_jurisdiction(cases: QuerySet) -> QuerySet:
    unit = _jurisdiction_unit()
    if unit is None:
        return cases
    inside = Q(unit__path__startswith=unit.path)
    if unit.parent_id is None:
        inside |= Q(unit__isnull=True)  # not yet routed, but reported to the whole district
    return cases.filter(inside)
