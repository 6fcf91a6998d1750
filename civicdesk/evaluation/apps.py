from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "civicdesk.evaluation"
    label = "evaluation"
