"""The filters of the staff case lists (inbox and queues), and the queue filters each user's
last visit left behind, kept on the server."""

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.workflow import OPEN_STATUSES
from civicdesk.staff.forms import OPEN, OPEN_UNLESS_SEARCHING
from civicdesk.staff.models import SavedFilter

# Query parameters that are not filters: the page of the list, the reset request.
NOT_FILTERS = frozenset({"page", "reset"})


def visible_units(user: User):
    units = Unit.objects.all()
    return units if user.sees_all_cases else units.subtree_of(user.unit)


def _status_filter(data: dict) -> str:
    """The status asked for; the default means open cases unless the user searches."""
    status = data.get("status") or ""
    if status == OPEN_UNLESS_SEARCHING:
        return "" if data.get("q") else OPEN
    return status


def filter_cases(cases: QuerySet, data: dict) -> QuerySet:
    """Narrow `cases` by the cleaned data of an inbox or queue filter form."""
    status = _status_filter(data)
    if status == OPEN:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if data.get("overdue"):
        cases = cases.overdue()
    if data.get("channel"):
        cases = cases.filter(submission__channel=data["channel"])
    if data.get("category"):
        category = data["category"]
        cases = cases.filter(Q(category=category) | Q(category__parent=category))
    if data.get("unit"):
        cases = cases.for_unit_subtree(data["unit"])
    if data.get("received_from"):
        cases = cases.filter(received_at__date__gte=data["received_from"])
    if data.get("received_to"):
        cases = cases.filter(received_at__date__lte=data["received_to"])
    if data.get("q"):
        cases = cases.search(data["q"])
    return cases


def filter_params(query: QueryDict) -> dict[str, str]:
    """The filters of a query string: every non-empty parameter but the page."""
    return {key: value for key, value in query.items() if key not in NOT_FILTERS and value}


def saved_params(user: User, list_name: str) -> dict[str, str]:
    saved = SavedFilter.objects.filter(user=user, list_name=list_name).first()
    return dict(saved.params) if saved else {}


def remember(user: User, list_name: str, params: dict[str, str]) -> None:
    """Keep these filters for the user's next visit (only what changed is written)."""
    saved = SavedFilter.objects.filter(user=user, list_name=list_name).first()
    if saved is None:
        if params:
            SavedFilter.objects.create(user=user, list_name=list_name, params=params)
        return
    if saved.params != params:
        saved.params = params
        saved.updated_at = timezone.now()
        saved.save(update_fields=["params", "updated_at"])


def forget(user: User, list_name: str) -> None:
    SavedFilter.objects.filter(user=user, list_name=list_name).delete()


def as_query(params: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(params)
    return query
