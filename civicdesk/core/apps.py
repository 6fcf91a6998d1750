from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicdesk.core"
    label = "core"

    def ready(self) -> None:
        from civicdesk.core import checks  # noqa: F401  (registers the system checks)
