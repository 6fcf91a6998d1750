"""The scheduled retraining job: it trains only when labels changed since the active model."""

from pathlib import Path

import pytest
from django.conf import settings

from civicdesk.cases.models import Category
from civicdesk.conftest import login
from civicdesk.problems import suggestions
from civicdesk.problems.models import TriageModel
from civicdesk.problems.tasks import labelling_fingerprint, recorded_fingerprint, train_classifier
from civicdesk.triage.classify import TextClassifier


@pytest.fixture
def categories(db) -> dict[str, Category]:
    return {code: Category.objects.get(code=code) for code in ("street-lights", "noise")}


@pytest.fixture
def labelled(settings, make_case, categories):
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 20
    cases = []
    for i in range(12):
        cases.append(
            make_case(
                description=f"{i}号楼前路灯不亮，晚上很黑", category=categories["street-lights"]
            )
        )
        cases.append(
            make_case(description=f"{i}号工地夜间施工噪音扰民", category=categories["noise"])
        )
    return cases


@pytest.fixture
def training_reads(monkeypatch) -> list[int]:
    """Counts the reads of every categorised case, the expensive part of training."""
    reads: list[int] = []
    read = suggestions.category_examples

    def counted():
        reads.append(1)
        return read()

    monkeypatch.setattr(suggestions, "category_examples", counted)
    return reads


def _recategorise(user, case, category) -> None:
    response = login(user).post(
        f"/staff/cases/{case.pk}/recategorize/", {"recategorize-category": category.pk}
    )
    assert response.status_code == 302


def test_a_second_run_with_nothing_new_does_not_retrain(labelled, training_reads):
    first = train_classifier.call()
    model = TriageModel.objects.get()
    assert first == {"status": "trained", "n_train": 24}
    assert recorded_fingerprint(model) == labelling_fingerprint()

    assert train_classifier.call() == {"status": "skipped", "n_train": 24}
    assert train_classifier.call() == {"status": "skipped", "n_train": 24}
    assert TriageModel.objects.get() == model
    assert len(training_reads) == 1  # the skipped runs read no case


def test_a_staff_correction_brings_one_retraining(labelled, supervisor, make_case, categories):
    train_classifier.call()
    new = make_case(description="小区门口的路灯坏了好几天")
    page = login(supervisor).get(f"/staff/triage/cases/{new.pk}/triage/")
    assert page.status_code == 200
    assert new.category_suggestions.get().category == categories["street-lights"]
    assert train_classifier.call()["status"] == "skipped"  # a suggestion is not a label

    _recategorise(supervisor, new, categories["noise"])  # staff overrule the suggestion

    assert train_classifier.call() == {"status": "trained", "n_train": 25}
    latest = suggestions.active_model()
    assert TriageModel.objects.count() == 2
    assert latest.n_train == 25 and latest.n_corrections == 1
    assert train_classifier.call()["status"] == "skipped"


def test_a_relabelled_case_retrains_though_the_counts_stay_the_same(
    labelled, supervisor, categories
):
    train_classifier.call()
    before = suggestions.active_model()
    _recategorise(supervisor, labelled[0], categories["noise"])

    assert train_classifier.call() == {"status": "trained", "n_train": 24}
    after = suggestions.active_model()
    assert after != before and (after.n_train, after.n_corrections) == (24, 0)


def test_a_new_labelled_case_retrains(labelled, make_case, categories):
    train_classifier.call()
    make_case(description="路灯一闪一闪的", category=categories["street-lights"])
    assert train_classifier.call() == {"status": "trained", "n_train": 25}


def test_a_model_trained_elsewhere_is_replaced_once(labelled):
    demo_model = suggestions.classifier_train()  # as `civicdesk demo` does: no fingerprint
    assert recorded_fingerprint(demo_model) is None

    assert train_classifier.call()["status"] == "trained"
    assert suggestions.active_model() != demo_model
    assert train_classifier.call()["status"] == "skipped"


def test_too_few_examples_trains_nothing(settings, make_case, categories):
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 50
    make_case(category=categories["noise"])
    assert train_classifier.call() == {"status": "too few examples", "n_train": 0}
    assert not TriageModel.objects.exists()


def test_a_model_of_an_older_file_format_is_retrained_once(labelled):
    """After an upgrade that changes the model file's format, the old file can no longer be
    read: the scheduled job retrains although no label changed."""
    train_classifier.call()
    model = suggestions.active_model()
    fingerprint = Path(settings.CIVICDESK_MODEL_DIR) / f"{model.file_name}.fingerprint"
    current = labelling_fingerprint()
    older = current.replace(f":v{TextClassifier.FORMAT_VERSION}", ":v1")
    assert older != current  # the format is part of what the job compares
    fingerprint.write_text(f"{older}\n")  # as the previous civicdesk recorded it

    assert train_classifier.call() == {"status": "trained", "n_train": 24}
    assert train_classifier.call()["status"] == "skipped"
