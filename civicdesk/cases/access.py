"""The one way views reach a case: anything a user may not see is a 404, never a 403."""

import contextlib

from django.conf import settings
from django.http import Http404, HttpRequest

from civicdesk.accounts.models import Role, User
from civicdesk.cases.models import Case
from civicdesk.core.ratelimit import LimitReached, guarded_lookup
from civicdesk.core.tracking import normalize_tracking_code


def can_edit_dispatch_rules(user: User) -> bool:
    """Dispatch rules route every new case: supervisors and administrators set them."""
    return user.is_authenticated and user.has_role(Role.SUPERVISOR, Role.ADMIN)


def get_case_for_user(user: User, case_id: int | str) -> Case:
    try:
        return (
            Case.objects.visible_to(user)
            .select_related("submission", "submission__channel", "unit", "category", "merged_into")
            .get(pk=int(case_id))
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


class LookupThrottled(LimitReached):
    """Too many failed look-ups from one client: someone may be guessing codes."""


def _case_with_code(raw_code: str) -> Case | None:
    code = normalize_tracking_code(raw_code or "")
    if not code:
        return None
    # get(), not first(): the unique index answers it, with no sort on the case ordering.
    with contextlib.suppress(Case.DoesNotExist):
        return Case.objects.select_related("submission", "unit", "category", "merged_into").get(
            tracking_code=code
        )
    return None


def get_case_for_tracking_code(raw_code: str, *, request: HttpRequest | None = None) -> Case:
    """For the public: the tracking code itself is the secret that grants access.

    Failed look-ups are counted per client (when a request is given). Once a client is past
    the limit, every look-up from it raises LookupThrottled until the window ends, a real
    code's as well: otherwise a 200 among the 429s would still tell a guesser each hit. The
    pages, the API and Open311 all look codes up here, so they share one count.
    """
    try:
        case = guarded_lookup(
            request,
            "lookup-miss",
            settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT,
            lambda: _case_with_code(raw_code),
        )
    except LimitReached as reached:
        raise LookupThrottled(reached.retry_after) from None
    if case is None:
        raise Http404("No such case")
    return case
