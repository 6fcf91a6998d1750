"""Tests of the suggestion confidence's signals (nearest training messages, format 3) and of the
numpy paths of the two views, on small invented data (no real data)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from civicdesk.triage import confidence as calibration
from civicdesk.triage.charngrams import CharTfidf
from civicdesk.triage.classify import TextClassifier, _document
from civicdesk.triage.errors import ModelFormatError
from civicdesk.triage.tests.test_classify import QUERIES, TEMPLATES, _dataset
from civicdesk.triage.wordview import WordTfidf, segment


def _rows(*rows: list[float]) -> sp.csr_matrix:
    x = np.array(rows, dtype=float)
    return sp.csr_matrix(x / np.linalg.norm(x, axis=1, keepdims=True))


def test_neighbours_are_the_most_similar_training_messages_first(monkeypatch):
    train = _rows([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0])
    index = calibration.Neighbours(train, np.array([0, 0, 1, 2, 1]))
    sims, labels = index.nearest(_rows([1, 0, 0], [0, 0.2, 1]), k=3)
    assert sims.shape == labels.shape == (2, 3)
    assert labels[0].tolist() == [0, 0, 1]  # itself, the near copy, then the half-way one
    assert sims[0, 0] == pytest.approx(1.0)
    assert np.all(np.diff(sims, axis=1) <= 0)
    assert labels[1, 0] == 2
    # More neighbours asked than there are training messages: all of them, in order.
    sims_all, labels_all = index.nearest(_rows([0, 1, 0]), k=10)
    assert sims_all.shape == (1, 5) and labels_all[0, 0] == 1
    # Computed in blocks of rows: the same answer.
    monkeypatch.setattr(calibration, "NEIGHBOUR_BLOCK", 1)
    again = index.nearest(_rows([1, 0, 0], [0, 0.2, 1]), k=3)
    assert np.array_equal(again[0], sims) and np.array_equal(again[1], labels)


def test_neighbour_features_say_whether_the_nearest_messages_carry_the_suggestion():
    char = np.array([[2.0, 0.0, -1.0], [2.0, 0.0, -1.0]])
    word = np.array([[1.0, 0.5, -1.0], [1.0, 0.5, -1.0]])
    sims = np.array([[0.9, 0.8, 0.2], [0.9, 0.8, 0.2]], dtype=np.float32)
    agreeing = np.array([[0, 0, 1], [1, 1, 0]])  # row 0: the two nearest say label 0
    top, x = calibration.features(char, word, (sims, agreeing))
    base_top, base = calibration.features(char, word)
    assert top.tolist() == base_top.tolist() == [0, 0]
    assert np.array_equal(x[:, : base.shape[1]], base)  # format 2's columns come first
    share, weighted, closest_same, closest_other, first_same, first_sim = x[:, 5:11].T
    assert share.tolist() == pytest.approx([2 / 3, 1 / 3])
    assert weighted[0] > weighted[1]
    assert closest_same.tolist() == pytest.approx([0.9, 0.2])
    assert closest_other.tolist() == pytest.approx([0.2, 0.9])
    assert first_same.tolist() == [1.0, 0.0]
    assert first_sim.tolist() == pytest.approx([0.9, 0.9])
    assert x[:, 11:].tolist() == [[1, 0, 0], [1, 0, 0]]  # the suggested label, one-hot


def _ambiguous_dataset() -> tuple[list[str], list[str]]:
    """The invented messages, and situations that the data labels both ways (as the real data
    does with fees that two departments could each claim): there the model is often wrong,
    and the nearest messages carry both labels."""
    texts, labels = _dataset()
    both_ways = ["{p}物业费和燃气费收费不透明", "{p}公交站旁工地施工噪音扰民"]
    places = ["东风小区", "河西街道", "新城花园", "南湖社区", "北门路口", "西湖路"]
    for k, template in enumerate(both_ways):
        for j, place in enumerate(places * 2):
            texts.append(template.format(p=place) + ("，请尽快处理" if j % 3 else ""))
            labels.append(sorted(TEMPLATES)[(k + j) % 2 + 2 * k])
    return texts, labels


def test_a_message_whose_nearest_training_messages_carry_another_label_is_less_sure():
    texts, labels = _ambiguous_dataset()
    model = TextClassifier.train(texts, labels, target_precision=0.85)
    assert model._calibrator is not None
    # The same scores; only what the nearest messages were labelled differs.
    char = np.array([[1.0, 0.2, -0.5, -0.7]])
    word = np.array([[0.8, 0.3, -0.4, -0.6]])
    sims = np.full((1, calibration.NEIGHBOURS), 0.8, dtype=np.float32)
    same = np.zeros((1, calibration.NEIGHBOURS), dtype=np.int32)
    other = np.ones((1, calibration.NEIGHBOURS), dtype=np.int32)
    sure = model._calibrator.predict(calibration.features(char, word, (sims, same))[1])
    unsure = model._calibrator.predict(calibration.features(char, word, (sims, other))[1])
    assert sure[0] > unsure[0]


def test_the_model_keeps_its_training_messages_for_the_neighbours(tmp_path):
    texts, labels = _dataset()
    model = TextClassifier.train(texts, labels)
    path = tmp_path / "model.pkl"
    model.save(path)
    loaded = TextClassifier.load(path)
    sims, near = loaded._neighbours.nearest(loaded._word_view.transform([_document(texts[0])]))
    assert sims[0, 0] == pytest.approx(1.0, abs=1e-5)  # the training message itself
    assert loaded.labels[near[0, 0]] == labels[0]
    assert loaded.predict(QUERIES) == model.predict(QUERIES)


def test_a_format_2_model_file_is_refused_with_a_request_to_retrain(tmp_path):
    texts, labels = _dataset()
    path = tmp_path / "model.pkl"
    TextClassifier.train(texts, labels).save(path)
    payload = pickle.loads(path.read_bytes())  # noqa: S301 - our own file
    payload["version"] = 2
    del payload["model"]["neighbours"]
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(ModelFormatError, match=r"version 2 .*version 3; retrain"):
        TextClassifier.load(path)


def test_the_word_view_counts_like_scikit_learn():
    texts, _labels = _dataset()
    view = WordTfidf()
    view.fit_transform(texts[::2])
    queries = [*texts[1::2], *QUERIES, "", "完全没见过的词汇"]
    ours = view.transform(queries)
    theirs = view._vectorizer.transform([segment(q) for q in queries]).tocsr()
    assert ours.shape == theirs.shape
    assert abs(ours - theirs).max() < 1e-12
    assert ours.getrow(len(queries) - 2).nnz == 0


def test_words_are_kept_when_they_hold_a_word_character():
    assert segment("路灯坏了！！3.5米 a_b ……") == ["路灯", "坏", "了", "3.5", "米", "a_b"]


def test_the_character_view_fits_the_columns_its_look_up_finds():
    texts, _labels = _dataset()
    view = CharTfidf()
    fitted = view.fit_transform(texts)
    assert abs(fitted - view.transform(texts)).max() < 1e-12
