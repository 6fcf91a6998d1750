"""Who may generate bulletins: the district-wide readers of the problem list; others get 404."""

from django.http import Http404

from civicdesk.accounts.models import User
from civicdesk.problems.access import can_read


def require_reader(user: User) -> None:
    if not can_read(user):
        raise Http404
