from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "civicdesk.knowledge"
    label = "knowledge"
