from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "civicdesk.public"
    label = "public"
