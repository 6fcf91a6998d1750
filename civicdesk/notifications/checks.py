"""`civicdesk check --deploy`: messages need the site's public address.

Every message to a citizen carries links (the case's status page, the satisfaction follow-up,
unsubscribe). Without CIVICDESK_SITE_URL they would be paths such as /track/2FSV-E3XF-RK/,
which nobody can tap, so the outbox sends nothing (delivery.py) and this check fails first.
"""

from django.core.checks import CheckMessage, Error, register

from civicdesk.notifications.services import site_address

SITE_URL_MISSING = "notifications.E001"


@register(deploy=True)
def site_url_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    if site_address() is not None:
        return []
    return [
        Error(
            "CIVICDESK_SITE_URL is not an absolute http(s) address: links in the messages to "
            "citizens would be relative, so the outbox sends nothing.",
            hint="Set CIVICDESK_SITE_URL to the site's public address, "
            "e.g. https://civicdesk.example.org.",
            id=SITE_URL_MISSING,
        )
    ]
