"""Check that no hash-chained history (problems, measures, ledgers) was rewritten."""

from django.core.management.base import BaseCommand, CommandError

from civicdesk.core.chain import chained_models, verify


class Command(BaseCommand):
    help = "Recompute every hash chain and report any event that was edited, removed or moved."

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
