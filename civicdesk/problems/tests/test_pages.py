"""The triage pages through HTTP: clustering a period, editing clusters, promoting problems,
and the triage panel on the case page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, Category
from civicdesk.cases.services import case_assign
from civicdesk.conftest import login
from civicdesk.problems.models import ClusterRun, Problem, ProblemCluster, RunStatus, TriageModel
from civicdesk.problems.suggestions import classifier_train

LIGHT = "东苑小区3栋门口路灯坏了，晚上一片漆黑，老人出行不便"
LIGHT_AGAIN = "东苑小区3栋门口的路灯不亮已经一周，晚上很黑，请尽快修"
NOISE = "滨江路工地夜间施工噪音太大，凌晨两点还在打桩，影响休息"
NOISE_AGAIN = "滨江路那个工地半夜打桩，噪音吵得睡不着觉"
OTHER = "幸福社区垃圾桶满了没有人清运，气味很大"


@pytest.fixture
def period_cases(make_case):
    return [make_case(description=text) for text in (LIGHT, LIGHT_AGAIN, NOISE, NOISE_AGAIN, OTHER)]


def test_supervisor_clusters_a_period_and_sees_same_problems_grouped(
    start_run, supervisor, period_cases
):
    client = login(supervisor)
    response = start_run(client)
    run = ClusterRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/triage/runs/{run.pk}/"
    # The test settings run tasks at once, so the run is finished.
    assert run.status == RunStatus.DONE and run.n_cases == 5
    groups = {frozenset(c.cases.values_list("pk", flat=True)) for c in run.clusters.all()}
    light, light_again, noise, noise_again, other = (case.pk for case in period_cases)
    assert frozenset({light, light_again}) in groups
    assert frozenset({noise, noise_again}) in groups
    assert frozenset({other}) in groups
    page = client.get(f"/staff/triage/runs/{run.pk}/").content.decode()
    hottest = run.clusters.order_by("-heat").first()
    assert hottest.title in page


def test_bad_period_is_refused_with_a_message(supervisor):
    today = timezone.localdate()
    response = login(supervisor).post(
        "/staff/triage/",
        {"period_start": today.isoformat(), "period_end": (today - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    assert not ClusterRun.objects.exists()


def test_merge_split_rename_and_promote(start_run, supervisor, period_cases):
    client = login(supervisor)
    start_run(client)
    run = ClusterRun.objects.get()
    first, second = run.clusters.order_by("id")[:2]
    response = client.post(
        f"/staff/triage/runs/{run.pk}/merge/", {"clusters": [first.pk, second.pk]}
    )
    merged = ProblemCluster.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert merged.size == 4 and run.clusters.count() == 2

    moved = list(merged.cases.all()[:2])
    response = client.post(
        f"/staff/triage/clusters/{merged.pk}/split/",
        {"cases": [case.pk for case in moved], "title": "拆出"},
    )
    assert response.status_code == 302
    new = ProblemCluster.objects.get(title="拆出")
    assert set(new.cases.all()) == set(moved) and new.size == 2
    merged.refresh_from_db()
    assert merged.size == 2

    client.post(f"/staff/triage/clusters/{new.pk}/rename/", {"title": "东苑小区路灯不亮"})
    aspect = Category.objects.get(code="urban")
    response = client.post(
        f"/staff/triage/clusters/{new.pk}/promote/",
        {"title": "东苑小区路灯长期不亮", "category": aspect.pk, "description": ""},
    )
    problem = Problem.objects.get()
    assert response["Location"] == f"/staff/triage/problems/{problem.pk}/"
    assert set(problem.cases.all()) == set(moved) and problem.category == aspect
    # A listed cluster cannot be promoted twice.
    again = client.post(
        f"/staff/triage/clusters/{new.pk}/promote/", {"title": "再来一次", "category": ""}
    )
    assert again.status_code == 400 and Problem.objects.count() == 1
    assert "东苑小区路灯长期不亮" in client.get("/staff/triage/").content.decode()


def test_split_refuses_moving_everything(start_run, supervisor, period_cases):
    client = login(supervisor)
    start_run(client)
    cluster = next(c for c in ProblemCluster.objects.all() if c.size == 2)
    response = client.post(
        f"/staff/triage/clusters/{cluster.pk}/split/",
        {"cases": list(cluster.cases.values_list("pk", flat=True))},
    )
    assert response.status_code == 400
    assert "Leave at least one case in the cluster." in response.content.decode()


def test_handlers_cannot_reach_triage_pages_and_leaders_cannot_edit(
    start_run, handler, leader, supervisor, period_cases
):
    start_run(login(supervisor))
    run = ClusterRun.objects.get()
    cluster = run.clusters.first()
    for url in [
        "/staff/triage/",
        f"/staff/triage/runs/{run.pk}/",
        f"/staff/triage/clusters/{cluster.pk}/",
    ]:
        assert login(handler).get(url).status_code == 404
        assert login(leader).get(url).status_code == 200
    response = login(leader).post(f"/staff/triage/clusters/{cluster.pk}/rename/", {"title": "x"})
    assert response.status_code == 404
    cluster.refresh_from_db()
    assert cluster.title != "x"


def test_case_panel_shows_same_problem_cases_the_user_may_see(
    supervisor, handler, units, period_cases
):
    light, light_again, *_ = period_cases
    page = login(supervisor).get(f"/staff/triage/cases/{light.pk}/triage/").content.decode()
    assert light_again.tracking_code in page
    assert light.tracking_code not in page  # not itself
    # A handler of urban does not learn about a case routed to another unit.
    case_assign(case=light, unit=units["urban"], actor=supervisor)
    case_assign(case=light_again, unit=units["market"], actor=supervisor)
    page = login(handler).get(f"/staff/triage/cases/{light.pk}/triage/").content.decode()
    assert light_again.tracking_code not in page


def test_suggestions_come_from_a_model_trained_on_categorised_cases(
    settings, supervisor, make_case
):
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 20
    lights = Category.objects.get(code="street-lights")
    noise = Category.objects.get(code="noise")
    for i in range(12):
        make_case(description=f"{i}号楼前路灯不亮，晚上很黑", category=lights)
        make_case(description=f"{i}号工地夜间施工噪音扰民", category=noise)
    model = classifier_train()
    assert isinstance(model, TriageModel) and model.n_train == 24
    new = make_case(description="小区门口的路灯坏了好几天")
    page = login(supervisor).get(f"/staff/triage/cases/{new.pk}/triage/").content.decode()
    assert "Street lights" in page or "路灯照明" in page
    suggestion = new.category_suggestions.get()
    assert suggestion.category == lights
    # Using the suggestion recategorises the case through the normal action.
    login(supervisor).post(
        f"/staff/cases/{new.pk}/recategorize/", {"recategorize-category": lights.pk}
    )
    assert Case.objects.get(pk=new.pk).category == lights


def test_no_model_until_enough_examples(settings, make_case):
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 50
    make_case(category=Category.objects.get(code="noise"))
    assert classifier_train() is None
    assert not TriageModel.objects.exists()
