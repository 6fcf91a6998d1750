"""The vectorised parts of same-problem clustering give what the one-at-a-time code gives
(issue 14, speed: featurize, pair dot products, the contracted average linkage)."""

import numpy as np
import pytest
from scipy import sparse

from civicdesk.triage import pairs
from civicdesk.triage.features import extract, featurize
from civicdesk.triage.lexicon import concepts
from civicdesk.triage.linkage import average_linkage
from civicdesk.triage.pairs import candidate_pairs, pair_dots, ranges

TEXTS = [
    "A市温斯顿英语培训学校拖延退费。交了两年学费，退费三个月了还没退",
    "梅溪湖温斯顿恶意拖欠退款，公交车站台脏乱差，排长队等了很久",
    # Overlapping thesaurus words: the longest at a position wins, matches do not overlap.
    "工地半夜还在干活，电钻声吵得睡不着，噪音扰民，说话很冲，态度不耐烦",
    "锦绣家园小区噪音扰民，锦绣家园物业态度差",
    "p2p平台跑路，投资款无法提现",
    "",
    "无",
]


def _keys(f, row):
    inverse = {i: k for k, i in f.vocab.items()}
    out = []
    for m in (f.entity, f.names, f.grievance):
        out += [inverse[c] for c in m.indices[m.indptr[row] : m.indptr[row + 1]]]
    return out


def test_featurize_finds_the_concepts_and_keys_extract_finds_one_text_at_a_time():
    f = featurize(TEXTS)
    for row, text in enumerate(TEXTS):
        expected = extract(text, normalized=True)
        got = _keys(f, row)
        found_concepts = [k for k in got if k.startswith("#")]
        assert sorted(found_concepts) == sorted(k for k in expected.grievance if k[0] == "#")
        assert {k[1:] for k in got if k[0] == "@"} == set(expected.entity)
    # The place's name is no grievance: 锦绣家园 blanks its concepts out, not the others.
    assert "#noise" in _keys(f, 3)


def test_concepts_take_the_longest_word_and_never_overlap():
    # 不耐烦 (attitude) is matched whole; a word inside an earlier match is not matched again.
    text = "态度不耐烦说话很冲"
    f = featurize([text])
    assert sorted(k for k in f.vocab if k[0] == "#") == sorted(concepts(text))


def test_ranges_concatenates_aranges():
    got = ranges(np.array([5, 0, 9, 2]), np.array([3, 0, 1, 2]))
    assert got.tolist() == [5, 6, 7, 9, 2, 3]
    assert ranges(np.array([1]), np.array([0])).tolist() == []


@pytest.mark.parametrize("seed", [0, 1])
def test_pair_dots_equal_the_row_products(seed):
    rng = np.random.default_rng(seed)
    m = sparse.random(300, 400, density=0.03, format="csr", random_state=seed, dtype=np.float32)
    m = sparse.csr_matrix(m.toarray() * (rng.random((300, 1)) > 0.1))  # some empty rows
    a = rng.integers(0, 300, 5000)
    b = rng.integers(0, 300, 5000)
    expected = np.asarray(m[a].multiply(m[b]).sum(axis=1)).ravel()
    np.testing.assert_allclose(pair_dots(m, a, b), expected, atol=1e-5)


def test_pair_dots_shared_between_threads_give_the_same_bits(monkeypatch):
    rng = np.random.default_rng(7)
    m = sparse.random(2000, 500, density=0.05, format="csr", random_state=7, dtype=np.float32)
    a = rng.integers(0, 2000, 20_000)
    b = rng.integers(0, 2000, 20_000)
    monkeypatch.setattr(pairs, "MAX_THREADS", 1)
    alone = pair_dots(m, a, b)
    monkeypatch.setattr(pairs, "THREADED_FROM", 1)
    monkeypatch.setattr(pairs, "MAX_THREADS", 3)
    monkeypatch.setattr(pairs.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert pairs._threads_for(len(a)) == 3
    np.testing.assert_array_equal(pair_dots(m, a, b), alone)


def test_contracted_linkage_keeps_place_blocks_after_merges():
    # 0-1 and 2-3 are tight pairs at two different places; 1-2 are alike but their groups'
    # places differ, so the two groups never merge, in any round.
    a = np.array([0, 2, 1, 0, 3])
    b = np.array([1, 3, 2, 2, 1])
    s = np.array([0.9, 0.9, 0.8, 0.7, 0.7])
    places = sparse.csr_matrix(np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float64))
    labels = average_linkage(4, a, b, s, 0.3, places)
    assert labels.tolist() == [0, 0, 2, 2]
    assert len(set(average_linkage(4, a, b, s, 0.3).tolist())) == 1


def test_candidate_pairs_are_every_pair_of_small_blocks_and_windows_of_large_ones():
    rng = np.random.default_rng(3)
    n, cols = 200, 40
    dense = rng.random((n, cols)) < 0.04
    dense[:, 0] = rng.random(n) < 0.5  # one large block
    block = sparse.csc_matrix(dense.astype(np.float32))
    sig = rng.permutation(n)
    a, b = candidate_pairs(block, [sig], small=8, window=2)
    expected = set()
    for c in range(cols):
        rows = np.flatnonzero(dense[:, c])
        if len(rows) <= 8:
            expected |= {(int(x), int(y)) for i, x in enumerate(rows) for y in rows[i + 1 :]}
        else:
            order = rows[np.argsort(sig[rows], kind="stable")]
            for off in (1, 2):
                expected |= {
                    (int(min(x, y)), int(max(x, y)))
                    for x, y in zip(order[:-off], order[off:], strict=True)
                }
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == expected
    assert len(a) == len(expected)


def test_place_topic_blocks_cross_each_message_s_places_with_its_concepts():
    from civicdesk.triage.cluster import _place_topics

    # Columns 0, 1: places; 2, 3: concepts. Message 0 has two places (its rarest and that
    # one's root) and two concepts, message 1 one place and one concept, message 2 no place.
    places = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]))
    topics = sparse.csr_matrix(np.array([[0, 0, 1, 1], [0, 0, 1, 0], [0, 0, 1, 0]]))
    blocks = _place_topics(places, topics).toarray()
    # (0, 2), (0, 3), (1, 2), (1, 3) for message 0; (0, 2) for message 1, the block they share.
    assert blocks.shape == (3, 4)
    assert blocks.sum(axis=1).tolist() == [4, 1, 0]
    assert (blocks[0] * blocks[1]).sum() == 1
    assert _place_topics(places[2:], topics[2:]).shape == (1, 0)


def test_the_root_of_a_spot_is_the_street_it_begins_with():
    from civicdesk.triage.cluster import _rarest, _roots

    texts = [
        "文化街中段工地半夜还在干活",
        "文化街中段晚上施工吵",
        "文化街北侧工地深夜施工扰民",
        "文化街北侧凌晨打桩",
        "文化街路面破损",
        "幸福路积水",
        "幸福路积水严重",
    ]
    f = featurize(texts)
    gate = (f.entity + f.names).tocsr()
    df = np.asarray((gate > 0).sum(axis=0)).ravel()
    inverse = {i: k for k, i in f.vocab.items()}
    rarest = _rarest(gate, df, 1)
    roots = _roots(gate, rarest, df, f.vocab)
    spot = [inverse[c][1:] for c in rarest.indices]
    root = {r: inverse[c][1:] for r, c in zip(*roots.nonzero(), strict=True)}
    assert spot[0].startswith("文化街中") and spot[2].startswith("文化街北")
    # The two spots' messages share their street's key, the broadest key that begins them.
    assert root[0] == root[2] == "文化街"
    assert 5 not in root  # 幸福路 is a whole key: nothing shorter begins it
