"""{% datatable %}: body cells named after their column, for the phone's card layout."""

from django.template import Context, Template

from civicdesk.core.templatetags.ui import label_cells


def render(markup: str, **context) -> str:
    return Template("{% load ui %}{% datatable %}" + markup + "{% enddatatable %}").render(
        Context(context)
    )


def test_each_body_cell_gets_its_columns_header():
    out = render(
        "<table class='list'><thead><tr><th>Code</th><th>Unit <a href='#'>?</a></th></tr></thead>"
        "<tbody>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td></tr>"
        "{% endfor %}</tbody></table>",
        rows=[("A1", "城管"), ("B2", "<b>")],
    )
    assert "<table class='list' data-cards>" in out
    assert '<td data-label="Code">A1</td><td data-label="Unit ?">城管</td>' in out
    assert '<td data-label="Unit ?">&lt;b&gt;</td>' in out  # the content stays escaped


def test_header_text_is_escaped_in_the_attribute():
    out = label_cells(
        '<table><thead><tr><th>"A" &amp; B</th></tr></thead><tr><td>1</td></tr></table>'
    )
    assert '<td data-label="&quot;A&quot; &amp; B">1</td>' in out


def test_a_cell_spanning_columns_gets_an_empty_label_and_columns_stay_aligned():
    out = label_cells(
        "<table><thead><tr><th>A</th><th>B</th><th>C</th></tr></thead><tbody>"
        "<tr><td colspan='2'>wide</td><td>c</td></tr>"
        '<tr><td colspan="3">None yet.</td></tr></tbody></table>'
    )
    assert '<td colspan=\'2\' data-label="">wide</td><td data-label="C">c</td>' in out
    assert '<td colspan="3" data-label="">None yet.</td>' in out


def test_stacked_headers_name_both_levels():
    out = label_cells(
        "<table><thead><tr><th rowspan='2'>Step</th><th colspan='2'>v2</th></tr>"
        "<tr><th>Median</th><th>p90</th></tr></thead>"
        "<tbody><tr><th scope='row'>Check</th><td>1</td><td>2</td></tr></tbody></table>"
    )
    assert "<th scope='row' data-label=\"Step\">Check</th>" in out
    assert '<td data-label="v2 · Median">1</td><td data-label="v2 · p90">2</td>' in out


def test_a_table_without_thead_takes_its_first_row_of_th_as_header():
    out = label_cells("<table><tr><th>K</th><th>V</th></tr><tr><td>a</td><td>b</td></tr></table>")
    assert "<th>K</th>" in out
    assert '<td data-label="K">a</td><td data-label="V">b</td>' in out


def test_nested_tables_and_existing_labels_are_left_alone():
    out = label_cells(
        "<table><thead><tr><th>Outer</th><th>X</th></tr></thead><tbody><tr>"
        "<td><table><tr><td>inner</td></tr></table></td><td data-label='own'>x</td>"
        "</tr></tbody></table>"
    )
    assert "<table><tr><td>inner</td></tr></table>" in out
    assert "<td data-label='own'>x</td>" in out
    assert out.count("data-cards") == 1


def test_markup_without_a_table_is_unchanged():
    assert label_cells("<p>No rows.</p>") == "<p>No rows.</p>"
