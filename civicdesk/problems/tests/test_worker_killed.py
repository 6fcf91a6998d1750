"""Fault: the worker dies in the middle of a clustering run, after some clusters were written.

An exception (the engine or the database failing) and a kill (SystemExit from SIGTERM, which
the run's error handler does not catch) both leave the run to be run again; the second run
leaves exactly the clusters an undisturbed run gives, once each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.problems.models import ClusterRun, ProblemCluster, RunStatus
from civicdesk.problems.tasks import run_clustering

pytestmark = pytest.mark.django_db

TOPICS = [
    ["东苑小区路灯不亮", "东苑小区的路灯一直不亮", "东苑小区门口路灯坏了"],
    ["西湖社区垃圾没人清运", "西湖社区的垃圾好几天没人收"],
    ["人民路井盖缺失", "人民路上井盖丢了很危险"],
    ["幸福里噪音扰民到深夜", "幸福里晚上施工噪音太大"],
]


def new_run(supervisor) -> ClusterRun:
    today = timezone.localdate()
    return ClusterRun.objects.create(
        created_by=supervisor, period_start=today - timedelta(days=1), period_end=today
    )


def clusters_of(run: ClusterRun) -> list[tuple[str, int, tuple[int, ...]]]:
    return sorted(
        (c.title, c.size, tuple(sorted(c.cases.values_list("pk", flat=True))))
        for c in ProblemCluster.objects.filter(run=run)
    )


@pytest.mark.parametrize("death", [RuntimeError("database went away"), SystemExit(143)])
def test_a_run_killed_after_some_clusters_is_redone_once(supervisor, make_case, monkeypatch, death):
    for topic in TOPICS:
        for text in topic:
            make_case(description=text)
    reference = new_run(supervisor)
    run_clustering.call(reference.pk)
    expected = clusters_of(reference)
    assert len(expected) >= 3

    real_create = ProblemCluster.objects.create
    written = []

    def dies_on_the_third(**fields):
        if len(written) == 2:
            raise death
        written.append(real_create(**fields))
        return written[-1]

    run = new_run(supervisor)
    monkeypatch.setattr(ProblemCluster.objects, "create", dies_on_the_third)
    with pytest.raises(type(death)):
        run_clustering.call(run.pk)
    monkeypatch.undo()

    assert len(written) == 2  # two clusters had been written when it died
    run.refresh_from_db()
    assert run.status in {RunStatus.FAILED, RunStatus.RUNNING}
    run_clustering.call(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert clusters_of(run) == expected
    assert run.n_clusters == len(expected) == ProblemCluster.objects.filter(run=run).count()
    members = [pk for _t, _s, pks in clusters_of(run) for pk in pks]
    assert len(members) == len(set(members))  # no case in two clusters of the run
