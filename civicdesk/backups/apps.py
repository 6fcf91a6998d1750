from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "civicdesk.backups"
    label = "backups"
