from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "civicdesk.appraisal"
    label = "appraisal"

    def ready(self) -> None:
        # The built-in line kinds; other apps register theirs in their own ready().
        from civicdesk.appraisal import builtin_lines

        builtin_lines.register_all()
