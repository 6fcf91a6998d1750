"""Reading analysts' CSV/XLSX files and writing Excel-safe CSV atomically (no database)."""

import codecs
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from civicdesk.triage.errors import TriageError
from civicdesk.triage.io import atomic_output, read_table, write_csv_atomic

HEADER = "编号,留言主题,留言详情\n"
BODY = "1,路灯不亮,幸福小区路灯坏了\n2,噪音扰民,工地夜间施工\n"
COLUMNS = ["留言主题", "留言详情"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_utf8_csv(tmp_path):
    table = read_table(write(tmp_path / "a.csv", HEADER + BODY), required=COLUMNS)
    assert table.file == str(tmp_path / "a.csv")
    assert table.columns == ["编号", "留言主题", "留言详情"]
    assert table.rows[0] == {"编号": "1", "留言主题": "路灯不亮", "留言详情": "幸福小区路灯坏了"}
    assert table.row_numbers == [2, 3]
    assert len(table) == 2


def test_reads_utf8_with_bom_and_strips_header_whitespace(tmp_path):
    text = " 编号 ,\u200b留言主题\t, 留言详情\n" + BODY
    table = read_table(write(tmp_path / "a.csv", text, "utf-8-sig"), required=COLUMNS)
    assert table.columns == ["编号", "留言主题", "留言详情"]
    assert table.rows[1]["留言详情"] == "工地夜间施工"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_reads_gbk_csv(tmp_path, encoding):
    table = read_table(write(tmp_path / "a.csv", HEADER + BODY, encoding), required=COLUMNS)
    assert [row["留言主题"] for row in table.rows] == ["路灯不亮", "噪音扰民"]


def test_reads_excel_unicode_text_utf16_tab_separated_with_multiline_cell(tmp_path):
    # What Excel writes for "Unicode text (*.txt)": UTF-16 LE with a BOM, tabs, CRLF.
    text = '编号\t留言主题\t留言详情\r\n1\t路灯不亮\t"第一行\r\n第二行"\r\n2\t噪音\t工地, 夜间\r\n'
    table = read_table(write(tmp_path / "a.txt", text, "utf-16"), required=COLUMNS)
    assert table.rows[0]["留言详情"] == "第一行\n第二行"
    assert table.rows[1]["留言详情"] == "工地, 夜间"
    # A multi-line cell is still one spreadsheet row.
    assert table.row_numbers == [2, 3]


def test_reads_utf16_comma_separated(tmp_path):
    table = read_table(write(tmp_path / "a.csv", HEADER + BODY, "utf-16"), required=COLUMNS)
    assert table.rows[0]["留言主题"] == "路灯不亮"


def test_multiline_cells_blank_rows_and_excel_escapes(tmp_path):
    text = HEADER + '1,路灯,"第一行_x000D_\n第二行"\n,,\n3,噪音,"A_x000D_B"\n'
    table = read_table(write(tmp_path / "a.csv", text), required=COLUMNS)
    assert [row["留言详情"] for row in table.rows] == ["第一行\n第二行", "A\nB"]
    # The blank row is skipped but keeps its number, so later rows are still found.
    assert table.row_numbers == [2, 4]


def test_missing_optional_columns_read_as_empty(tmp_path):
    table = read_table(
        write(tmp_path / "a.csv", HEADER + BODY), required=COLUMNS, optional=["点赞数"]
    )
    assert "点赞数" not in table.columns
    assert table.rows[0]["点赞数"] == ""


def test_short_rows_are_padded(tmp_path):
    table = read_table(write(tmp_path / "a.csv", HEADER + "1,路灯\n"), required=COLUMNS)
    assert table.rows[0]["留言详情"] == ""


def test_extra_cells_beyond_the_header_are_an_error(tmp_path):
    with pytest.raises(TriageError) as info:
        read_table(write(tmp_path / "a.csv", HEADER + BODY + "3,a,b,c,,\n"), required=COLUMNS)
    assert info.value.row == 4
    assert "the row has 4 cells but the header has only 3 columns" in str(info.value)


def test_reads_xlsx_with_chinese_headers_dates_and_numbers(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([" 留言编号 ", "留言主题", "留言详情", "点赞数", "留言时间", None])
    sheet.append(
        [101, "路灯不亮", "第一行_x000D_\n第二行", 12.0, dt.datetime(2019, 2, 28, 11, 25, 5)]
    )
    sheet.append([None, None, None, None, None])
    sheet.append(["A-7", "噪音", None, 3.5, dt.date(2019, 3, 1)])
    workbook.create_sheet("second").append(["ignored"])
    workbook.save(path)

    table = read_table(path, required=["留言编号", *COLUMNS], optional=["留言时间"])
    assert table.columns == ["留言编号", "留言主题", "留言详情", "点赞数", "留言时间"]
    assert table.rows[0] == {
        "留言编号": "101",
        "留言主题": "路灯不亮",
        "留言详情": "第一行\n第二行",
        "点赞数": "12",
        "留言时间": "2019-02-28 11:25:05",
    }
    assert table.rows[1]["留言详情"] == ""
    assert table.rows[1]["点赞数"] == "3.5"
    assert table.rows[1]["留言时间"].startswith("2019-03-01")
    assert table.row_numbers == [2, 4]


def test_misspelled_column_gets_a_suggestion(tmp_path):
    path = write(tmp_path / "a.csv", HEADER + BODY)
    with pytest.raises(TriageError) as info:
        read_table(path, required=["留言祥情"])
    message = str(info.value)
    assert str(path) in message
    assert "'留言祥情'" in message
    assert "did you mean '留言详情'?" in message
    assert "'编号', '留言主题', '留言详情'" in message
    assert info.value.column == "留言祥情"


def test_unrelated_missing_column_lists_columns_without_a_guess(tmp_path):
    with pytest.raises(TriageError) as info:
        read_table(write(tmp_path / "a.csv", HEADER + BODY), required=["label"])
    assert "did you mean" not in str(info.value)
    assert "the columns are" in str(info.value)


def test_required_column_repeated_in_header_is_an_error(tmp_path):
    with pytest.raises(TriageError, match="appears 2 times"):
        read_table(write(tmp_path / "a.csv", "留言主题,留言主题\na,b\n"), required=["留言主题"])


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(TriageError, match="empty") as info:
        read_table(path, required=COLUMNS)
    assert str(path) in str(info.value)


def test_header_only(tmp_path):
    with pytest.raises(TriageError, match="no data rows"):
        read_table(write(tmp_path / "a.csv", HEADER + ",,\n"), required=COLUMNS)


def test_empty_header_row(tmp_path):
    with pytest.raises(TriageError, match="column names"):
        read_table(write(tmp_path / "a.csv", ",,\n1,2,3\n"), required=COLUMNS)


def test_nonexistent_file(tmp_path):
    with pytest.raises(TriageError, match="file not found") as info:
        read_table(tmp_path / "missing.csv", required=COLUMNS)
    assert "missing.csv" in str(info.value)


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(TriageError, match="not a file"):
        read_table(tmp_path, required=COLUMNS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.json", "unsupported file type '.json'"), ("a", "no extension"), ("a.xls", ".xls")],
)
def test_unsupported_extensions(tmp_path, name, expected):
    with pytest.raises(TriageError, match=r"unsupported|not supported") as info:
        read_table(write(tmp_path / name, HEADER + BODY), required=COLUMNS)
    assert expected in str(info.value)


def test_binary_garbage_is_not_text(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(TriageError, match="cannot read the file as text"):
        read_table(path, required=COLUMNS)


def test_utf16_without_bom_is_refused_rather_than_misread(tmp_path):
    path = write(tmp_path / "a.csv", HEADER + BODY, "utf-16-le")
    with pytest.raises(TriageError, match="cannot read the file as text"):
        read_table(path, required=COLUMNS)


def test_workbook_saved_as_csv_is_recognised(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.save(tmp_path / "book.xlsx")
    os.replace(tmp_path / "book.xlsx", tmp_path / "book.csv")
    with pytest.raises(TriageError, match=r"\.xlsx"):
        read_table(tmp_path / "book.csv", required=COLUMNS)


def test_garbage_xlsx(tmp_path):
    with pytest.raises(TriageError, match="Excel workbook"):
        read_table(write(tmp_path / "a.xlsx", HEADER + BODY), required=COLUMNS)


def test_empty_xlsx(tmp_path):
    openpyxl.Workbook().save(tmp_path / "a.xlsx")
    with pytest.raises(TriageError, match="empty"):
        read_table(tmp_path / "a.xlsx", required=COLUMNS)


# --- write_csv_atomic ---------------------------------------------------------------------


def test_write_csv_atomic_writes_utf8_with_bom_and_round_trips(tmp_path):
    path = tmp_path / "out.csv"
    write_csv_atomic(path, ["id", "标题"], [("1", "路灯\n不亮"), (2, "噪音, 扰民")])
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    table = read_table(path, required=["id", "标题"])
    assert table.rows == [{"id": "1", "标题": "路灯\n不亮"}, {"id": "2", "标题": "噪音, 扰民"}]
    assert list(tmp_path.iterdir()) == [path]


def test_write_csv_atomic_neutralises_formulas_but_not_numbers(tmp_path):
    path = tmp_path / "out.csv"
    cells = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "-0.5", "+3", "-1e5", "a=b"]
    write_csv_atomic(path, ["c"], [(cell,) for cell in cells] + [(-0.5,), (None,), (True,)])
    got = [row["c"] for row in read_table(path, required=["c"]).rows]
    assert got == [
        "'=1+1",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "-0.5",
        "+3",
        "-1e5",
        "a=b",
        "-0.5",
        "true",
    ]  # None is an empty cell, and the blank row it makes is skipped on reading


def test_write_csv_atomic_header_is_neutralised_too(tmp_path):
    path = tmp_path / "out.csv"
    write_csv_atomic(path, ["=x"], [("1",)])
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == "'=x"


def failing_rows():
    yield ("1", "ok")
    yield ("2", "ok")
    raise RuntimeError("boom midway")


def test_write_csv_atomic_failure_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError, match="boom midway"):
        write_csv_atomic(tmp_path / "out.csv", ["id", "x"], failing_rows())
    assert list(tmp_path.iterdir()) == []


def test_write_csv_atomic_failure_leaves_existing_output_untouched(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("previous result", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_csv_atomic(path, ["id", "x"], failing_rows())
    assert path.read_text(encoding="utf-8") == "previous result"
    assert list(tmp_path.iterdir()) == [path]


def test_write_csv_atomic_replaces_existing_output(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("previous result", encoding="utf-8")
    write_csv_atomic(path, ["id"], [("1",)])
    assert path.read_bytes() == codecs.BOM_UTF8 + b"id\r\n1\r\n"


def test_write_csv_atomic_gives_normal_permissions(tmp_path):
    path = tmp_path / "out.csv"
    write_csv_atomic(path, ["id"], [("1",)])
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_csv_atomic_missing_folder(tmp_path):
    with pytest.raises(TriageError, match="does not exist"):
        write_csv_atomic(tmp_path / "nope" / "out.csv", ["id"], [])


def test_atomic_output_renames_on_success_and_cleans_up_on_failure(tmp_path):
    path = tmp_path / "model.bin"
    with atomic_output(path, suffix=".bin") as temp:
        assert temp.parent == tmp_path and temp.name.endswith(".tmp.bin")
        temp.write_bytes(b"model")
    assert path.read_bytes() == b"model"

    with pytest.raises(ValueError), atomic_output(path) as temp:
        temp.write_bytes(b"half")
        raise ValueError("failed while saving")
    assert path.read_bytes() == b"model"
    assert list(tmp_path.iterdir()) == [path]
