"""Explicit allegations of misconduct or of collusion with black intermediaries, and the
ordinary complaints that only sound like them."""

import pytest

from civicdesk.triage.allegations import Allegation, read_allegation


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("窗口工作人员吃拿卡要，不给好处就拖着不办。", Allegation.MISCONDUCT),
        ("审批科科长收受企业红包，材料不齐也给批。", Allegation.MISCONDUCT),
        ("街道有关部门不作为、乱作为，反映半年无人处理。", Allegation.MISCONDUCT),
        ("有干部滥用职权，给亲戚的公司开绿灯。", Allegation.MISCONDUCT),
        ("大厅门口的黑中介说交800元包办。", Allegation.INTERMEDIARY),
        ("窗口工作人员让我去找门口的中介代办，说自己办不了。", Allegation.INTERMEDIARY),
        ("不找中介根本办不下来，材料交了三次都不给办。", Allegation.INTERMEDIARY),
        ("大廳門口的黑中介收費代辦", Allegation.INTERMEDIARY),  # Traditional script
    ],
)
def test_allegations(text, kind):
    found, words = read_allegation(text)
    assert found == kind and words


@pytest.mark.parametrize(
    "text",
    [
        "物业不作为，电梯坏了一个月没人修。",
        "审批太慢，希望压缩时限。",
        "房产中介发布虚假房源。",
        "小区门口路灯不亮",
        "",
    ],
)
def test_ordinary_complaints_are_not_allegations(text):
    assert read_allegation(text) == (None, "")
