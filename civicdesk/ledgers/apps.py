from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "civicdesk.ledgers"
    label = "ledgers"
