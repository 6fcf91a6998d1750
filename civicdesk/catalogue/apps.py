from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "civicdesk.catalogue"
    label = "catalogue"
