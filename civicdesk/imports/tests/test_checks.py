"""Checking rows: times, counts, phones, lengths, and the keys that recognise a message."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from civicdesk.imports.checks import (
    MAX_TEXT,
    CheckContext,
    Message,
    Rejection,
    check_row,
    external_id_for,
    fingerprint,
    parse_likes,
    parse_time,
)
from civicdesk.imports.fields import guess_mapping, mapping_errors
from civicdesk.imports.parsers import SourceRow

SHANGHAI = timezone.get_fixed_timezone(8 * 60)
MAPPING = {
    "external_id": "编号",
    "text": "内容",
    "time": "时间",
    "author": "用户",
    "phone": "电话",
    "likes": "点赞",
    "address": "地址",
}


def context(**changes) -> CheckContext:
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    values = {"mapping": MAPPING, "source": "新华街道门户", "default_time": now, "now": now}
    return CheckContext(**(values | changes))


def row(**cells) -> SourceRow:
    values = {"编号": "A1", "内容": "路灯不亮", "时间": "2025-03-02 09:15", "用户": "张先生"}
    values |= {"电话": "", "点赞": "", "地址": ""}
    return SourceRow(number=7, values=values | cells)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-02 09:15:02", datetime(2025, 3, 2, 9, 15, 2, tzinfo=SHANGHAI)),
        ("2025/3/2 9:15", datetime(2025, 3, 2, 9, 15, tzinfo=SHANGHAI)),
        ("2025.03.02", datetime(2025, 3, 2, tzinfo=SHANGHAI)),
        ("2025年3月2日 9:15", datetime(2025, 3, 2, 9, 15, tzinfo=SHANGHAI)),
        ("２０２５-03-02 09:15", datetime(2025, 3, 2, 9, 15, tzinfo=SHANGHAI)),
        ("2025-03-02T01:15:02Z", datetime(2025, 3, 2, 1, 15, 2, tzinfo=UTC)),
        ("2025-03-02T09:15:02.5+08:00", datetime(2025, 3, 2, 9, 15, 2, 500000, tzinfo=SHANGHAI)),
        ("2025-03-02 10:15:02 +0900", datetime(2025, 3, 2, 9, 15, 2, tzinfo=SHANGHAI)),
        ("1740878102", datetime(2025, 3, 2, 1, 15, 2, tzinfo=UTC)),
        ("1740878102000", datetime(2025, 3, 2, 1, 15, 2, tzinfo=UTC)),
    ],
)
def test_times_as_exports_write_them(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize(
    "raw", ["昨天下午", "2025-02-30 10:00", "3/2/2025", "2025-03-02 25:00", ""]
)
def test_what_is_not_a_time(raw):
    with pytest.raises(ValueError):
        parse_time(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("1,234", 1234), ("1.2万", 12000), ("3k", 3000), ("10w+", 100000), ("８８", 88)],
)
def test_likes_as_platforms_show_them(raw, expected):
    assert parse_likes(raw) == expected


@pytest.mark.parametrize("raw", ["很多", "-3", "1e400", "NaN"])
def test_what_is_not_a_number_of_likes(raw):
    with pytest.raises(ValueError):
        parse_likes(raw)


def test_a_good_row_becomes_a_message():
    message = check_row(row(点赞="1.2万", 电话="138 1234 5678", 地址="新华路"), context())
    assert isinstance(message, Message)
    assert message.received_at == datetime(2025, 3, 2, 9, 15, tzinfo=SHANGHAI)
    assert (message.likes, message.phone, message.address) == (12000, "138 1234 5678", "新华路")
    assert message.external_id == external_id_for("A1", "新华街道门户")


def test_every_problem_of_a_row_is_named_with_its_column():
    result = check_row(
        row(内容="", 时间="明天", 电话="请打给我", 点赞="很多", 编号="x" * 101), context()
    )
    assert isinstance(result, Rejection) and result.number == 7
    assert [column for column, _reason in result.problems] == [
        "内容",
        "时间",
        "电话",
        "点赞",
        "编号",
    ]
    assert result.problems[0][1] == "The message text is missing."
    assert "“明天” is not a time" in result.problems[1][1]


def test_lengths_and_future_times_are_rejected():
    result = check_row(row(内容="长" * (MAX_TEXT + 1), 时间="2025-03-11 12:00"), context())
    assert [reason for _column, reason in result.problems] == [
        f"The text has {MAX_TEXT + 1} characters; at most {MAX_TEXT} are accepted.",
        "The time is in the future.",
    ]
    assert isinstance(check_row(row(用户="名" * 81), context()), Rejection)
    assert isinstance(check_row(row(地址="址" * 301), context()), Rejection)
    assert isinstance(check_row(row(时间="1999-12-31 23:00"), context()), Rejection)
    # A clock a few minutes ahead is not a problem.
    assert isinstance(check_row(row(时间="2025-03-10 20:30"), context()), Message)


def test_a_masked_phone_is_left_out_not_rejected():
    message = check_row(row(电话="138****5678"), context())
    assert isinstance(message, Message) and message.phone == ""


def test_a_title_goes_before_the_text_but_never_replaces_it():
    mapping = MAPPING | {"title": "标题"}
    message = check_row(row(标题="路灯"), context(mapping=mapping))
    assert message.text == "路灯\n路灯不亮"
    assert isinstance(check_row(row(标题="路灯", 内容=""), context(mapping=mapping)), Rejection)


def test_short_messages_are_skipped_below_the_minimum():
    assert check_row(row(内容="收到"), context(min_length=5)) is None
    assert isinstance(check_row(row(内容="收到"), context()), Message)


def test_without_a_time_column_the_upload_time_is_used():
    mapping = {k: v for k, v in MAPPING.items() if k != "time"}
    upload_time = datetime(2025, 3, 9, 8, 0, tzinfo=UTC)
    message = check_row(row(时间="garbage"), context(mapping=mapping, default_time=upload_time))
    assert message.received_at == upload_time


def test_the_fingerprint_ignores_spacing_and_width_but_not_content():
    moment = datetime(2025, 3, 2, 9, 15, tzinfo=UTC)
    base = fingerprint(source="东苑社区群", author="张三", received_at=moment, text="路灯 不亮")
    assert base == fingerprint(
        source=" 东苑社区群 ", author="张三", received_at=moment.astimezone(SHANGHAI),
        text="路灯  不亮\n",
    )  # fmt: skip
    # An ideographic space is a space; a full-width letter is its ASCII letter.
    assert base == fingerprint(source="东苑社区群", author="张三", received_at=moment,
                               text="路灯　不亮")  # fmt: skip
    for changed in (
        {"source": "西苑社区群"},
        {"author": "李四"},
        {"received_at": moment + timedelta(seconds=1)},
        {"text": "路灯不亮了"},
    ):
        values = {"source": "东苑社区群", "author": "张三", "received_at": moment,
                  "text": "路灯 不亮"} | changed  # fmt: skip
        assert fingerprint(**values) != base


def test_without_an_id_the_fingerprint_recognises_the_message():
    mapping = {k: v for k, v in MAPPING.items() if k != "external_id"}
    first = check_row(row(), context(mapping=mapping))
    again = check_row(row(编号="other"), context(mapping=mapping))
    assert first.external_id == again.external_id and first.external_id.startswith("sha256:")


def test_the_same_id_from_two_sources_is_two_messages():
    assert external_id_for("1001", "东街道门户") != external_id_for("1001", "西街道门户")
    assert external_id_for("1001", "东街道门户") == external_id_for("1001", "东街道 门户")
    assert len(external_id_for("x" * 100, "s")) <= 120


def test_guessed_mappings_read_chinese_traditional_and_english_names():
    assert guess_mapping(["留言編號", "留言主題", "留言詳情", "留言時間", "Likes", "USER_ID"]) == {
        "external_id": "留言編號",
        "title": "留言主題",
        "text": "留言詳情",
        "time": "留言時間",
        "likes": "Likes",
        "author_id": "USER_ID",
    }
    # The first column that fits wins; the second is left for the person to choose.
    assert guess_mapping(["内容", "正文"]) == {"text": "内容"}


def test_mapping_errors_name_what_is_wrong():
    columns = ["内容", "时间"]
    assert mapping_errors({"text": "内容", "time": "时间"}, columns) == []
    assert mapping_errors({"time": "时间"}, columns) == [
        "Choose the column that holds the message text."
    ]
    assert mapping_errors({"text": "内容", "title": "内容"}, columns) == [
        "The column “内容” is chosen for Message text, Title; choose it once."
    ]
    assert mapping_errors({"text": "正文"}, columns) == ["The file has no column “正文”."]
