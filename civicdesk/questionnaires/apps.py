from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "civicdesk.questionnaires"
    label = "questionnaires"
