"""The demo questionnaire: realistic, answered on the web and on paper, loaded once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from civicdesk.intake.models import Submission
from civicdesk.questionnaires.demo import RESPONSES, SLUG, ensure_demo_questionnaire
from civicdesk.questionnaires.models import Questionnaire, Response, Status

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_questionnaire_is_created_once(clerk, leader, units):
    users = {"clerk": clerk, "leader": leader}
    assert ensure_demo_questionnaire(seed=2044, now=NOW, users=users, units=units) == RESPONSES
    questionnaire = Questionnaire.objects.get(slug=SLUG)
    assert questionnaire.title == "营商环境企业问卷" and questionnaire.status == Status.PUBLISHED
    assert questionnaire.current_version.questions.count() == 11
    responses = Response.objects.filter(questionnaire=questionnaire)
    assert responses.count() == RESPONSES
    assert responses.filter(channel="paper").exclude(paper_number="").count() >= 5
    assert all(NOW - timedelta(days=35) < r.created_at < NOW for r in responses)
    # Every response names its enterprise, each enterprise once.
    assert responses.values("enterprise_key").distinct().count() == RESPONSES
    channels = set(Submission.objects.values_list("channel__code", flat=True))
    assert channels == {"enterprise_questionnaire", "paper_questionnaire"}
    submissions = Submission.objects.filter(source_details__questionnaire=questionnaire.pk)
    assert submissions.count() > 5
    # One submission per response at most, and none for praise.
    assert len({s.source_details["response"] for s in submissions}) == submissions.count()
    assert not submissions.filter(description__contains="点赞").exists()

    before = Submission.objects.count()
    assert ensure_demo_questionnaire(seed=2044, now=NOW, users=users, units=units) == 0
    assert Response.objects.count() == RESPONSES and Submission.objects.count() == before
