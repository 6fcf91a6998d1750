from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "civicdesk.ratings"
    label = "ratings"
