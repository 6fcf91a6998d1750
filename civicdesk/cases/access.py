"""The one way views reach a case: anything a user may not see is a 404, never a 403."""

import contextlib

from django.conf import settings
from django.http import Http404, HttpRequest

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case
from civicdesk.core.ratelimit import over_limit
from civicdesk.core.tracking import normalize_tracking_code


def get_case_for_user(user: User, case_id: int | str) -> Case:
    try:
        return (
            Case.objects.visible_to(user)
            .select_related("submission", "submission__channel", "unit", "category", "merged_into")
            .get(pk=int(case_id))
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


class LookupThrottled(Exception):
    """Too many failed look-ups from one client: someone may be guessing codes."""


def get_case_for_tracking_code(raw_code: str, *, request: HttpRequest | None = None) -> Case:
    """For the public: the tracking code itself is the secret that grants access.

    Failed look-ups are counted per client (when a request is given); past the limit they
    raise LookupThrottled, so codes cannot be enumerated. Successful look-ups are not counted.
    """
    code = normalize_tracking_code(raw_code or "")
    case = None
    if code:
        # get(), not first(): the unique index answers it, with no sort on the case ordering.
        with contextlib.suppress(Case.DoesNotExist):
            case = Case.objects.select_related("submission", "unit", "category", "merged_into").get(
                tracking_code=code
            )
    if case is None:
        if request is not None and over_limit(
            request, "lookup-miss", settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT
        ):
            raise LookupThrottled
        raise Http404("No such case")
    return case
