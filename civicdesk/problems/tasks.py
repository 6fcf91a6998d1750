"""Background triage work for `civicdesk worker`."""

import logging
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Sum
from django_tasks import task

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Action
from civicdesk.problems import services, suggestions
from civicdesk.problems.models import ClusterRun, ModelKind, TriageModel
from civicdesk.triage.classify import TextClassifier

logger = logging.getLogger(__name__)

# Next to each model file, the labelling fingerprint it was trained from.
FINGERPRINT_SUFFIX = ".fingerprint"


@task()
def run_clustering(run_id: int) -> int:
    run = ClusterRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    return services.cluster_run_execute(run).n_clusters


def labelling_fingerprint() -> str:
    """A summary of what the category model learns from that changes whenever a case gains,
    loses or changes its category; two aggregate queries, no case text read."""
    # The cases of suggestions.category_examples().
    examples = Case.objects.filter(category__isnull=False, category__parent__isnull=False)
    found = examples.aggregate(n=Count("id"), last=Max("id"), labels=Sum("category_id"))
    # Staff corrections are recategorisations; two that swap categories leave count and sum
    # alike, their events do not. Newest first: the primary key index answers at once.
    relabel = (
        CaseEvent.objects.filter(action=Action.RECATEGORIZE)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return (
        f"{found['n']}:{found['last'] or 0}:{found['labels'] or 0}:{relabel or 0}:{_MODEL_FORMAT}"
    )


# Part of each fingerprint: a model file of an older format is retrained once after an upgrade
# even though no label changed (its confidences and "needs a person" rule are the old ones).
_MODEL_FORMAT = f"v{TextClassifier.FORMAT_VERSION}"


def routing_fingerprint() -> str:
    """The same for the unit model: changes whenever a case is routed for good, or a routed
    case changes unit or leaves the routed statuses."""
    found = suggestions.routed_cases().aggregate(
        n=Count("id"), last=Max("id"), units=Sum("unit_id")
    )
    return f"{found['n']}:{found['last'] or 0}:{found['units'] or 0}:{_MODEL_FORMAT}"


def _fingerprint_path(model: TriageModel) -> Path:
    return Path(settings.CIVICDESK_MODEL_DIR) / f"{model.file_name}{FINGERPRINT_SUFFIX}"


def recorded_fingerprint(model: TriageModel) -> str | None:
    """The fingerprint `model` was trained from; None for a model trained elsewhere (the demo,
    an older civicdesk), which the next scheduled run replaces once."""
    try:
        return _fingerprint_path(model).read_text().strip()
    except OSError:
        return None


def _record_fingerprint(model: TriageModel, fingerprint: str) -> None:
    path = _fingerprint_path(model)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(fingerprint + "\n")
    temporary.replace(path)


@task()
def build_same_problem_index() -> dict:
    """Save the open cases' same-problem index for the web processes (scheduled: closed cases
    drop out and reopened ones come back; new cases are added by each process as they come)."""
    return {"cases": services.open_case_index_save()}


def _train_when_changed(kind: str, fingerprint: str, train) -> dict:
    current = suggestions.active_model(kind)
    if current is not None and recorded_fingerprint(current) == fingerprint:
        return {"status": "skipped", "n_train": current.n_train}
    # Forced: the fingerprint saw a change that equal example and correction counts can hide.
    model = train(force=True)
    if model is None:
        return {"status": "too few examples", "n_train": 0}
    _record_fingerprint(model, fingerprint)
    logger.info("trained triage %s model %s on %d cases", kind, model.file_name, model.n_train)
    return {"status": "trained", "n_train": model.n_train}


@task()
def train_classifier() -> dict:
    """Retrain on every categorised case, staff corrections included, when labels changed
    since the active model was trained; otherwise return at once (the job runs every few
    minutes, and training reads every categorised case)."""
    # Taken before training reads the cases: a change made while it trains differs from this
    # and so brings one more retraining on the next run, never none.
    return _train_when_changed(
        ModelKind.CATEGORY, labelling_fingerprint(), suggestions.classifier_train
    )


@task()
def train_unit_classifier() -> dict:
    """Retrain the unit model on every case routed for good when routing changed since the
    active one was trained; otherwise return at once."""
    return _train_when_changed(
        ModelKind.UNIT, routing_fingerprint(), suggestions.unit_classifier_train
    )
