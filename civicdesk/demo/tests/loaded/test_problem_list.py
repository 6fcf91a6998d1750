"""The app's own problem list, scored against the truth the demo generator wrote down.

The demo knows which place (or window) and grievance each of its opinions was drawn from
(generator/truth.py). Clustering the loaded district the way the problem list does
(``cluster_run_execute`` over the whole period) must group by that truth, not by street:
this is where "one street's noise, water and rubbish in one group" would show.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.problems.models import ClusterRun, ProblemCluster
from civicdesk.problems.services import case_text, cluster_run_execute
from civicdesk.triage.scoring import bcubed_prf, title_whole_words

pytestmark = pytest.mark.django_db


def _run(loaded_demo) -> ClusterRun:
    today = timezone.localdate(loaded_demo.now)
    run = ClusterRun.objects.create(
        period_start=today - timedelta(days=70), period_end=today + timedelta(days=1)
    )
    return cluster_run_execute(run)


def test_problem_list_groups_by_place_and_grievance(loaded_demo) -> None:
    truth = loaded_demo.summary.truth
    # Every opinion that became a case (allegations of misconduct are confidential reports).
    assert len(truth) == loaded_demo.summary.submissions_created
    run = _run(loaded_demo)
    predicted: dict[str, int] = {}
    for cluster in ProblemCluster.objects.filter(run=run).prefetch_related("cases__submission"):
        for case in cluster.cases.all():
            predicted[case.submission.external_id] = cluster.pk
    gold = {
        external_id: row.problem for external_id, row in truth.items() if external_id in predicted
    }
    # Every planned opinion became a case of the run (merged duplicates included).
    assert len(gold) == len(truth)
    score = bcubed_prf(gold, predicted)
    # The plan of a 300-opinion district scored 0.86 (P 0.83, R 0.90); the previous engine,
    # grouping by street, scored 0.57 on the 2,044-opinion demo (docs/benchmarks.md).
    assert score["f1"] >= 0.8, score
    assert score["precision"] >= 0.75, score


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Known limitation (docs/triage-clustering.md): one grievance (staff attitude) at "
        "different windows of the one service centre: the windows' reports share the place "
        "政务服务中心 (their address), so one hot group of the 300-opinion demo holds the "
        "attitude reports of four windows (before round 4 it held six grievances of several "
        "windows)"
    ),
)
def test_the_hottest_groups_about_a_place_are_one_problem_each(loaded_demo) -> None:
    truth = loaded_demo.summary.truth
    run = _run(loaded_demo)
    # The ten hottest groups about a place are one problem each: one place or window, and one
    # grievance for most of their members (grouping by street put 15 problems in one group).
    # District-wide grievances without a place can still share a group (docs/triage-
    # clustering.md, limitations), so they are not held to this here.
    checked = 0
    for cluster in ProblemCluster.objects.filter(run=run).order_by("-heat"):
        if checked == 10:
            break
        problems = Counter(
            truth[case.submission.external_id].problem
            for case in cluster.cases.all()
            if case.submission.external_id in truth
        )
        placed = Counter({p: c for p, c in problems.items() if "·" in p})
        if sum(placed.values()) < 0.5 * sum(problems.values()) or not placed:
            continue
        checked += 1
        places = {p.split("·")[0] for p in placed}
        count = placed.most_common(1)[0][1]
        assert count >= 0.7 * sum(problems.values()), (cluster.title, problems)
        assert len(places) <= 2, (cluster.title, problems)
    assert checked == 10


def test_the_hottest_titles_are_whole_words(loaded_demo) -> None:
    # "公司电报装等", "锦绣家园 · 僵尸长期", "中山路 · 口公交站台边…": cut words in the list a
    # supervisor reads first.
    run = _run(loaded_demo)
    for cluster in ProblemCluster.objects.filter(run=run).order_by("-heat")[:20]:
        members = [case_text(case) for case in cluster.cases.select_related("submission")[:8]]
        assert title_whole_words(cluster.title, members), cluster.title


def test_truth_is_written_down(loaded_demo, tmp_path) -> None:
    from civicdesk.demo.generator import read_truth, write_truth

    truth = loaded_demo.summary.truth
    path = tmp_path / "demo-truth.csv"
    write_truth(path, truth)
    assert read_truth(path) == truth
    sample = next(row for row in truth.values() if "·" in row.problem)
    place, _, code = sample.problem.partition("·")
    assert sample.problem_title.startswith(place) and code
