"""Who may see the outbox: supervisors and administrators (it lists people's addresses,
masked, and what was sent to them). Every staff view goes through `staff_view` with this.

The public unsubscribe page is reached with the signed token of its link. Wrong tokens are
counted per client in the budget shared by every token link (civicdesk.core.tokens): past it,
every unsubscribe link from that client is refused, right or wrong, while others are not."""

from django.http import HttpRequest

from civicdesk.accounts.models import Role, User

# TokenThrottled is what the views catch; it is raised by the shared helper.
from civicdesk.core.tokens import TokenThrottled as TokenThrottled
from civicdesk.core.tokens import find_by_token
from civicdesk.notifications.models import Preference
from civicdesk.notifications.services import preference_for_token

OUTBOX_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_see_outbox(user: User) -> bool:
    return user.has_role(*OUTBOX_ROLES)


def get_preference_for_token(token: str, *, request: HttpRequest) -> Preference:
    return find_by_token(request, lambda: preference_for_token(token), what="No such preference")
