"""The problem list and clustering through the API: readers, editors, and linked cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.problems import services
from civicdesk.problems.models import Campaign, ClusterRun, Problem, ProblemChange

PROBLEMS = "/api/v1/problems"
TRIAGE = "/api/v1/triage"


@pytest.fixture
def campaign(db):
    return Campaign.objects.get_or_create(code="lights", defaults={"name": "亮灯行动"})[0]


@pytest.fixture
def run(clerk, make_case):
    """A finished run over three cases: two about one lamp, one about noise."""
    for text in ["东苑小区3号楼门口路灯不亮", "东苑小区3号楼门口的路灯不亮了", "夜里工地噪音很大"]:
        make_case(description=text)
    today = timezone.localdate()
    run = services.cluster_run_start(actor=clerk, period_start=today, period_end=today, channels=[])
    return services.cluster_run_execute(run)


@pytest.mark.django_db
def test_clerk_creates_a_problem_with_linked_cases_and_history(
    api_as, clerk, make_case, units, campaign
):
    case = make_case()
    body = {
        "title": " 东苑路灯 ",
        "category": "street-lights",
        "lead_unit": "urban",
        "co_units": ["east-street"],
        "campaigns": ["lights"],
        "cases": [case.tracking_code.lower().replace("-", "")],
    }

    response = api_as(clerk).post(PROBLEMS, body)

    assert response.status_code == 201, response.content
    problem = Problem.objects.get()
    assert problem.title == "东苑路灯"
    assert list(problem.cases.all()) == [case]
    assert problem.lead_unit == units["urban"]
    assert ProblemChange.objects.filter(problem=problem, action="create").count() == 1
    out = response.json()
    assert out["cases"][0]["tracking_code"] == case.tracking_code
    assert out["campaigns"] == [{"code": "lights", "name": "亮灯行动"}]
    assert out["changes"][0]["action"] == "create"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x", "lead_unit": "urban", "co_units": ["urban"]}, "co_units"),
        ({"title": "x", "lead_unit": "atlantis"}, "lead_unit"),
        ({"title": "x", "campaigns": ["nope"]}, "campaigns"),
        ({"title": "x", "cases": ["2345-6789-AB"]}, "cases"),
    ],
)
def test_bad_problem_input_names_the_field_and_saves_nothing(api_as, clerk, body, field):
    response = api_as(clerk).post(PROBLEMS, body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith(f"{field}: ")
    assert not Problem.objects.exists()


@pytest.mark.django_db
def test_update_and_link_more_cases(api_as, supervisor, make_case):
    first, second = make_case(), make_case()
    problem = services.problem_save(problem=None, actor=supervisor, title="旧标题", cases=[first])
    client = api_as(supervisor)

    linked = client.post(f"{PROBLEMS}/{problem.pk}/cases", {"cases": [second.tracking_code]})
    assert linked.status_code == 200, linked.content
    assert {c["id"] for c in linked.json()["cases"]} == {first.pk, second.pk}

    updated = client.put(
        f"{PROBLEMS}/{problem.pk}", {"title": "新标题", "cases": [second.tracking_code]}
    )
    assert updated.status_code == 200, updated.content
    problem.refresh_from_db()
    assert problem.title == "新标题"
    assert list(problem.cases.all()) == [second]
    assert problem.changes.count() == 3


@pytest.mark.django_db
def test_leader_reads_but_may_not_change(api_as, leader, supervisor):
    problem = services.problem_save(problem=None, actor=supervisor, title="路灯")
    client = api_as(leader)

    assert client.get(PROBLEMS).json()["count"] == 1
    assert client.get(f"{PROBLEMS}/{problem.pk}").status_code == 200
    assert client.post(PROBLEMS, {"title": "x"}).status_code == 403
    assert client.put(f"{PROBLEMS}/{problem.pk}", {"title": "x"}).status_code == 403
    assert Problem.objects.get().title == "路灯"


@pytest.mark.django_db
def test_handlers_and_inspectors_may_not_use_the_problem_list(api_as, handler, discipline):
    for user in (handler, discipline):
        assert api_as(user).get(PROBLEMS).status_code == 403


@pytest.mark.django_db
def test_missing_problem_is_404(api_as, clerk):
    assert api_as(clerk).get(f"{PROBLEMS}/999").status_code == 404


# --- Clustering ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_a_run_and_refuse_bad_periods(api_as, clerk):
    client = api_as(clerk)
    today = timezone.localdate()

    response = client.post(
        f"{TRIAGE}/runs", {"period_start": str(today), "period_end": str(today), "channels": []}
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    run_id = response.json()["id"]
    assert client.get(f"{TRIAGE}/runs/{run_id}").json()["id"] == run_id
    assert client.get(f"{TRIAGE}/runs").json()["count"] == 1

    backwards = {"period_start": str(today), "period_end": str(today - timedelta(days=1))}
    too_long = {"period_start": str(today - timedelta(days=400)), "period_end": str(today)}
    bad_channel = {"period_start": str(today), "period_end": str(today), "channels": ["owl"]}
    for body, field in [
        (backwards, "period_end"),
        (too_long, "period_end"),
        (bad_channel, "channels"),
    ]:
        refused = client.post(f"{TRIAGE}/runs", body)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"][-1] == field
    assert ClusterRun.objects.count() == 1


@pytest.mark.django_db
def test_clusters_rename_split_merge_and_promote(api_as, clerk, run):
    client = api_as(clerk)
    clusters = client.get(f"{TRIAGE}/runs/{run.pk}/clusters").json()["items"]
    assert sum(c["size"] for c in clusters) == 3
    lamp = max(clusters, key=lambda c: c["size"])
    detail = client.get(f"{TRIAGE}/clusters/{lamp['id']}").json()
    assert len(detail["cases"]) == 2

    renamed = client.post(f"{TRIAGE}/clusters/{lamp['id']}/rename", {"title": "路灯"})
    assert renamed.json()["title"] == "路灯"

    moved = detail["cases"][0]["tracking_code"]
    split = client.post(f"{TRIAGE}/clusters/{lamp['id']}/split", {"cases": [moved]})
    assert split.status_code == 201, split.content
    assert [c["tracking_code"] for c in split.json()["cases"]] == [moved]

    merged = client.post(
        f"{TRIAGE}/runs/{run.pk}/merge", {"clusters": [lamp["id"], split.json()["id"]]}
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["size"] == 2

    promoted = client.post(
        f"{TRIAGE}/clusters/{merged.json()['id']}/promote",
        {"title": "东苑路灯", "category": "street-lights"},
    )
    assert promoted.status_code == 201, promoted.content
    problem = Problem.objects.get()
    assert problem.cases.count() == 2
    again = client.post(f"{TRIAGE}/clusters/{merged.json()['id']}/rename", {"title": "x"})
    assert again.status_code == 200  # renaming a promoted cluster is allowed by the service
    twice = client.post(f"{TRIAGE}/clusters/{merged.json()['id']}/promote", {"title": "y"})
    assert twice.status_code == 409
    assert Problem.objects.count() == 1


@pytest.mark.django_db
def test_cluster_edits_check_membership(api_as, clerk, run, make_case):
    client = api_as(clerk)
    cluster = run.clusters.first()
    stranger = make_case()

    split = client.post(
        f"{TRIAGE}/clusters/{cluster.pk}/split", {"cases": [stranger.tracking_code]}
    )
    merge = client.post(f"{TRIAGE}/runs/{run.pk}/merge", {"clusters": [cluster.pk, 99999]})

    assert (split.status_code, merge.status_code) == (422, 422)
    assert merge.json()["detail"][0]["loc"][-1] == "clusters"


@pytest.mark.django_db
def test_leader_reads_runs_but_may_not_edit_clusters(api_as, leader, run):
    client = api_as(leader)
    cluster = run.clusters.first()

    assert client.get(f"{TRIAGE}/clusters/{cluster.pk}").status_code == 200
    assert client.post(f"{TRIAGE}/clusters/{cluster.pk}/rename", {"title": "x"}).status_code == 403
    cluster.refresh_from_db()
    assert cluster.title != "x"
