from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicdesk.core"
    label = "core"

    def ready(self) -> None:
        # Imported to register the system checks.
        from civicdesk.core import checks, deploy_checks  # noqa: F401
