from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "civicdesk.commitments"
    label = "commitments"
