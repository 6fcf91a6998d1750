"""Check that no hash-chained history (problems, measures, ledgers, confidential reports) was
rewritten, and that every row those histories record still matches the state its last event
recorded (a row edited in the database directly is named with the field and both values)."""

from django.core.management.base import BaseCommand, CommandError

from civicdesk.core.chain import chained_models, verify


class Command(BaseCommand):
    help = (
        "Recompute every hash chain and report any event that was edited, removed or moved, "
        "and any chained row whose fields differ from what its last event recorded."
    )

    def handle(self, *args, **options) -> None:
        problems = []
        for model in chained_models():
            breaks = verify(model)
            count = model.objects.count()
            self.stdout.write(f"{model._meta.label}: {count} events, {len(breaks)} problems")
            problems += breaks
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problems found in the recorded history.")
        self.stdout.write(self.style.SUCCESS("Every chain is intact."))
