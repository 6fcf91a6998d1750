"""Property tests (Hypothesis) of the import parsers: a CSV written by the csv module comes
back cell for cell in every encoding we accept, and a chat export never crashes the parser
nor loses a line of a message."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from civicdesk.imports.parsers import csv_file, qq, wechat
from civicdesk.imports.parsers.base import ImportFileError
from civicdesk.imports.parsers.chat import MEDIA, is_system_line

FAST = settings(max_examples=50, deadline=None)

# Cells as people type them: Chinese and Latin text, digits, quotes, commas, line breaks.
# Not tabs or semicolons: the delimiter is sniffed, and a file full of them is ambiguous.
cell_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from("abcXYZ0123456789 ,.\"'\n-—（）：，。！？@#"),
    ),
    max_size=12,
)
COLUMNS = ["时间", "内容", "电话"]
rows_of_cells = st.lists(
    st.lists(cell_text, min_size=len(COLUMNS), max_size=len(COLUMNS)).filter(
        lambda row: row[1].strip()  # a row with text: blank rows are left out on purpose
    ),
    min_size=1,
    max_size=6,
)


def written(rows: list[list[str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


@FAST
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk"])
@given(rows=rows_of_cells)
def test_csv_round_trip(encoding: str, rows: list[list[str]]) -> None:
    text = written(rows)
    if encoding == "gbk":
        try:
            text.encode("gbk")
        except UnicodeEncodeError:
            assume(False)
    parsed = csv_file.parse(text.encode(encoding))

    assert parsed.columns == COLUMNS
    assert [list(row.values.values()) for row in parsed.rows] == rows
    assert [row.number for row in parsed.rows] == list(range(2, len(rows) + 2))


HEADERS = {
    "wechat": (wechat, "2025-03-02 09:15:02 {sender}"),
    "qq": (qq, "2025-03-02 9:15:02 {sender}(10001)"),
}
senders = st.text(alphabet=st.sampled_from("张三李四王五居民老陈"), min_size=1, max_size=6)
message_lines = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from("abc0123 ,.:，。！？"),
    ),
    min_size=1,
    max_size=30,
).filter(lambda line: line.strip() and not is_system_line(line.strip()) and not MEDIA.search(line))


@FAST
@pytest.mark.parametrize("kind", sorted(HEADERS))
@given(
    messages=st.lists(
        st.tuples(senders, st.lists(message_lines, min_size=1, max_size=3)),
        min_size=1,
        max_size=5,
    )
)
def test_every_line_after_a_valid_header_is_kept(
    kind: str, messages: list[tuple[str, list[str]]]
) -> None:
    parser, header = HEADERS[kind]
    lines = []
    for sender, body in messages:
        lines.append(header.format(sender=sender))
        lines.extend(body)
    parsed = parser.parse("\n".join(lines).encode())

    assert len(parsed.rows) == len(messages)
    for row, (sender, body) in zip(parsed.rows, messages, strict=True):
        assert row.values["sender"] == sender.strip()
        kept = row.values["message"]
        for line in body:
            assert line.strip() in kept


@FAST
@pytest.mark.parametrize("kind", sorted(HEADERS))
@given(data=st.data())
def test_any_text_is_parsed_or_refused_with_a_reason(kind: str, data: st.DataObject) -> None:
    parser, header = HEADERS[kind]
    # Arbitrary lines, some of them valid message headers so that messages are found too.
    any_line = st.one_of(st.text(max_size=40), senders.map(lambda s: header.format(sender=s)))
    text = "\n".join(data.draw(st.lists(any_line, max_size=12)))
    try:
        parsed = parser.parse(text.encode("utf-8", "surrogatepass"))
    except ImportFileError as error:
        assert str(error)
        return
    assert parsed.rows
    for row in parsed.rows:
        assert row.values["message"].strip()
