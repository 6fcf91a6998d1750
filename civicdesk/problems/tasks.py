"""Background triage work for `civicdesk worker`."""

from django_tasks import task

from civicdesk.problems import services
from civicdesk.problems.models import ClusterRun


@task()
def run_clustering(run_id: int) -> int:
    run = ClusterRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    return services.cluster_run_execute(run).n_clusters


@task()
def train_classifier() -> int:
    """Retrain on every categorised case, staff corrections included (scheduled nightly)."""
    model = services.classifier_train()
    return model.n_train if model else 0
