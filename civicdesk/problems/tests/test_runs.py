"""Clustering runs as background work: idempotent, filtered by channel, failures recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.intake.models import Channel
from civicdesk.problems import services
from civicdesk.problems.models import ClusterRun, ProblemCluster, RunStatus
from civicdesk.problems.tasks import run_clustering


def new_run(supervisor, channels=()):
    today = timezone.localdate()
    run = ClusterRun.objects.create(
        created_by=supervisor, period_start=today - timedelta(days=1), period_end=today
    )
    run.channels.set(channels)
    return run


def test_running_twice_changes_nothing(supervisor, make_case):
    make_case(description="东苑小区路灯不亮")
    make_case(description="东苑小区的路灯一直不亮")
    run = new_run(supervisor)
    run_clustering.call(run.pk)
    first = list(ProblemCluster.objects.values_list("id", "title", "size"))
    run_clustering.call(run.pk)
    assert list(ProblemCluster.objects.values_list("id", "title", "size")) == first
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.n_cases == 2 and run.seconds is not None


def test_an_interrupted_run_starts_again_from_nothing(supervisor, make_case):
    make_case(description="西湖社区垃圾没人清运")
    run = new_run(supervisor)
    ProblemCluster.objects.create(run=run, title="残留", size=0)
    ClusterRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    run_clustering.call(run.pk)
    assert not ProblemCluster.objects.filter(title="残留").exists()
    assert ProblemCluster.objects.filter(run=run).count() == 1


def test_channels_and_period_choose_the_cases(supervisor, make_case):
    make_case(channel="snapshot", description="人民路井盖缺失")
    make_case(channel="portal", description="人民路井盖丢了")
    old = make_case(channel="snapshot", description="人民路井盖缺失很久了")
    old.received_at = timezone.now() - timedelta(days=30)
    old.save(update_fields=["received_at"])
    run = new_run(supervisor, channels=[Channel.objects.get(code="snapshot")])
    assert services.run_cases(run).count() == 1


def test_a_failed_run_is_recorded(supervisor, make_case, monkeypatch):
    make_case()

    def broken(messages, **kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(services, "cluster_messages", broken)
    run = new_run(supervisor)
    with pytest.raises(RuntimeError):
        services.cluster_run_execute(run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "engine broke" in run.error


def test_heat_after_merge_and_split_follows_the_engine_formula(supervisor, make_case):
    from civicdesk.problems.services import _messages, cluster_merge, cluster_split
    from civicdesk.triage.cluster import heat

    for text in (
        "东苑小区路灯不亮",
        "东苑小区的路灯坏了",
        "滨江路工地夜间噪音",
        "西湖社区垃圾没人清",
    ):
        make_case(description=text)
    run = new_run(supervisor)
    run_clustering.call(run.pk)
    clusters = list(run.clusters.all())
    merged = cluster_merge(clusters=clusters, actor=supervisor)
    now = merged.last_at
    assert merged.heat == heat(_messages(merged.cases.all()), now)
    moved = list(merged.cases.all()[:1])
    new = cluster_split(cluster=merged, cases=moved, actor=supervisor)
    merged.refresh_from_db()
    assert new.heat == heat(_messages(new.cases.all()), now)
    assert merged.heat == heat(_messages(merged.cases.all()), now)
    assert merged.size + new.size == 4
