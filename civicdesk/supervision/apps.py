from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "civicdesk.supervision"
    label = "supervision"

    def ready(self) -> None:
        # Appraisal schemes may deduct points per letter answered late: the line kind is here.
        from civicdesk.supervision import appraisal_lines

        appraisal_lines.register_line()
