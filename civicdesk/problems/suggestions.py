"""Suggestions on the case page: a category and a unit, each learned from past cases.

The category model learns from the categories staff set or confirmed; the unit model from
where past cases were finally handled (the unit that took the case on or answered it), so
that routing a case is one click. Both are `civicdesk.triage.classify.TextClassifier`s, trained
by the worker (`problems.tasks`) into CIVICDESK_MODEL_DIR, with the same rule for "needs a
person": below the confidence the model chose by cross-validation on its own training cases
(see the classifier's module), a suggestion is shown as unsure.
"""

import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import Status
from civicdesk.problems.models import CategorySuggestion, ModelKind, TriageModel, UnitSuggestion
from civicdesk.problems.services import case_text
from civicdesk.triage.classify import Prediction, TextClassifier
from civicdesk.triage.errors import TriageError

logger = logging.getLogger(__name__)

# A case is routed for good once its unit took it on or answered it: a case that is only
# assigned may still come back ("not ours"), and the unit it came back from is no example.
ROUTED_STATUSES = frozenset({Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED, Status.REOPENED})


def category_examples() -> tuple[list[str], list[str], int]:
    """Cases whose category staff set or confirmed; corrections are the ones that differ from
    what the model suggested."""
    cases = (
        Case.objects.filter(category__isnull=False, category__parent__isnull=False)
        .select_related("submission", "category")
        .order_by("id")
    )
    texts, labels = [], []
    for case in cases.iterator(chunk_size=2000):
        texts.append(case_text(case))
        labels.append(case.category.code)
    corrections = (
        CategorySuggestion.objects.filter(case__category__isnull=False)
        .exclude(category=F("case__category"))
        .values("case")
        .distinct()
        .count()
    )
    return texts, labels, corrections


def routed_cases():
    """The cases the unit model learns from: handled by a unit that is still active."""
    return Case.objects.filter(unit__isnull=False, unit__is_active=True, status__in=ROUTED_STATUSES)


def unit_examples() -> tuple[list[str], list[str], int]:
    """Each routed case's text and the code of the unit that handled it; corrections are the
    cases whose unit differs from the one the model suggested."""
    texts, labels = [], []
    cases = routed_cases().select_related("submission", "unit").order_by("id")
    for case in cases.iterator(chunk_size=2000):
        texts.append(case_text(case))
        labels.append(case.unit.code)
    corrections = (
        UnitSuggestion.objects.filter(case__in=routed_cases())
        .exclude(unit=F("case__unit"))
        .values("case")
        .distinct()
        .count()
    )
    return texts, labels, corrections


def _train(
    kind: str, examples: Callable[[], tuple[list[str], list[str], int]], *, force: bool
) -> TriageModel | None:
    texts, labels, corrections = examples()
    if len(texts) < settings.CIVICDESK_TRIAGE_MIN_EXAMPLES or len(set(labels)) < 2:
        logger.info("not enough %s examples to train (%d)", kind, len(texts))
        return None
    latest = active_model(kind)
    if (
        not force
        and latest
        and latest.n_train == len(texts)
        and latest.n_corrections == corrections
    ):
        # Nothing new to learn from: the scheduled job must not retrain for nothing.
        return latest
    classifier = TextClassifier.train(texts, labels)
    folder = Path(settings.CIVICDESK_MODEL_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = "classifier" if kind == ModelKind.CATEGORY else f"{kind}-classifier"
    name = f"{prefix}-{timezone.now():%Y%m%d-%H%M%S}-{len(texts)}.pkl"
    temporary = folder / f".{name}.tmp"
    classifier.save(temporary)
    temporary.replace(folder / name)
    return TriageModel.objects.create(
        kind=kind,
        file_name=name,
        n_train=len(texts),
        labels=sorted(set(labels)),
        n_corrections=corrections,
        quality=classifier.quality,
    )


def classifier_train(*, force: bool = False) -> TriageModel | None:
    """Train the category model on the categorised cases and make it the active one.

    Without `force`, the same numbers of examples and corrections as the active model's count
    as nothing new; the scheduled job passes `force` when it saw labels change (a relabelled
    case keeps both numbers)."""
    return _train(ModelKind.CATEGORY, category_examples, force=force)


def unit_classifier_train(*, force: bool = False) -> TriageModel | None:
    """Train the unit model on the routed cases and make it the active one (as above)."""
    return _train(ModelKind.UNIT, unit_examples, force=force)


@lru_cache(maxsize=4)
def _load_classifier(path: str) -> TextClassifier:
    return TextClassifier.load(path)


def active_model(kind: str = ModelKind.CATEGORY) -> TriageModel | None:
    return TriageModel.objects.filter(kind=kind).first()


def _predict(model: TriageModel, case: Case) -> Prediction | None:
    path = Path(settings.CIVICDESK_MODEL_DIR) / model.file_name
    try:
        classifier = _load_classifier(str(path))
    except (TriageError, OSError) as error:
        logger.warning("triage model %s unusable: %s", model.file_name, error)
        return None
    return classifier.predict([case_text(case)])[0]


def suggest_categories(case: Case) -> CategorySuggestion | None:
    """The active model's suggestion for a case, computed once per model and stored."""
    model = active_model(ModelKind.CATEGORY)
    if model is None:
        return None
    existing = CategorySuggestion.objects.filter(case=case, model=model).first()
    if existing is not None:
        return existing
    prediction = _predict(model, case)
    if prediction is None:
        return None
    categories = Category.objects.in_bulk(
        [code for code, _score in prediction.top3], field_name="code"
    )
    if prediction.label not in categories:
        return None
    suggestion, _created = CategorySuggestion.objects.get_or_create(
        case=case,
        model=model,
        defaults={
            "category": categories[prediction.label],
            "confidence": prediction.confidence,
            "top": [
                {"code": code, "confidence": round(score, 4)}
                for code, score in prediction.top3
                if code in categories
            ],
            "words": prediction.explanation[:8],
            "needs_review": prediction.needs_review,
        },
    )
    return suggestion


def suggest_unit(case: Case) -> UnitSuggestion | None:
    """The active unit model's suggestion for a case, computed once per model and stored;
    None without a model or when the unit it names is gone or no longer active."""
    model = active_model(ModelKind.UNIT)
    if model is None:
        return None
    existing = UnitSuggestion.objects.filter(case=case, model=model).select_related("unit")
    if found := existing.first():
        return found
    prediction = _predict(model, case)
    if prediction is None:
        return None
    units = Unit.objects.active().in_bulk(
        [code for code, _score in prediction.top3], field_name="code"
    )
    if prediction.label not in units:
        return None
    suggestion, _created = UnitSuggestion.objects.get_or_create(
        case=case,
        model=model,
        defaults={
            "unit": units[prediction.label],
            "confidence": prediction.confidence,
            "top": [
                {"code": code, "confidence": round(score, 4)}
                for code, score in prediction.top3
                if code in units
            ],
            "needs_review": prediction.needs_review,
        },
    )
    return suggestion
