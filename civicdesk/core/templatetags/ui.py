"""Template tags of the design system (docs/design.md).

{% datatable %}<table>…</table>{% enddatatable %} gives every body cell the name of its
column (data-label, copied from the header cells, their colspans and rowspans followed) and
marks the table data-cards: on a phone the stylesheet then shows each row as a card with
each value under its column's name, with no script. The header is written once, in the
table, so labels and headers cannot disagree.
"""

import html
import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_TAG = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|th|td)\b([^>]*)>", re.IGNORECASE)
_MARKUP = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def _span(attrs: str, name: str) -> int:
    match = re.search(rf"\b{name}\s*=\s*[\"']?(\d+)", attrs, re.IGNORECASE)
    return max(1, int(match.group(1))) if match else 1


def _text(fragment: str) -> str:
    return _SPACES.sub(" ", html.unescape(_MARKUP.sub(" ", fragment))).strip()


def _header_labels(rows: list[list[tuple[str, int, int]]]) -> list[str]:
    """Column labels from header rows of (text, colspan, rowspan) cells: a cell spanning
    columns names each of them; stacked header cells are joined ("v2 · 中位数")."""
    grid: dict[tuple[int, int], str] = {}
    for row_index, cells in enumerate(rows):
        column = 0
        for text, colspan, rowspan in cells:
            while (row_index, column) in grid:
                column += 1
            for r in range(row_index, row_index + rowspan):
                for c in range(column, column + colspan):
                    grid[(r, c)] = text
            column += colspan
    width = max((c for _, c in grid), default=-1) + 1
    labels = []
    for column in range(width):
        parts: list[str] = []
        for row_index in range(len(rows)):
            text = grid.get((row_index, column), "")
            if text and text not in parts:
                parts.append(text)
        labels.append(" · ".join(parts))
    return labels


def label_cells(markup: str) -> str:
    """The first table in `markup` with data-label on its body cells and data-cards on it."""
    tags = list(_TAG.finditer(markup))
    depth = 0
    table_start = None
    in_head = False
    header_rows: list[list[tuple[str, int, int]]] = []
    open_cell = None  # (match, colspan, rowspan) of a header cell being read
    body_cells: list[tuple[re.Match, int, int]] = []  # (tag, row number, colspan)
    body_row = -1
    for match in tags:
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name == "table":
            if not closing:
                depth += 1
                if depth == 1 and table_start is None:
                    table_start = match
            else:
                depth -= 1
                if depth == 0 and table_start is not None:
                    break
            continue
        if depth != 1:
            continue
        if name == "thead":
            in_head = not closing
        elif name == "tr" and not closing:
            if in_head:
                header_rows.append([])
            else:
                body_row += 1
        elif name in ("th", "td"):
            if closing:
                if open_cell is not None and in_head:
                    start, colspan, rowspan = open_cell
                    text = _text(markup[start.end() : match.start()])
                    header_rows[-1].append((text, colspan, rowspan))
                open_cell = None
                continue
            colspan, rowspan = _span(match.group(3), "colspan"), _span(match.group(3), "rowspan")
            if in_head and header_rows:
                open_cell = (match, colspan, rowspan)
            elif not in_head:
                body_cells.append((match, body_row, colspan))
    if table_start is None:
        return markup
    rows_of_header = header_rows
    if not header_rows:
        # No <thead>: a first row of <th> cells is the header.
        first = [cell for cell in body_cells if cell[1] == 0]
        if first and all(cell[0].group(2).lower() == "th" for cell in first):
            texts = []
            for cell, _row, colspan in first:
                end = markup.lower().find("</th>", cell.end())
                texts.append((_text(markup[cell.end() : end]), colspan, 1))
            rows_of_header = [texts]
            body_cells = [cell for cell in body_cells if cell[1] != 0]
    labels = _header_labels(rows_of_header)
    insertions: list[tuple[int, str]] = [(table_start.end() - 1, " data-cards")]
    row, column = None, 0
    for match, body_row_number, colspan in body_cells:
        if body_row_number != row:
            row, column = body_row_number, 0
        if "data-label" not in match.group(3).lower() and column < len(labels):
            label = labels[column] if colspan == 1 else ""
            insertions.append((match.end() - 1, f' data-label="{escape(label)}"'))
        column += colspan
    pieces, last = [], 0
    for position, text in sorted(insertions):
        end = position
        if markup[end - 1] == "/":  # a self-closing tag keeps its slash last
            end -= 1
        pieces.append(markup[last:end])
        pieces.append(text)
        last = end
    pieces.append(markup[last:])
    return "".join(pieces)


class DataTableNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> SafeString:
        # The content is the template's own output, escaped as it rendered; only attributes
        # with escaped header text are added to it.
        return mark_safe(label_cells(self.nodelist.render(context)))  # noqa: S308


@register.tag
def datatable(parser, token) -> DataTableNode:
    nodelist = parser.parse(("enddatatable",))
    parser.delete_first_token()
    return DataTableNode(nodelist)
