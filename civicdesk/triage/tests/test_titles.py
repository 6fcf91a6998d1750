"""Titles read as a problem, in whole words (issue 14, item 4), on small invented groups."""

import pytest

from civicdesk.triage.cluster import Message, cluster_messages
from civicdesk.triage.scoring import title_whole_words

BACKGROUND = [
    "A市东湖路公交站台破损，候车的人没地方躲雨",
    "A市星光小区物业乱收停车费，业主意见很大",
    "金桂苑电梯经常故障，老人上下楼困难",
]


def _title(texts: list[str]) -> str:
    messages = [Message(f"m{i}", t) for i, t in enumerate(texts)]
    messages += [Message(f"b{i}", t) for i, t in enumerate(BACKGROUND)]
    clusters = cluster_messages(messages)
    cluster = next(c for c in clusters if "m0" in c.member_ids)
    assert {f"m{i}" for i in range(len(texts))} <= set(cluster.member_ids)
    assert title_whole_words(cluster.title, texts), cluster.title
    return cluster.title


def test_a_crossing_keeps_its_tail_and_the_phrase_starts_with_the_grievance():
    title = _title(
        [
            "中山路口中段这边楼上水压小，洗澡都成问题！",
            "中山路口楼上水压小，洗澡都成问题，请加强管理。",
            "中山路口北侧楼上水压小，洗澡都成问题。",
        ]
    )
    assert title == "中山路口 · 楼上水压小" or title.startswith("中山路口 · 水压"), title


def test_where_in_the_compound_is_not_the_grievance():
    title = _title(
        [
            "柳岸小区18栋附近这边自来水发浑还有股怪味！",
            "柳岸小区3号楼旁这边自来水发浑还有股怪味，麻烦尽快解决。",
            "柳岸小区地下车库入口自来水发浑还有股怪味。",
        ]
    )
    assert title == "柳岸小区 · 自来水发浑还有股怪味", title


def test_a_counting_word_keeps_its_noun():
    title = _title(
        [
            "我公司营业执照变更要跑多个部门，耽误了4周，希望简化流程。",
            "我公司营业执照变更要跑多个部门！耽误了4周！希望简化流程",
            "我公司营业执照变更要跑多个部门。耽误了4周。希望简化流程！",
        ]
    )
    assert title.endswith("多个部门"), title


def test_a_place_in_brackets_leaves_no_half_bracket():
    title = _title(
        [
            "工作人员推诿扯皮（社保医保窗口），让人很寒心，希望给个说法。",
            "工作人员推诿扯皮（社保医保窗口），白跑一趟。",
            "社保医保窗口工作人员推诿扯皮，让人很寒心。",
        ]
    )
    assert "(" not in title and "（" not in title
    assert title == "社保医保窗口 · 工作人员推诿扯皮", title


def test_a_shared_start_of_a_statement_is_no_place():
    # The first characters of each text are a "name key" (shared, at the start), but they
    # stop inside 工作人员: no place, the statement is the title. (Reposts, so that they are
    # one group in a collection this small.)
    title = _title(
        [
            "黑中介冒充工作人员揽活，老百姓分不清真假。",
            "黑中介冒充工作人员揽活！老百姓分不清真假",
            "黑中介冒充工作人员揽活。 老百姓分不清真假！",
        ]
    )
    assert " · " not in title and "冒充工作人员揽活" in title, title


def test_a_heading_names_the_window_and_a_greeting_names_nothing():
    title = _title(
        [
            "企业开办窗口：同样的材料要交好几遍。办事效率太低。",
            "企业开办窗口：同样的材料要交好几遍，前后跑了三趟。",
            "企业开办窗口：同样的材料要交好几遍！",
        ]
    )
    assert title == "企业开办窗口 · 同样的材料要交好几遍", title
    title = _title(
        [
            "网友爆料：菜市场的秤不准，买的肉回家一称少了二两。",
            "网友爆料：菜市场的秤不准，老人买菜经常吃亏。",
            "网友爆料：菜市场的秤不准，消费者权益受损。",
        ]
    )
    assert "网友爆料" not in title and "秤不准" in title, title


@pytest.mark.parametrize(
    ("title", "whole"),
    [
        ("江山帝景 · 新房安全隐患", True),
        ("政务服务中心 · 开办窗口", False),  # 企业开办窗口 cut
        ("黑中介冒充工 · 作人员揽活", False),
        ("中山路 · 口公交站台边路面坑洼积水", False),
        ("营业执照变更要跑多个", False),
        ("政务服务中心 · 工作人员爱理不理的(企业开办窗口", False),
        ("步趣网络科技 · 调查结果出来", True),  # a name right after an administrative level
    ],
)
def test_title_whole_words(title, whole):
    members = [
        "A市江山帝景新房有严重安全隐患，过道敞开",
        "企业开办窗口：材料不全",
        "黑中介冒充工作人员揽活",
        "中山路口公交站台边路面坑洼积水",
        "我公司营业执照变更要跑多个部门",
        "工作人员爱理不理的（企业开办窗口）",
        "西地省步趣网络科技有限公司的调查结果出来了没有",
    ]
    assert title_whole_words(title, members) is whole


def test_a_stray_member_s_words_do_not_make_the_title():
    from civicdesk.triage.features import analysis_text, featurize
    from civicdesk.triage.titles import TitleMaker

    # A parked car's long report among a crossing's water-pressure reports: its many rare words
    # outweighed the grievance the others share.
    texts = [
        "中山路口旁边有辆银色轿车停了半年没动过，落满了灰，轮胎都瘪了，挡住了消防通道",
        "中山路口高层水压不足，楼上洗澡困难",
        "中山路口水压不足，六楼以上经常没水",
        "中山路口这几天水压太低，做饭接不到水",
        "幸福路路灯不亮",
        "东苑小区电梯坏了",
        "湖滨路路面破损",
        "南环路垃圾没人清运",
    ]
    texts = [analysis_text(t) for t in texts]
    title = TitleMaker(featurize(texts), texts).title([0, 1, 2, 3])
    assert "水压不足" in title, title
    assert "车" not in title, title


def test_a_one_character_adjective_keeps_its_de():
    from civicdesk.triage.features import analysis_text, featurize
    from civicdesk.triage.titles import TitleMaker

    # Trimming the final 的 of 水是黄的 left 水是黄, which is no phrase.
    texts = [
        "柳岸小区水龙头放出来的水是黄的",
        "柳岸小区水龙头放出来的水是黄的！",
        "柳岸小区水龙头放出来的水是黄的，请处理",
        "幸福路路灯不亮",
        "东苑小区电梯坏了",
    ]
    texts = [analysis_text(t) for t in texts]
    title = TitleMaker(featurize(texts), texts).title([0, 1, 2])
    assert title.endswith("黄的"), title
