from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NearbyConfig(AppConfig):
    name = "civicdesk.nearby"
    verbose_name = _("Reports near you")
