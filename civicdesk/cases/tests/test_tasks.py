from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from civicdesk.cases import services
from civicdesk.cases.models import Case
from civicdesk.cases.tasks import close_undisputed_cases, escalate_overdue_cases
from civicdesk.cases.workflow import Action, Status


def test_escalation_runs_once_per_overdue_case(make_case):
    overdue, on_time = make_case(), make_case()
    Case.objects.filter(pk=overdue.pk).update(assign_due_at=timezone.now() - timedelta(hours=2))
    assert escalate_overdue_cases.call() == 1
    assert escalate_overdue_cases.call() == 0
    overdue.refresh_from_db()
    on_time.refresh_from_db()
    assert overdue.escalated_at is not None and on_time.escalated_at is None
    assert overdue.events.filter(action=Action.ESCALATE, actor_kind="system").count() == 1


def test_undisputed_answers_close_after_the_window(settings, make_case, supervisor, handler, units):
    settings.CIVICDESK_REOPEN_DAYS = 7
    old = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    services.case_answer(case=old, actor=handler, text="已处理")
    Case.objects.filter(pk=old.pk).update(answered_at=timezone.now() - timedelta(days=8))
    recent = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    services.case_answer(case=recent, actor=handler, text="已处理")
    assert close_undisputed_cases.call() == 1
    assert close_undisputed_cases.call() == 0
    assert Case.objects.get(pk=old.pk).status == Status.CLOSED
    assert Case.objects.get(pk=recent.pk).status == Status.ANSWERED


def test_enqueue_command_puts_every_job_on_the_queue(make_case, capsys):
    call_command("enqueue_scheduled")
    out = capsys.readouterr().out
    assert "escalate_overdue_cases" in out and "close_undisputed_cases" in out
    assert "train_classifier" in out
