from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "civicdesk.bulletins"
    label = "bulletins"
