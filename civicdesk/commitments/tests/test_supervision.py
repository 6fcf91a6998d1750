from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from civicdesk.commitments import services, tasks
from civicdesk.commitments.models import MeasureEvent, Reminder
from civicdesk.commitments.tests.conftest import png_upload
from civicdesk.commitments.workflow import MeasureAction

pytestmark = pytest.mark.django_db


def test_reminders_run_twice_send_once(make_measure, handler, django_capture_on_commit_callbacks):
    handler.email = "handler@example.org"
    handler.save()
    make_measure(title="Due today", start=-5, deadline=0)
    make_measure(title="Far away", start=-5, deadline=60)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_due_measures.call() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_due_measures.call() == 0
    assert [m.to for m in mail.outbox] == [["handler@example.org"]]
    assert "Due today" in mail.outbox[0].subject
    assert Reminder.objects.count() == 1


def test_escalation_runs_twice_sends_once(
    make_measure, supervisor, leader, handler, django_capture_on_commit_callbacks
):
    supervisor.email, leader.email = "boss@example.org", "leader@example.org"
    supervisor.save()
    leader.save()
    measure = make_measure(title="Late", start=-30, deadline=-1)
    make_measure(title="On time", start=-30, deadline=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue_measures.call() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue_measures.call() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.org", "leader@example.org"]
    assert measure.events.filter(action=MeasureAction.ESCALATE).count() == 1


def test_a_new_deadline_can_be_escalated_again(make_measure, handler, supervisor):
    measure = make_measure(start=-30, deadline=-5)
    tasks.escalate_overdue_measures.call()
    services.measure_request_extension(
        measure=measure,
        reason="Rain",
        new_deadline=measure.deadline + timedelta(days=2),
        actor=handler,
    )
    services.measure_approve_extension(measure=measure, actor=supervisor)
    assert tasks.escalate_overdue_measures.call() == 1
    assert measure.events.filter(action=MeasureAction.ESCALATE).count() == 2


def _lifecycle(measure, handler, supervisor):
    services.measure_update_progress(measure=measure, progress=50, actor=handler, note="half")
    services.evidence_add(measure=measure, upload=png_upload(), actor=handler)
    services.measure_mark_done(measure=measure, actor=handler)
    services.measure_verify(measure=measure, actor=supervisor)
    services.measure_close(measure=measure, actor=supervisor)


def test_chain_verifies_after_a_lifecycle_and_detects_an_edited_event(measure, handler, supervisor):
    _lifecycle(measure, handler, supervisor)
    call_command("verify_chains")
    event = MeasureEvent.objects.get(measure=measure, action=MeasureAction.PROGRESS)
    MeasureEvent.objects.filter(pk=event.pk).update(note="nothing to see")
    with pytest.raises(CommandError):
        call_command("verify_chains")


def test_chain_detects_a_changed_progress(measure, handler, supervisor):
    _lifecycle(measure, handler, supervisor)
    MeasureEvent.objects.filter(measure=measure, action=MeasureAction.PROGRESS).update(progress=90)
    with pytest.raises(CommandError):
        call_command("verify_chains")


def test_events_cannot_be_saved_again(measure):
    event = measure.events.get()
    event.note = "rewrite"
    with pytest.raises(ValueError):
        event.save()
