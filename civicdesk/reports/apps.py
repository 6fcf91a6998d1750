from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "civicdesk.reports"
    label = "reports"
