"""Demo opinions alleging misconduct (不作为乱作为) or collusion with black intermediaries
(黑中介) go where they would from any channel: into the confidential reports, through
intake.services.receive, never into ordinary cases that could reach the accused unit."""

from civicdesk.cases.models import Case
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.intake.models import Submission
from civicdesk.reports.models import Report
from civicdesk.reports.workflow import CATEGORY_LEDGERS, Ledger


def test_no_demo_case_is_an_allegation_of_misconduct(loaded_demo: LoadedDemo, db) -> None:
    cases = Case.objects.filter(submission__external_id__startswith="demo-")
    assert cases.count() == loaded_demo.summary.submissions_created
    assert not cases.filter(category__code__in=CATEGORY_LEDGERS).exists()
    assert not cases.filter(category__parent__code__in=CATEGORY_LEDGERS).exists()


def test_the_allegations_are_confidential_reports_of_their_channel(
    loaded_demo: LoadedDemo, db
) -> None:
    reported = loaded_demo.summary.opinions_reported
    assert reported  # a 300-opinion district has some of both kinds
    reports = Report.objects.filter(external_id__in=reported)
    assert reports.count() == len(reported)
    assert {report.ledger for report in reports} == {Ledger.INACTION, Ledger.INTERMEDIARY}
    for report in reports:
        assert report.channel  # the channel it came through, with its message id
        assert report.received_at <= loaded_demo.now
    assert not Submission.objects.filter(external_id__in=reported).exists()
    assert not set(reported) & set(loaded_demo.summary.truth)
