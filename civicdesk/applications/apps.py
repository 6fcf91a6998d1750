from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "civicdesk.applications"
    verbose_name = _("Online service hall")

    def ready(self) -> None:
        # Appraisal schemes may deduct points per material asked for after the first notice:
        # the line kind is here.
        from civicdesk.applications import appraisal_lines

        appraisal_lines.register_line()
