"""Same-problem clustering on small invented messages (no Django, no data files)."""

import importlib.util
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from civicdesk.triage.cluster import Message, cluster_messages, heat

NOW = datetime(2026, 11, 26, 12, 0)


def _groups(clusters):
    return {i: c.id for c in clusters for i in c.member_ids}


def _sample():
    return [
        Message("p1", "A市A2区景蓉华苑物业乱收停车费，每月多收业主三百元停车费", time=NOW),
        Message("p2", "景蓉华苑物业违规收取停车费，业主每月多交停车费三百元，请查处", time=NOW),
        Message("p3", "A市A5区金色家园物业乱收停车费，每月多收业主三百元停车费", time=NOW),
        Message("n1", "A3区枫林路星辰工地夜间施工噪音扰民，凌晨还在打桩", time=NOW),
        Message("n2", "枫林路星辰工地每天凌晨打桩施工，噪音太大扰民睡不着", time=NOW),
        Message("s1", "建议增开通往高铁站的公交线路，方便市民出行", time=NOW),
        Message("r1", "A市A2区景蓉华苑物业乱收停车费，每月多收业主三百元停车费", time=NOW),
    ]


def test_same_place_and_grievance_cluster_but_other_places_do_not():
    groups = _groups(cluster_messages(_sample()))
    assert groups["p1"] == groups["p2"] == groups["r1"]  # paraphrase and repost merge
    assert groups["p3"] != groups["p1"]  # same grievance, different compound
    assert groups["n1"] == groups["n2"]
    assert groups["n1"] != groups["p1"]
    assert len({groups["s1"]} & {groups[k] for k in groups if k != "s1"}) == 0  # singleton


def test_every_message_in_exactly_one_cluster_with_ids_1_to_n():
    msgs = _sample()
    clusters = cluster_messages(msgs)
    members = [i for c in clusters for i in c.member_ids]
    assert sorted(members) == sorted(m.id for m in msgs)
    assert [c.id for c in clusters] == list(range(1, len(clusters) + 1))
    assert all(c.size == len(c.member_ids) for c in clusters)
    assert [c.heat for c in clusters] == sorted((c.heat for c in clusters), reverse=True)
    assert cluster_messages([]) == []


def test_title_names_the_place_and_is_short():
    clusters = cluster_messages(_sample())
    top = next(c for c in clusters if "p1" in c.member_ids)
    assert "景蓉华苑" in top.title
    assert all(len(c.title) <= 40 for c in clusters)


def test_heat_follows_the_formula():
    base = Message("a", "x", likes=0, time=NOW - timedelta(days=30))
    liked = Message("b", "x", likes=50, time=NOW - timedelta(days=30))
    recent = Message("c", "x", likes=0, time=NOW)
    assert heat([liked], NOW) > heat([base], NOW)
    assert heat([recent], NOW) > heat([base], NOW)
    # One half-life old counts half: 10 * ln(1 + 0.5).
    assert heat([base], NOW) == pytest.approx(10 * 0.405465, abs=1e-3)
    ent = Message("d", "x", time=NOW - timedelta(days=30), enterprise=True)
    assert heat([ent], NOW) == pytest.approx(1.5 * heat([base], NOW), abs=1e-3)
    same_user = [Message(str(i), "x", time=NOW, user="u") for i in range(3)]
    many_users = [Message(str(i), "x", time=NOW, user=f"u{i}") for i in range(3)]
    assert heat(many_users, NOW) > heat(same_user, NOW)
    disliked = Message("e", "x", likes=50, dislikes=40, time=NOW - timedelta(days=30))
    assert heat([base], NOW) < heat([disliked], NOW) < heat([liked], NOW)


def test_hotter_cluster_first():
    msgs = _sample()
    for m in msgs:
        if m.id.startswith("n"):
            m.likes = 500
    clusters = cluster_messages(msgs, now=NOW)
    assert "n1" in clusters[0].member_ids


def test_near_linear_on_thousands_of_messages():
    heads = "金银铜铁锡星月云风华丽明秀安松柏桃李梅兰竹菊江河湖海山川林泉溪石玉"
    places = [f"{heads[i]}{heads[(i * 7 + 3) % len(heads)]}苑" for i in range(len(heads))]
    gripes = ["物业乱收停车费", "夜间施工噪音扰民", "电梯经常故障", "小区门口垃圾成堆"]
    msgs = [
        Message(str(i), f"A市{places[i % len(places)]}{gripes[i % 4]}，第{i}次反映")
        for i in range(5000)
    ]
    t = time.perf_counter()
    clusters = cluster_messages(msgs)
    assert time.perf_counter() - t < 8
    assert sum(c.size for c in clusters) == 5000
    assert max(c.size for c in clusters) < 200  # no giant chained cluster


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "triage_cluster.py"
    spec = importlib.util.spec_from_file_location("bench_triage_cluster", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_triage_cluster", module)
    spec.loader.exec_module(module)
    return module


def test_bcubed_and_pairwise_on_a_hand_computed_example():
    bench = _bench()
    gold = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 3}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}
    # B-cubed precision: a,b 2/2; c,d 1/2; e 1/1 -> (1+1+.5+.5+1)/5 = 0.8
    # B-cubed recall: a,b 2/3; c 1/3; d,e 1/1 -> (2/3+2/3+1/3+1+1)/5 = 11/15
    b3 = bench.bcubed_prf(gold, pred)
    assert b3["precision"] == pytest.approx(0.8)
    assert b3["recall"] == pytest.approx(11 / 15)
    assert b3["f1"] == pytest.approx(2 * 0.8 * (11 / 15) / (0.8 + 11 / 15))
    # Pairs: gold {ab, ac, bc}; predicted {ab, cd}; 1 in common.
    pw = bench.pairwise_prf(gold, pred)
    assert pw["precision"] == pytest.approx(0.5)
    assert pw["recall"] == pytest.approx(1 / 3)


_PLACES = ["东苑小区", "西湖花园", "锦绣家园", "南苑小区", "幸福里小区"]
_PLACES += ["湖滨路", "光明巷", "朝阳公园", "柳岸小区", "和平新村"]
_GRIEVANCES = ["路灯不亮", "垃圾清运不及时", "夜间施工噪音扰民"]
_BOILER = [
    "有一个多星期了，影响正常生活，希望尽快处理。",
    "这几天一直这样，居民意见很大，麻烦尽快解决。",
    "已经好几天了，请相关部门派人来看看。",
]


def _boilerplate_messages():
    return [
        Message(f"{p}-{g}", f"反映一下：{place}{grievance}，{_BOILER[(p + g) % 3]}")
        for p, place in enumerate(_PLACES)
        for g, grievance in enumerate(_GRIEVANCES)
    ] + [
        Message(f"{p}-{g}-again", f"{place}{grievance}，{_BOILER[(p + g + 1) % 3]}")
        for p, place in enumerate(_PLACES[:5])
        for g, grievance in enumerate(_GRIEVANCES)
    ]


def test_no_chaining_through_shared_boilerplate():
    clusters = cluster_messages(_boilerplate_messages())
    groups = _groups(clusters)
    assert max(c.size for c in clusters) <= 6  # never one big cluster of everything
    # Different places never share a cluster, whatever the shared boilerplate.
    for c in clusters:
        assert len({i.split("-")[0] for i in c.member_ids}) == 1, c.member_ids
    # A repeated report of the same place and grievance joins its first report.
    assert (
        sum(groups[f"{p}-{g}"] == groups[f"{p}-{g}-again"] for p in range(5) for g in range(3))
        >= 12
    )


def test_government_and_request_words_are_never_places():
    from civicdesk.triage.cluster import extract

    for text in (
        "我公司园区频繁停电，希望政府兑现承诺",
        "请政府部门尽快处理",
        "反映一下：市政府门口",
    ):
        assert not any("政府" in e or "希望" in e for e in extract(text).entity), text
    assert extract("我公司园区频繁停电").entity == []  # 公司园 is not a name
    assert extract("东苑公园东侧垃圾成堆").entity == ["东苑公园"]
    assert "朝阳路公交站" in extract("朝阳路公交站东侧路灯不亮").entity
    assert extract("翠苑三区路公交站").entity == []  # no name runs across 区 / a suffix


def test_titles_are_whole_words_with_the_place():
    msgs = [
        Message("a", "东苑小区夜间施工噪音扰民，有一个多星期了，希望尽快处理。"),
        Message("b", "东苑小区夜间施工噪音扰民，已经好几天了，麻烦尽快解决。"),
        Message("c", "反映一下：东苑小区夜间施工噪音扰民，请相关部门派人来看看。"),
    ]
    clusters = cluster_messages(msgs)
    assert len(clusters) == 1
    title = clusters[0].title
    assert title.startswith("东苑小区 · "), title
    assert len(title) <= 40
    words = title.split(" · ", 1)[1]
    assert "施工" in words or "噪音" in words
    for junk in ("希望", "尽快", "反映", "几天", "部门"):
        assert junk not in title
    # Whole words: the grievance part is a substring of a member text with the place removed.
    assert any(words.replace(" ", "") in m.text for m in msgs) or all(
        w in msgs[0].text for w in words.split()
    )


def test_the_bench_chooses_the_best_threshold_that_is_precise_enough():
    bench = _bench()
    tune = [g for g in (f"g{i}" for i in range(40)) if bench.split_of(g) == "tune"][:3]
    gold = {"a": tune[0], "b": tune[0], "c": tune[0], "d": tune[0], "e": tune[1], "f": tune[2]}
    runs = {
        # a-e together: B-cubed F1 0.846, pair precision 6/10
        0.05: {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 2},
        # two halves of the big group: B-cubed F1 0.8, pair precision 1
        0.1: {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3, "f": 4},
    }
    assert bench._choose(gold, runs) == 0.1
    # Without a precise enough threshold, the best B-cubed F1.
    runs[0.1] = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 1, "f": 2}
    assert bench._choose(gold, runs) == 0.05
