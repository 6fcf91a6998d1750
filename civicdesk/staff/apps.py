from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "civicdesk.staff"
    label = "staff"
