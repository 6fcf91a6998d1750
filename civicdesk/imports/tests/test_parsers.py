"""Every format with its realistic samples, and the bad files people really upload."""

import codecs
import json

import pytest

from civicdesk.imports.parsers import (
    FileFormat,
    ImportFileError,
    NumberKind,
    detect_format,
    parse,
)
from civicdesk.imports.parsers.chat import is_system_line

from .conftest import portal_workbook, sample, xlsx


def texts(parsed, column):
    return [row.values[column] for row in parsed.rows]


# --- WeChat and QQ chat exports ---------------------------------------------------------------


def test_wechat_export_messages_system_lines_and_pictures():
    parsed = parse(sample("wechat_dongyuan.txt"), FileFormat.WECHAT)
    assert parsed.columns == ["time", "sender", "message"]
    assert parsed.number_kind == NumberKind.LINE
    assert [row.number for row in parsed.rows] == [4, 9, 17, 21, 30]
    assert texts(parsed, "sender") == [
        "东苑3栋王阿姨",
        "网格员小陈",
        "东苑5栋李师傅",
        "阳光宝贝妈妈",
        "老周",
    ]
    first = parsed.rows[0].values
    assert first["time"] == "2025-03-02 09:15:02"
    # A message of several lines stays one message, its lines kept.
    assert first["message"] == (
        "3号楼门口那盏路灯坏了快一个星期了\n晚上黑乎乎的，老人下楼倒垃圾差点摔一跤\n"
        "麻烦社区帮忙报修一下"
    )
    # The invitation, the recall and the date separator are the app's lines, not messages.
    assert texts(parsed, "message")[1] == "收到"
    assert "撤回" not in texts(parsed, "message")[3]
    # A picture with text keeps the text and notes the picture; pictures alone are skipped.
    assert parsed.rows[2].values["message"].startswith("5栋和6栋之间的下水道又堵了")
    assert parsed.rows[2].details == {"media": ["图片"]}
    # invitation, picture alone, recall, sticker alone, date separator
    assert parsed.skipped == 5
    assert parsed.source_hint == "东苑社区居民议事群"
    assert parsed.fixed_mapping == {"time": "time", "author": "sender", "text": "message"}


def test_qq_export_numbers_titles_and_system_sender():
    parsed = parse(sample("qq_riverside.txt"), FileFormat.QQ)
    assert parsed.columns == ["time", "sender", "sender_id", "message"]
    assert [(r.values["sender"], r.values["sender_id"]) for r in parsed.rows] == [
        ("物业前台", "10001234"),  # 【群主】 is a title, not part of the name
        ("张三", "123456789"),
        ("开心果", "happyfruit@example.com"),
        ("夜猫子", "987654321"),
    ]
    assert parsed.rows[1].values["time"] == "2025-03-05 9:15:02"
    assert parsed.rows[1].values["message"].endswith("请街道督促物业和维保公司彻底检修！")
    assert parsed.skipped == 2  # the 系统消息 and a picture alone
    assert parsed.source_hint == "滨江花园业主交流群"
    assert parsed.fixed_mapping["author_id"] == "sender_id"


def test_chat_exports_saved_in_gbk_or_utf16_read_the_same():
    original = parse(sample("qq_riverside.txt"), FileFormat.QQ)
    text = sample("qq_riverside.txt").decode("utf-8-sig")
    for encoded in (text.encode("gbk"), text.encode("utf-16")):
        again = parse(encoded, FileFormat.QQ)
        assert [r.values for r in again.rows] == [r.values for r in original.rows]


def test_chat_preview_stops_after_limit():
    parsed = parse(sample("wechat_dongyuan.txt"), FileFormat.WECHAT, limit=2)
    assert len(parsed.rows) == 2 and not parsed.complete


def test_a_text_file_without_chat_headers_is_refused():
    with pytest.raises(ImportFileError, match="No chat messages were found"):
        parse("群里大家好\n今天天气不错\n".encode(), FileFormat.WECHAT)


@pytest.mark.parametrize(
    ("line", "system"),
    [
        ("李四加入了群聊", True),
        ("王五撤回了一条消息", True),
        ('"张三" 拍了拍 "李四"', True),
        ("—————  2025-03-03  —————", True),
        ("他撤回了一条消息又发了一遍，说路灯还是不亮", False),
        ("张三加入了群聊后一直发广告", False),
        ("他拍了拍我的车就走了", False),
    ],
)
def test_system_lines_are_recognised_on_the_whole_line(line, system):
    assert is_system_line(line) is system


# --- CSV ----------------------------------------------------------------------------------


PORTAL_COLUMNS = [
    "留言编号",
    "留言主题",
    "留言详情",
    "留言时间",
    "留言用户",
    "联系电话",
    "地址",
    "点赞数",
]


@pytest.mark.parametrize(
    "content",
    [
        sample("portal_messages.csv"),
        codecs.BOM_UTF8 + sample("portal_messages.csv"),
        sample("portal_messages_gbk.csv"),
        sample("portal_messages_excel_unicode.txt"),  # Excel's "Unicode text": UTF-16, tabs
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "utf-16 tab-separated"],
)
def test_portal_csv_in_every_encoding_excel_writes(content):
    parsed = parse(content, FileFormat.CSV)
    assert parsed.columns == PORTAL_COLUMNS
    # The first message spans two lines inside one quoted cell: still row 2, and the next is 3.
    assert [row.number for row in parsed.rows] == [2, 3, 4, 5, 6, 7]
    first = parsed.rows[0].values
    assert first["留言详情"] == (
        "新华路与学院街交叉口东北角的人行道砖松动翘起，\n下雨天一踩一脚泥水，已经有老人摔倒。"
    )
    assert first["留言时间"] == "2025/3/1 8:12"
    assert parsed.rows[4].values["留言主题"].startswith("=HYPERLINK(")


def test_unnamed_and_repeated_columns_get_names_of_their_own():
    parsed = parse("内容,,内容\n路灯不亮,x,重复\n".encode(), FileFormat.CSV)
    assert parsed.columns == ["内容", "#2", "内容 #3"]
    assert parsed.rows[0].values == {"内容": "路灯不亮", "#2": "x", "内容 #3": "重复"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\r\n", "The file is empty."),
        (codecs.BOM_UTF8, "The file is empty."),
        ("留言内容,留言时间\n".encode(), "header row but no data rows"),
        (",,\n路灯不亮,2025-03-01\n".encode(), "Row 1 must hold the column names"),
        ("内容,时间\n路灯不亮,2025-03-01,多出来的,一格\n".encode(), "Row 2 has 4 cells"),
        (bytes(range(256)) * 20, "cannot be read as text"),
        (b"PK\x03\x04rest-of-a-zip", "zip archive"),
    ],
    ids=["empty", "blank lines", "only a BOM", "header only", "no header", "wide row", "binary",
         "zip"],
)  # fmt: skip
def test_unusable_csv_files_say_why(content, message):
    with pytest.raises(ImportFileError, match=message):
        parse(content, FileFormat.CSV)


def test_too_many_rows_are_refused(settings):
    settings.CIVICDESK_IMPORT_MAX_ROWS = 3
    content = ("内容\n" + "".join(f"第{i}条\n" for i in range(4))).encode()
    with pytest.raises(ImportFileError, match="more than 3 messages"):
        parse(content, FileFormat.CSV)


# --- XLSX ---------------------------------------------------------------------------------


def test_xlsx_typed_cells_read_as_text_and_blank_rows_keep_numbers():
    parsed = parse(portal_workbook(), FileFormat.XLSX)
    assert parsed.columns == ["留言编号", "留言标题", "留言内容", "发布时间", "网友昵称", "点赞"]
    assert [row.number for row in parsed.rows] == [2, 3, 5]
    assert parsed.rows[0].values["发布时间"] == "2025-03-06 20:15:00"
    assert parsed.rows[0].values["点赞"] == "15"
    # A formula without a computed value is read as nothing, never as the formula.
    assert parsed.rows[2].values["留言内容"] == ""


def test_xlsx_preview_reads_only_the_first_rows():
    rows = [["内容"]] + [[f"第{i}条留言"] for i in range(50)]
    parsed = parse(xlsx(rows), FileFormat.XLSX, limit=5)
    assert len(parsed.rows) == 5 and not parsed.complete


@pytest.mark.parametrize(
    "content",
    [b"not a workbook at all", b"PK\x03\x04broken zip", sample("portal_messages.csv")],
    ids=["text", "broken zip", "csv"],
)
def test_a_file_that_is_not_xlsx_is_refused(content):
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        parse(content, FileFormat.XLSX)


def test_an_empty_workbook_is_refused():
    with pytest.raises(ImportFileError, match="The first sheet is empty"):
        parse(xlsx([]), FileFormat.XLSX)


# --- JSON ---------------------------------------------------------------------------------


def test_self_media_json_envelope_with_nested_fields():
    parsed = parse(sample("self_media.json"), FileFormat.JSON)
    assert parsed.number_kind == NumberKind.ITEM
    assert parsed.columns == [
        "post_id",
        "content",
        "publish_time",
        "user.id",
        "user.nickname",
        "location",
        "digg_count",
    ]
    assert parsed.rows[0].values["user.nickname"] == "城北小灵通"
    assert parsed.rows[0].values["publish_time"] == "1740962040"
    assert parsed.rows[1].values["digg_count"] == "842"
    assert [row.number for row in parsed.rows] == [1, 2, 3]


def test_json_lines_number_rows_by_line():
    parsed = parse(sample("self_media.jsonl"), FileFormat.JSON)
    assert parsed.number_kind == NumberKind.LINE
    assert [row.number for row in parsed.rows] == [1, 2, 4]
    assert parsed.rows[1].values["likes"] == "2,031"


def test_a_plain_list_and_a_single_object_are_read_too():
    items = [{"id": 1, "text": "路灯不亮", "tags": ["照明", "夜间"], "extra": None}]
    parsed = parse(json.dumps(items, ensure_ascii=False).encode("utf-16"), FileFormat.JSON)
    assert parsed.rows[0].values == {
        "id": "1",
        "text": "路灯不亮",
        "tags": "照明, 夜间",
        "extra": "",
    }
    single = parse(json.dumps(items[0], indent=2).encode(), FileFormat.JSON)
    assert len(single.rows) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[\n  {"text": "a"},\n  {"text": "b",}\n]', r"Line 3, column 16: this is not valid JSON"),
        (b'{"text": "a"}\n{"text": "b"\n{"text": "c"}', r"Line 2, column 13"),
        (b'{\n  "data": [\n    {"text": "a"\n  ]\n}', r"Line 4, column 3"),
        (b'[{"text": "a"}, "b"]', "Item 2 of the list is not an object"),
        (b'{"text": "a"}\n[1, 2]', "Line 2 is not an object"),
        (b"[]", "holds no messages"),
        (b"42", "must hold a list of objects"),
    ],
    ids=["array", "json lines", "object", "not an object", "line not an object", "empty",
         "number"],
)  # fmt: skip
def test_broken_json_names_the_line(content, message):
    with pytest.raises(ImportFileError, match=message):
        parse(content, FileFormat.JSON)


# --- Recognising the format ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wechat_dongyuan.txt", FileFormat.WECHAT),
        ("qq_riverside.txt", FileFormat.QQ),
        ("portal_messages.csv", FileFormat.CSV),
        ("portal_messages_gbk.csv", FileFormat.CSV),
        ("portal_messages_excel_unicode.txt", FileFormat.CSV),
        ("self_media.json", FileFormat.JSON),
        ("self_media.jsonl", FileFormat.JSON),
    ],
)
def test_formats_are_recognised_by_content(name, expected):
    assert detect_format(name, sample(name)) == expected
    assert detect_format("download", sample(name)) == expected  # no extension needed


def test_workbooks_are_recognised_and_impostors_refused():
    assert detect_format("messages.bin", portal_workbook()) == FileFormat.XLSX
    with pytest.raises(ImportFileError, match="Old Excel 97-2003"):
        detect_format("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ImportFileError, match="web page"):
        detect_format("export.xls", b"<html><table><tr><td>1</td></tr></table></html>")
    with pytest.raises(ImportFileError, match=r"called \.xlsx but is not an Excel workbook"):
        detect_format("messages.xlsx", sample("portal_messages.csv"))
