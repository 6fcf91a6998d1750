"""`civicdesk verify_chains` compares every chained row with the state its last event recorded
(issue 13, item 2): a row edited in the database behind the services' back is found, and the
failure names the row, the field and both values."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from civicdesk.commitments import services as commitments
from civicdesk.commitments.models import Measure, MeasureEvent
from civicdesk.core.chain import verify
from civicdesk.core.credit_code import make_credit_code
from civicdesk.ledgers import services as ledgers
from civicdesk.ledgers.models import Disclosure, LedgerEvent, PromiseItem, UtilityKind
from civicdesk.problems.models import Problem, ProblemChange
from civicdesk.problems.services import problem_save
from civicdesk.reports.models import Report, ReportEvent
from civicdesk.reports.services import NewReport, report_file, report_transition
from civicdesk.reports.workflow import Ledger

pytestmark = pytest.mark.django_db


def _verify_fails() -> str:
    """Run the command, expect it to fail, and return what it wrote to stderr."""
    err = StringIO()
    with pytest.raises(CommandError, match="problems found"):
        call_command("verify_chains", stdout=StringIO(), stderr=err)
    return err.getvalue()


def _intact() -> None:
    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=StringIO())
    assert "Every chain is intact." in out.getvalue()


@pytest.fixture
def problem(units, supervisor):
    return problem_save(
        problem=None, actor=supervisor, title="东苑路灯长期不亮", lead_unit=units["urban"]
    )


@pytest.fixture
def measure(problem, units, supervisor, handler):
    today = timezone.localdate()
    measure = commitments.measure_create(
        problem=problem,
        data=commitments.NewMeasure(
            title="更换东苑小区全部路灯",
            unit=units["urban"],
            start_date=today - timedelta(days=20),
            deadline=today + timedelta(days=10),
        ),
        actor=supervisor,
    )
    commitments.measure_update_progress(measure=measure, progress=40, actor=handler)
    return measure


@pytest.fixture
def promise(units, clerk):
    return ledgers.promise_create(
        enterprise_name="东苑机械有限公司",
        credit_code=make_credit_code("91330106MA2H0U7E1"),
        promise="兑现技改补贴",
        promised_on=timezone.localdate() - timedelta(days=200),
        amount_owed=Decimal("150000.00"),
        unit=units["urban"],
        deadline=timezone.localdate() - timedelta(days=30),
        actor=clerk,
    )


def test_every_service_change_leaves_the_rows_matching_their_chains(
    measure, promise, problem, units, clerk, supervisor
):
    ledgers.promise_resolve(
        item=promise, resolution="已拨付", resolved_on=timezone.localdate(), actor=clerk
    )
    utility = ledgers.utility_create(
        name="东苑燃气", kind=UtilityKind.GAS, unit=units["market"], actor=supervisor
    )
    ledgers.disclosure_publish(
        utility=utility,
        service_standards="10个工作日",
        procedures="线上申请",
        fees="免费",
        legal_conditions="无",
        actor=supervisor,
    )
    problem_save(
        problem=problem,
        actor=supervisor,
        title="东苑路灯长期不亮",
        lead_unit=units["urban"],
        co_units=[units["east-street"]],
    )
    report, _code = report_file(
        ledger=Ledger.INACTION,
        data=NewReport(description="拖延办理", reported_unit=units["urban"]),
        filed_by=None,
    )
    report_transition(report=report, action="investigate", actor=supervisor)
    # Every kind of chained row records its state on the event that changed it.
    assert MeasureEvent.objects.filter(state__isnull=False).count() == 2
    assert ProblemChange.objects.filter(state__isnull=False).count() == 2
    assert LedgerEvent.objects.filter(state__isnull=False).count() == 5
    assert ReportEvent.objects.filter(state__isnull=False).count() == 2

    _intact()


def test_a_measure_deadline_moved_in_the_database_is_named(measure):
    moved = measure.deadline + timedelta(days=60)
    Measure.objects.filter(pk=measure.pk).update(deadline=moved)

    err = _verify_fails()

    assert f"commitments.measure:{measure.pk} (更换东苑小区全部路灯): deadline is " in err
    assert f'"{moved.isoformat()}" in the database but "{measure.deadline.isoformat()}"' in err
    assert "MeasureEvent chain 'measure:" in err


def test_a_measure_progress_or_status_changed_by_sql_is_found(measure):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commitments_measure SET progress = 100, status = 'done' WHERE id = %s",
            [measure.pk],
        )

    breaks = verify(MeasureEvent)

    reasons = sorted(b.reason for b in breaks)
    assert len(reasons) == 2
    assert "progress is 100 in the database but 40 in the last event" in reasons[0]
    assert 'status is "done" in the database but "in_progress"' in reasons[1]


def test_a_promise_deadline_or_amount_edited_in_the_database_is_named(promise):
    PromiseItem.objects.filter(pk=promise.pk).update(
        deadline=promise.deadline + timedelta(days=365), amount_owed=Decimal("1.00")
    )

    err = _verify_fails()

    assert f"ledgers.promiseitem:{promise.pk}" in err
    assert 'amount_owed is "1" in the database but "150000"' in err
    assert "deadline is " in err


def test_a_published_disclosure_rewritten_is_found(units, supervisor):
    utility = ledgers.utility_create(
        name="东苑燃气", kind=UtilityKind.GAS, unit=units["market"], actor=supervisor
    )
    disclosure = ledgers.disclosure_publish(
        utility=utility,
        service_standards="10个工作日",
        procedures="线上申请",
        fees="免费",
        legal_conditions="无",
        actor=supervisor,
    )
    Disclosure.objects.filter(pk=disclosure.pk).update(fees="每户收费500元")

    assert f"ledgers.disclosure:{disclosure.pk}" in _verify_fails()


def test_a_problem_title_or_its_linked_cases_changed_in_the_database_are_found(problem, make_case):
    case = make_case()
    Problem.objects.filter(pk=problem.pk).update(title="无")
    problem.cases.add(case)

    err = _verify_fails()

    assert f'problems.problem:{problem.pk} (无): title is "无" in the database' in err
    assert f"cases is [{case.pk}] in the database but [] in the last event" in err


def test_a_confidential_report_closed_in_the_database_is_found(units):
    report, _code = report_file(
        ledger=Ledger.INACTION,
        data=NewReport(description="拖延办理", reported_unit=units["urban"]),
        filed_by=None,
    )
    Report.objects.filter(pk=report.pk).update(status="closed")

    assert f"reports.report:{report.pk}" in _verify_fails()


def test_a_row_deleted_behind_the_chain_is_found(promise):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledgers_promiseitem WHERE id = %s", [promise.pk])

    assert f"ledgers.promiseitem:{promise.pk}: the row was deleted" in _verify_fails()


def test_the_last_event_is_what_counts(measure, handler):
    """A later change through the services records the new state; the earlier events keep
    theirs and are not compared with the row."""
    commitments.measure_update_progress(measure=measure, progress=70, actor=handler)
    _intact()
    Measure.objects.filter(pk=measure.pk).update(progress=40)  # back to an older state

    assert "progress is 40 in the database but 70 in the last event" in _verify_fails()


def test_events_recorded_before_states_were_kept_still_verify(problem, units, supervisor):
    """Chains written before this check recorded no state: their hashes stay valid (the state
    is hashed only when recorded) and their rows are not compared, since nothing recorded
    says what they should be. Clearing a recorded state is a changed event."""
    today = timezone.localdate()
    with mock.patch.object(MeasureEvent, "record_state", lambda event: None):
        old = commitments.measure_create(
            problem=problem,
            data=commitments.NewMeasure(
                title="旧措施", unit=units["urban"], start_date=today, deadline=today
            ),
            actor=supervisor,
        )
    assert MeasureEvent.objects.get(measure=old).state is None
    _intact()
    Measure.objects.filter(pk=old.pk).update(progress=10)
    assert verify(MeasureEvent) == []

    recorded = ProblemChange.objects.get(problem=problem)
    assert recorded.state is not None
    ProblemChange.objects.filter(pk=recorded.pk).update(state=None)
    assert [b.reason for b in verify(ProblemChange)] == [
        "its content was changed after it was recorded"
    ]
