"""The one way nearby views reach an area alert: by its link's token, misses counted."""

from django.http import HttpRequest

from civicdesk.core.tokens import find_by_token
from civicdesk.nearby.models import AreaAlert


def get_alert_for_token(token: str, *, request: HttpRequest) -> AreaAlert:
    """Http404 for a wrong token, TokenThrottled once this client sent too many of them."""
    return find_by_token(
        request,
        lambda: (
            AreaAlert.objects.filter(token=token).first() if token and len(token) <= 64 else None
        ),
        what="No such alert",
    )
