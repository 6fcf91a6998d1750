"""A measure is done only with its milestones reached and evidence, or with a supervisor's
recorded reason; only then are reporters and subscribers told it is done (issue 13, item 4)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from civicdesk.commitments import services
from civicdesk.commitments.models import MeasureEvent, Notification, Subscription
from civicdesk.commitments.tests.conftest import png_upload
from civicdesk.commitments.workflow import MeasureAction, MeasureStatus
from civicdesk.conftest import login
from civicdesk.notifications.models import Outbox

pytestmark = pytest.mark.django_db


def _url(measure, action: str = "") -> str:
    return f"/commitments/staff/measures/{measure.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def measure_with_open_milestone(measure, handler):
    services.milestone_add(
        measure=measure,
        title="Half the street",
        due_date=timezone.localdate() + timedelta(days=5),
        actor=handler,
    )
    return measure


def _told_done(measure) -> bool:
    """Whether a reporter or a subscriber was told, in any form, that the measure is done."""
    done = str(MeasureStatus.DONE.label)
    in_app = Notification.objects.filter(measure=measure, message__contains=done).exists()
    sent = Outbox.objects.filter(body__contains=done).exists()
    return in_app or sent


def test_a_handler_cannot_mark_done_with_an_open_milestone_and_no_evidence(
    measure_with_open_milestone, handler, problem
):
    measure = measure_with_open_milestone
    Subscription.objects.create(problem=problem, email="fan@example.org", confirmed=True)

    response = login(handler).post(_url(measure, "mark_done"), {"mark_done-note": ""})

    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be marked done yet" in body
    assert "1 milestone not reached (Half the street)" in body
    assert "no evidence" in body
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED and measure.done_at is None
    assert not measure.events.filter(action=MeasureAction.MARK_DONE).exists()
    assert not _told_done(measure)


def test_a_handler_may_not_waive_the_rule_with_a_reason(measure_with_open_milestone, handler):
    measure = measure_with_open_milestone
    page = login(handler).get(_url(measure)).content.decode()
    assert 'name="mark_done-reason"' not in page
    assert "Only a supervisor may mark it done without them" in page

    with pytest.raises(services.MeasureError, match="only a supervisor"):
        services.measure_mark_done(measure=measure, actor=handler, reason="Trust me")
    assert measure.events.filter(action=MeasureAction.MARK_DONE).count() == 0


def test_done_with_every_milestone_reached_and_evidence(
    measure_with_open_milestone, handler, problem
):
    measure = measure_with_open_milestone
    Subscription.objects.create(problem=problem, email="fan@example.org", confirmed=True)
    services.milestone_complete(milestone=measure.milestones.get(), actor=handler)
    services.evidence_add(measure=measure, upload=png_upload(), actor=handler)
    assert "Every milestone is reached" in login(handler).get(_url(measure)).content.decode()

    response = login(handler).post(_url(measure, "mark_done"), {"mark_done-note": ""})

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    assert measure.events.get(action=MeasureAction.MARK_DONE).reason == ""
    assert _told_done(measure)


def test_a_supervisor_marks_done_without_them_only_with_a_reason_kept_in_the_chain(
    measure_with_open_milestone, supervisor, problem
):
    measure = measure_with_open_milestone
    Subscription.objects.create(problem=problem, email="fan@example.org", confirmed=True)
    boss = login(supervisor)
    assert 'name="mark_done-reason"' in boss.get(_url(measure)).content.decode()

    no_reason = boss.post(_url(measure, "mark_done"), {"mark_done-note": ""})
    assert no_reason.status_code == 400
    assert "give the reason for marking it done without them" in no_reason.content.decode()
    assert not _told_done(measure)

    reason = "路灯已由供电公司整体更换，原节点不再适用"
    done = boss.post(_url(measure, "mark_done"), {"mark_done-note": "", "mark_done-reason": reason})

    assert done.status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    event = measure.events.get(action=MeasureAction.MARK_DONE)
    assert event.reason == reason
    assert _told_done(measure)
    # It is public, with the event.
    assert reason in login(supervisor).get(f"/commitments/{problem.pk}/").content.decode()
    # Sign-off still needs evidence.
    refused = boss.post(_url(measure, "verify"), {"verify-note": ""})
    assert refused.status_code == 400
    assert "signed off only with evidence" in refused.content.decode()
    # The reason is hashed with the event: rewriting it is found.
    call_command("verify_chains")
    MeasureEvent.objects.filter(pk=event.pk).update(reason="")
    with pytest.raises(CommandError, match="problems found"):
        call_command("verify_chains")
