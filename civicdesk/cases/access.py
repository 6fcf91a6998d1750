"""The one way views reach a case: anything a user may not see is a 404, never a 403."""

from django.http import Http404

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case
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


def get_case_for_tracking_code(raw_code: str) -> Case:
    """For the public: the tracking code itself is the secret that grants access."""
    code = normalize_tracking_code(raw_code or "")
    if code is None:
        raise Http404("No such case")
    try:
        return Case.objects.select_related("submission", "unit", "category", "merged_into").get(
            tracking_code=code
        )
    except Case.DoesNotExist:
        raise Http404("No such case") from None
