"""`civicdesk check --deploy` of where the settings came from (see demo_settings.py)."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

DEMO_SETTINGS_IN_USE = "core.E001"


@register(deploy=True)
def demo_settings_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    path = getattr(settings, "CIVICDESK_DEMO_SETTINGS_FILE", "")
    if not path:
        return []
    return [
        Error(
            f"Settings are read from the demo's file {path}: its debug mode and key are meant "
            "for trying civicdesk on one machine.",
            hint="Run production in its own data folder (CIVICDESK_DATA_DIR) without that "
            "file, with CIVICDESK_SECRET_KEY, CIVICDESK_SITE_URL and CIVICDESK_DEBUG=0 set.",
            id=DEMO_SETTINGS_IN_USE,
        )
    ]
