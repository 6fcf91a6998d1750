from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "civicdesk.notifications"
    label = "notifications"

    def ready(self) -> None:
        from civicdesk.notifications import checks  # noqa: F401  (registers the deploy check)
