"""Praise, concern or neither: written answers as enterprises and residents write them."""

import pytest

from civicdesk.triage.tone import PRAISE_MAX_CHARS, Tone, read_tone

PRAISE = [
    "企业开办一网通办很方便，半天就拿到执照，点赞。",
    "窗口工作人员服务热情，办事效率高，非常满意！",
    "感谢税务局上门辅导，帮我们解决了申报难题。",
    "服务很好，希望继续保持。",
    "整体不错，没有其他意见。",
    "不用跑腿，在家就办好了，太方便了",
    "辦事很方便，點讚！",  # Traditional script
]
CONCERN = [
    "希望进一步压缩工程建设项目审批时间，目前从立项到拿到施工许可仍要三个多月。",
    "去年申报的技改补贴至今没有到账，希望加快兑现。",
    "同一个月内市场监管、消防、环保先后来检查，能否合并成一次“综合查一次”。",
    "园区周边公交线路少，员工上下班不方便。",
    "办理不动产登记需要的材料，网上公布的和窗口要求的不一致，多跑了一趟。",
    "小微企业贷款门槛高，希望政府帮助对接银行。",
    "招商时承诺的厂房租金优惠一直没有落实。",
    "环评审批太慢了",
    "小区门口路灯不亮",
    # Praise and a concern: the concern needs a case.
    "一网通办很方便，但是公积金开户还要再跑一次窗口，希望也能网上办。",
    # Negated praise, and a request closed with thanks.
    "对审批速度不太满意。",
    "希望尽快解决，谢谢！",
    "请问技改补贴什么时候发放？",
]
UNSURE = ["一般", "还行吧", "总体还可以", "园区里那条路"]
NOTHING = ["无", "暂无意见。", "没有", "/", "  ", "没有问题"]


@pytest.mark.parametrize("text", PRAISE)
def test_praise(text):
    reading = read_tone(text)
    assert reading.tone == Tone.PRAISE, reading
    assert reading.praise_cues and not reading.concern_cues


@pytest.mark.parametrize("text", CONCERN)
def test_concern(text):
    reading = read_tone(text)
    assert reading.tone == Tone.CONCERN, reading
    assert reading.concern_cues


@pytest.mark.parametrize("text", UNSURE)
def test_unsure(text):
    assert read_tone(text).tone == Tone.UNSURE


@pytest.mark.parametrize("text", NOTHING)
def test_nothing(text):
    assert read_tone(text).tone == Tone.NOTHING


def test_encouragement_and_solved_problems_are_not_concerns():
    assert read_tone("希望继续保持").concern_cues == ()
    assert read_tone("帮我们解决了融资难题").concern_cues == ()
    # …but a problem still to solve is one.
    assert read_tone("希望帮我们解决融资难题").tone == Tone.CONCERN


def test_long_praise_without_a_concern_cue_goes_to_staff():
    story = "我们是园区的一家企业，" * 20 + "感谢政府。"
    assert len(story) > PRAISE_MAX_CHARS
    assert read_tone(story).tone == Tone.UNSURE
