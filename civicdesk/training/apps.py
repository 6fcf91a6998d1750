from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "civicdesk.training"
    label = "training"

    def ready(self) -> None:
        # Appraisal schemes may give points for training hours: the line kind lives here.
        from civicdesk.training import appraisal_lines

        appraisal_lines.register_line()
