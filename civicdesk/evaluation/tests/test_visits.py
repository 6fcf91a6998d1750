"""The return-visit queue: sampling rules as data, deterministic and idempotent; outcomes
through the call centre's page and the API; re-handling; and how the rates count them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from civicdesk.accounts.models import ApiToken
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.cases import services as case_services
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.evaluation import rates, services, visits
from civicdesk.evaluation.models import (
    AnswerChannel,
    FollowUp,
    FollowUpStatus,
    Praise,
    ReturnVisit,
    SamplingRule,
    SamplingRuleKind,
    VisitEvent,
    VisitScript,
)
from civicdesk.evaluation.tasks import build_return_visit_queue
from civicdesk.evaluation.visit_workflow import VisitStatus

pytestmark = pytest.mark.django_db

PHONE = "13800001111"


@pytest.fixture(autouse=True)
def _no_default_rules(db):
    """Each test states its own rules (migration 0004 seeds the usual ones for a district)."""
    SamplingRule.objects.all().delete()


@pytest.fixture
def api_as(db):
    def make(user) -> ApiClient:
        return ApiClient(ApiToken.issue(user=user, name="test")[1])

    return make


@pytest.fixture
def answered(make_case, units, supervisor, handler):
    """answered(**submission) → a case of the urban unit answered just now."""

    def make(**fields):
        fields.setdefault("contact_phone", PHONE)
        case = make_case(**fields)
        case_services.case_assign(case=case, unit=units["urban"], actor=supervisor)
        return case_services.case_answer(case=case, actor=handler, text="路灯已修复。")

    return make


@pytest.fixture
def rules(db):
    """The usual rules: every dissatisfied and every enterprise case, none of the rest."""
    return [
        SamplingRule.objects.create(kind=SamplingRuleKind.DISSATISFIED),
        SamplingRule.objects.create(kind=SamplingRuleKind.ENTERPRISE),
    ]


def _share(percent: str, **fields) -> SamplingRule:
    return SamplingRule.objects.create(
        kind=SamplingRuleKind.SHARE, percent=Decimal(percent), **fields
    )


def _resolution(unit):
    now = timezone.now()
    return rates.unit_rates(unit, now - timedelta(days=1), now + timedelta(days=1)).figures[
        rates.RESOLUTION
    ]


def test_every_enterprise_and_dissatisfied_case_is_queued_once(answered, rules, clerk):
    enterprise = answered(for_enterprise=True, enterprise_name="示范科技有限公司")
    unhappy = answered()
    fine = answered()
    services.followup_answer(
        followup=services.followup_open(case=unhappy, notify=False),
        solved=True,
        satisfaction=2,
    )

    assert build_return_visit_queue.call() == 2
    assert build_return_visit_queue.call() == 0  # idempotent

    queued = {v.case_id: v.reason for v in ReturnVisit.objects.all()}
    assert queued == {
        enterprise.pk: SamplingRuleKind.ENTERPRISE,
        unhappy.pk: SamplingRuleKind.DISSATISFIED,
    }
    assert fine.pk not in queued
    assert VisitEvent.objects.filter(action="queue").count() == 2


def test_a_share_is_drawn_by_case_and_answer_and_never_changes(answered, db):
    cases = [answered() for _ in range(40)]
    _share("50")
    visits.build_queue()
    first = set(ReturnVisit.objects.values_list("case_id", flat=True))
    expected = {c.pk for c in cases if visits.sample_point(c.pk, c.answered_at) < Decimal("50")}
    assert first == expected and 0 < len(first) < 40

    # Rebuilding from scratch draws the same cases; a higher share keeps the first ones.
    ReturnVisit.objects.all().delete()
    visits.build_queue()
    assert set(ReturnVisit.objects.values_list("case_id", flat=True)) == first
    SamplingRule.objects.update(percent=Decimal("80"))
    visits.build_queue()
    assert first < set(ReturnVisit.objects.values_list("case_id", flat=True))


def test_no_call_without_a_phone_or_without_consent(answered, db):
    _share("100")
    answered(contact_phone="", contact_email="li@example.org")
    answered(consent_contact=False)
    called = answered()

    visits.build_queue()

    assert list(ReturnVisit.objects.values_list("case_id", flat=True)) == [called.pk]


def test_a_category_share_wins_over_the_general_one(answered, db):
    from civicdesk.cases.models import Category

    lights = Category.objects.get(code="street-lights")
    _share("100", category=lights)
    _share("0.01")
    lit = answered(category=lights)
    other = [answered() for _ in range(3)]

    visits.build_queue()

    picked = set(ReturnVisit.objects.values_list("case_id", flat=True))
    assert lit.pk in picked
    assert not picked & {c.pk for c in other if visits.sample_point(c.pk, c.answered_at) >= 0.01}


@pytest.fixture
def visit(answered):
    _share("100")
    case = answered()
    visits.build_queue()
    return ReturnVisit.objects.get(case=case)


def test_clerk_reaches_the_person_and_it_counts_in_the_rates(visit, clerk, units):
    # The default script the migration seeds is shown (the case has no category of its own).
    assert VisitScript.for_category(None).title == "通用回访话术"
    page = login(clerk).get(f"/evaluation/visits/{visit.pk}/")
    assert page.status_code == 200
    assert "通用回访话术" in page.content.decode() and PHONE in page.content.decode()

    response = login(clerk).post(
        f"/evaluation/visits/{visit.pk}/",
        {"outcome": "reach", "solved": "yes", "satisfaction": "5", "comment": "很满意"},
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REACHED and visit.counted and not visit.reopened
    followup = FollowUp.objects.get(case=visit.case)
    assert (
        followup.channel == AnswerChannel.VISIT and followup.solved and followup.satisfaction == 5
    )
    assert _resolution(units["urban"]) == rates.Figure(1, 1)


def test_not_solved_orders_re_handling_through_the_case_workflow(visit, clerk):
    login(clerk).post(
        f"/evaluation/visits/{visit.pk}/",
        {"outcome": "reach", "solved": "no", "satisfaction": "2", "comment": "灯还是不亮"},
    )

    visit.refresh_from_db()
    case = Case.objects.get(pk=visit.case_id)
    assert visit.reopened and case.status == Status.REOPENED and case.reopen_count == 1
    assert case.events.filter(action="reopen").exists()


def test_three_failed_calls_close_the_visit(visit, clerk):
    client = login(clerk)
    for expected in (VisitStatus.WAITING, VisitStatus.WAITING, VisitStatus.UNREACHABLE):
        assert (
            client.post(f"/evaluation/visits/{visit.pk}/", {"outcome": "not_reached"}).status_code
            == 302
        )
        visit.refresh_from_db()
        assert visit.status == expected
    assert visit.attempts == 3
    # Closed: the page offers no form and a fourth call is refused.
    assert (
        client.post(f"/evaluation/visits/{visit.pk}/", {"outcome": "not_reached"}).status_code
        == 404
    )
    assert FollowUp.objects.filter(case=visit.case).count() == 0  # nothing counted


def test_refusal_closes_the_visit_and_counts_nothing(visit, clerk, units):
    login(clerk).post(f"/evaluation/visits/{visit.pk}/", {"outcome": "refuse"})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REFUSED and not visit.counted
    assert _resolution(units["urban"]) == rates.Figure(0, 0)


def test_reached_needs_both_answers(visit, clerk):
    response = login(clerk).post(f"/evaluation/visits/{visit.pk}/", {"outcome": "reach"})
    assert response.status_code == 400
    assert "Say whether the person said it was solved." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.WAITING and visit.attempts == 0


def test_the_reporters_online_answer_is_never_replaced(visit, clerk, units):
    followup = services.followup_open(case=visit.case, notify=False)
    services.followup_answer(followup=followup, solved=True, satisfaction=5)

    login(clerk).post(
        f"/evaluation/visits/{visit.pk}/",
        {"outcome": "reach", "solved": "yes", "satisfaction": "3"},
    )

    visit.refresh_from_db()
    followup.refresh_from_db()
    assert visit.status == VisitStatus.REACHED and not visit.counted
    assert followup.channel == AnswerChannel.WEB and followup.satisfaction == 5


def test_a_visit_reaches_someone_whose_online_follow_up_expired(visit, clerk, units):
    followup = services.followup_open(case=visit.case, notify=False)
    FollowUp.objects.filter(pk=followup.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert services.followup_expire(followup=followup)
    assert _resolution(units["urban"]) == rates.Figure(0, 0)

    login(clerk).post(
        f"/evaluation/visits/{visit.pk}/",
        {"outcome": "reach", "solved": "yes", "satisfaction": "4"},
    )

    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.ANSWERED and followup.channel == AnswerChannel.VISIT
    assert _resolution(units["urban"]) == rates.Figure(1, 1)


def test_the_online_follow_up_page_still_refuses_answers_after_expiry(visit, citizen):
    followup = services.followup_open(case=visit.case, notify=False)
    FollowUp.objects.filter(pk=followup.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    services.followup_expire(followup=followup)
    response = citizen.post(
        f"/evaluation/f/{followup.token}/", {"solved": "yes", "satisfaction": "5"}
    )
    assert response.status_code == 400
    assert "closed without an answer" in response.content.decode()


def test_praise_on_a_visit_is_credited_to_the_unit(visit, clerk, units):
    login(clerk).post(
        f"/evaluation/visits/{visit.pk}/",
        {
            "outcome": "reach",
            "solved": "yes",
            "satisfaction": "5",
            "praised": "on",
            "comment": "感谢",
        },
    )
    praise = Praise.objects.get()
    assert (
        praise.unit == units["urban"] and praise.case_id == visit.case_id and praise.visit == visit
    )


def test_a_reopened_case_takes_its_waiting_visit_out_of_the_queue(visit, supervisor):
    case_services.case_reopen(case=visit.case, actor=supervisor, reason="复查")
    run = visits.build_queue()
    visit.refresh_from_db()
    assert run.cancelled == 1 and visit.status == VisitStatus.CANCELLED


def test_who_sees_the_queue(visit, handler, leader, clerk, citizen):
    assert login(handler).get("/evaluation/visits/").status_code == 404
    assert login(handler).get(f"/evaluation/visits/{visit.pk}/").status_code == 404
    assert citizen.get("/evaluation/visits/").status_code == 302
    queue = login(clerk).get("/evaluation/visits/")
    assert queue.status_code == 200 and visit.case.tracking_code in queue.content.decode()
    # Leaders read, but record nothing.
    page = login(leader).get(f"/evaluation/visits/{visit.pk}/")
    assert page.status_code == 200 and page.context["form"] is None
    assert (
        login(leader).post(f"/evaluation/visits/{visit.pk}/", {"outcome": "refuse"}).status_code
        == 404
    )


def test_supervisors_edit_the_rules_and_a_share_needs_its_percentage(supervisor, clerk):
    response = login(supervisor).post(
        "/evaluation/visits/rules/", {"kind": "share", "is_active": "on"}
    )
    assert response.status_code == 400
    assert "Give the percentage for a share." in response.content.decode()
    assert not SamplingRule.objects.exists()

    assert (
        login(supervisor)
        .post("/evaluation/visits/rules/", {"kind": "share", "percent": "12.5", "is_active": "on"})
        .status_code
        == 302
    )
    assert SamplingRule.objects.get().percent == Decimal("12.5")
    # Clerks work the queue but do not change its rules.
    assert login(clerk).post("/evaluation/visits/rules/", {"kind": "enterprise"}).status_code == 404


def test_api_queue_and_calls(visit, api_as, clerk, handler, supervisor):
    api = api_as(clerk)
    listed = api.get("/api/v1/visits", status="waiting")
    assert listed.status_code == 200 and listed.json()["items"][0]["id"] == visit.pk

    bad = api.post(f"/api/v1/visits/{visit.pk}/calls", {"outcome": "reach"})
    assert bad.status_code == 409 and "solved" in bad.json()["detail"]

    done = api.post(
        f"/api/v1/visits/{visit.pk}/calls",
        {"outcome": "reach", "solved": False, "satisfaction": 1, "comment": "没修好"},
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "reached" and body["reopened"] and body["counted"]
    assert [e["action"] for e in body["events"]] == ["queue", "reach"]

    assert api_as(handler).get("/api/v1/visits").status_code == 403
    assert (
        api_as(handler).post(f"/api/v1/visits/{visit.pk}/calls", {"outcome": "refuse"}).status_code
        == 404
    )
    assert api_as(clerk).post("/api/v1/visits/rules", {"kind": "enterprise"}).status_code == 403
    created = api_as(supervisor).post("/api/v1/visits/rules", {"kind": "share", "percent": "5"})
    assert created.status_code == 201 and created.json()["percent"] == "5"


def test_api_records_praise(answered, api_as, clerk, handler, units):
    case = answered()
    created = api_as(clerk).post(
        "/api/v1/praise",
        {"tracking_code": case.tracking_code, "source": "banner", "note": "送锦旗"},
    )
    assert created.status_code == 201 and created.json()["unit"]["code"] == "urban"
    mine = api_as(handler).get("/api/v1/praise")
    assert mine.status_code == 200 and mine.json()["count"] == 1
    assert (
        api_as(handler)
        .post("/api/v1/praise", {"tracking_code": case.tracking_code, "source": "banner"})
        .status_code
        == 403
    )
    unknown = api_as(clerk).post(
        "/api/v1/praise", {"tracking_code": "ZZZZ-ZZZZ", "source": "letter"}
    )
    assert unknown.status_code == 422
