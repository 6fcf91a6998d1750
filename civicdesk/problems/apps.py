from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "civicdesk.problems"
    label = "problems"
