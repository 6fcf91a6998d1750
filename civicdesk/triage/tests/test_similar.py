"""Same-problem lookup at intake."""

import pytest

from civicdesk.triage.errors import ModelFormatError
from civicdesk.triage.similar import SameProblemIndex

STORED = [
    ("m1", "A市A2区景蓉华苑物业乱收停车费，每月多收业主三百元停车费"),
    ("m2", "A市A5区金色家园物业乱收停车费，每月多收业主三百元停车费"),
    ("m3", "A3区枫林路星辰工地夜间施工噪音扰民，凌晨还在打桩"),
    ("m4", "建议增开通往高铁站的公交线路，方便市民出行"),
    ("m5", "A4区南湖小学门口早晚高峰拥堵，希望安排交警疏导"),
]


@pytest.fixture
def index():
    ix = SameProblemIndex()
    ix.add_many(STORED)
    return ix


def test_paraphrase_finds_its_problem_first(index):
    hits = index.query("景蓉华苑的物业违规收取停车费，业主每个月多交三百元")
    assert hits and hits[0][0] == "m1"
    assert all(0 < s <= 1 for _, s in hits)
    assert "m2" not in [i for i, _ in hits]  # same grievance at another compound
    assert index.query("枫林路星辰工地凌晨打桩噪音太大")[0][0] == "m3"


def test_unrelated_text_finds_nothing(index):
    assert index.query("社保卡丢失了如何补办") == []
    assert index.query("") == []


def test_remove_and_len(index):
    assert len(index) == 5
    index.remove("m1")
    assert len(index) == 4
    assert "m1" not in [i for i, _ in index.query("景蓉华苑物业乱收停车费每月三百元")]
    with pytest.raises(KeyError):
        index.remove("m1")
    index.add("m1", STORED[0][1])
    assert index.query("景蓉华苑物业乱收停车费每月三百元")[0][0] == "m1"


def test_save_load_round_trip(index, tmp_path):
    index.remove("m4")
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = SameProblemIndex.load(path)
    assert len(loaded) == 4
    q = "景蓉华苑的物业违规收取停车费，业主每个月多交三百元"
    assert loaded.query(q) == index.query(q)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not an index")
    with pytest.raises(ModelFormatError):
        SameProblemIndex.load(bad)


def test_load_rebuilds_the_postings_that_adding_builds_and_keeps_meta(tmp_path):
    # Many messages sharing keys, so that lists grow past a small cap and anchors tie.
    texts = [
        (f"m{i}", f"{place}物业{grievance}，第{i % 7}栋业主反映")
        for i, (place, grievance) in enumerate(
            (place, grievance)
            for place in ("景蓉华苑", "金色家园", "枫林路星辰工地", "南湖小学")
            for grievance in ("乱收停车费", "夜间施工噪音扰民", "门口拥堵", "电梯坏了没人修")
            for _copy in range(3)
        )
    ]
    built = SameProblemIndex()
    built.add_many(texts)
    built.meta = {"last_case_id": 48, "built_at": "2026-12-06T10:00:00+08:00"}
    path = tmp_path / "index.npz"
    built.save(path)
    loaded = SameProblemIndex.load(path)
    assert loaded.meta == built.meta
    assert [None if p is None else list(p) for p in loaded._post] == [
        None if p is None else list(p) for p in built._post
    ]
    for _id, text in texts[::5]:
        assert loaded.query(text, k=10) == built.query(text, k=10)


def test_loaded_posting_lists_stop_at_the_cap(tmp_path, monkeypatch):
    from civicdesk.triage import similar

    index = SameProblemIndex()
    index.add_many((f"m{i}", f"景蓉华苑物业乱收停车费{i}") for i in range(12))
    path = tmp_path / "index.npz"
    index.save(path)
    monkeypatch.setattr(similar, "POSTING_CAP", 5)
    loaded = SameProblemIndex.load(path)
    full = [list(p) for p in loaded._post if p is not None and len(p) == 5]
    assert full and all(p == [0, 1, 2, 3, 4] for p in full)  # the first five, as add() keeps
    assert max(len(p) for p in loaded._post if p is not None) == 5
    assert SameProblemIndex().meta == {}


def test_a_paraphrase_without_the_place_finds_the_open_case_of_that_grievance():
    # Issue 14: "工地半夜还在干活，电钻声吵得睡不着" shares no word with 文化街's "夜间施工噪音"
    # case; the thesaurus concepts (night, construction, noise) find it, and a text that names
    # no place is compared by its grievance wherever the case is.
    ix = SameProblemIndex()
    ix.add_many(
        [
            ("noise", "文化街夜间施工噪音很大，已经好几天了，晚上根本睡不着，希望尽快处理。"),
            ("dance", "东苑公园每天晚上跳广场舞，音乐开得震天响，希望管一管。"),
            ("lights", "文化街路灯一到晚上就不亮，黑灯瞎火的，希望尽快处理。"),
            ("water", "中山路口高层水压不足，热水器都打不着火。"),
            *STORED,
        ]
    )
    hits = ix.query("工地半夜还在干活，电钻声吵得睡不着")
    assert hits and hits[0][0] == "noise"
    assert "lights" not in [i for i, _ in hits]
    # With a place, the place still decides: another street's construction noise is not it.
    assert "noise" not in [i for i, _ in ix.query("湖滨路工地半夜还在施工，吵得睡不着")]
