from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "civicdesk.supervision"
    label = "supervision"
