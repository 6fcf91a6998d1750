"""`civicdesk triage` run in-process through main(); no database.

Most tests check what the command line itself decides (arguments, input errors, output files,
exit codes). A stand-in classifier module checks the exact output formats independently of the
real model; the end-to-end tests at the bottom use the real classify and cluster modules.
"""

import csv
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from civicdesk.triage import cli
from civicdesk.triage.cli import main
from civicdesk.triage.columns import parse_likes, parse_time
from civicdesk.triage.errors import ModelFormatError, TriageError

FIXTURES = Path(__file__).parent / "fixtures"
MESSAGES = FIXTURES / "messages.csv"  # 60 invented messages, 20 in each of 3 labels
MESSAGES_TEST = FIXTURES / "messages_test.csv"  # 15 more, same labels
TEXT = "留言主题,留言详情"
HEADER = ["编号", "留言主题", "留言详情", "一级标签", "点赞数", "留言时间"]
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def run(capsys, *args):
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def make_csv(path: Path, rows, header=HEADER, encoding="utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def good_rows():
    return [
        ["1", "路灯不亮", "幸福小区路灯坏了", "城乡建设", "3", "2019/2/28 11:25:05"],
        ["2", "噪音扰民", "工地夜间施工", "环境保护", "0", "2019-02-28 11:25:05"],
        ["3", "公交太少", "早高峰等车半小时", "交通运输", "", "2019-03-01"],
    ]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# --- Arguments and help -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["train", "classify", "evaluate", "cluster"])
def test_each_command_has_help_with_an_example(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert f"civicdesk triage {command}" in out
    assert "example:" in out


def test_no_command_is_a_usage_error(capsys):
    code, out, err = run(capsys)
    assert code == 2
    assert out == ""
    assert "civicdesk triage: error:" in err


def test_missing_required_option_is_a_usage_error(capsys):
    code, _, err = run(capsys, "train", "--data", MESSAGES)
    assert code == 2
    assert "civicdesk triage: error: the following arguments are required" in err


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half"])
def test_review_threshold_must_be_a_probability(capsys, tmp_path, value):
    code, _, err = run(
        capsys, "train", "--data", MESSAGES, "--text-cols", TEXT, "--label-col", "一级标签",
        "--model", tmp_path / "m", "--review-threshold", value,
    )  # fmt: skip
    assert code == 2
    assert "between 0 and 1" in err


def test_text_cols_must_not_have_empty_names(capsys, tmp_path):
    code, _, err = run(
        capsys, "cluster", "--data", MESSAGES, "--text-cols", "留言主题,,", "--id-col", "编号",
        "--output", tmp_path / "o.csv",
    )  # fmt: skip
    assert code == 2
    assert "comma-separated column names" in err


# --- Input errors -------------------------------------------------------------------------


def train_args(data, model, label_col="一级标签", text=TEXT):
    return ["train", "--data", data, "--text-cols", text, "--label-col", label_col,
            "--model", model]  # fmt: skip


def test_misspelled_column_names_file_and_suggests(capsys, tmp_path):
    code, out, err = run(capsys, *train_args(MESSAGES, tmp_path / "m", label_col="一级标鉴"))
    assert code == 2
    assert out == ""
    assert str(MESSAGES) in err
    assert "no column named '一级标鉴'; did you mean '一级标签'?" in err
    assert not (tmp_path / "m").exists()


def test_full_width_comma_separates_text_columns(capsys, tmp_path):
    code, _, err = run(capsys, *train_args(MESSAGES, tmp_path / "m", text="留言主题\uff0c留言祥情"))
    assert code == 2
    assert "did you mean '留言详情'?" in err


def test_garbage_file_is_an_input_error(capsys, tmp_path):
    data = tmp_path / "data.csv"
    data.write_bytes(bytes(range(128, 256)) * 20)
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert f"civicdesk triage: error: {data}: cannot read the file as text" in err


def test_empty_file_is_an_input_error(capsys, tmp_path):
    data = tmp_path / "data.csv"
    data.write_bytes(b"")
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert "the file is empty" in err


def test_missing_file_is_an_input_error(capsys, tmp_path):
    code, _, err = run(capsys, *train_args(tmp_path / "nope.csv", tmp_path / "m"))
    assert code == 2
    assert "nope.csv: file not found" in err


def test_single_class_training_set(capsys, tmp_path):
    rows = [[str(i), "路灯不亮", f"第{i}盏路灯坏了", "城乡建设", "", ""] for i in range(5)]
    data = make_csv(tmp_path / "one.csv", rows)
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert "at least 2 different labels" in err
    assert "'城乡建设'" in err and "column '一级标签'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv"]


def test_label_column_cannot_also_be_text(capsys, tmp_path):
    code, _, err = run(capsys, *train_args(MESSAGES, tmp_path / "m", text="留言主题,一级标签"))
    assert code == 2
    assert "must not be a text column" in err


def test_empty_text_rows_are_errors_naming_the_rows(capsys, tmp_path):
    rows = [*good_rows(), ["4", " ", "", "城乡建设", "", ""], ["5", "", "\n", "环境保护", "", ""]]
    data = make_csv(tmp_path / "d.csv", rows)
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert "row 5: no text: '留言主题', '留言详情' are all empty" in err
    assert "(also rows 6)" in err


def test_empty_label_names_row_and_column(capsys, tmp_path):
    data = make_csv(tmp_path / "d.csv", [*good_rows(), ["4", "路灯", "不亮", " ", "", ""]])
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert "row 5, column '一级标签': the label is empty" in err


def test_label_with_the_top3_separator_is_refused(capsys, tmp_path):
    data = make_csv(tmp_path / "d.csv", [*good_rows(), ["4", "路灯", "不亮", "城建|路灯", "", ""]])
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert "row 5, column '一级标签': label '城建|路灯' contains '|'" in err


def test_enormous_text_is_refused(capsys, tmp_path):
    rows = [*good_rows(), ["4", "路灯", "长" * 20_001, "城乡建设", "", ""]]
    data = make_csv(tmp_path / "d.csv", rows)
    code, _, err = run(capsys, *train_args(data, tmp_path / "m"))
    assert code == 2
    assert "row 5, column '留言详情': the text is 20,001 characters long" in err


def test_unknown_test_label_names_label_file_and_row(capsys, tmp_path):
    train = make_csv(tmp_path / "train.csv", good_rows())
    test_rows = [good_rows()[0], ["9", "占道经营", "商贩占道", "商贸旅游", "", ""]]
    test = make_csv(tmp_path / "test.csv", test_rows)
    code, out, err = run(
        capsys, "evaluate", "--train", train, "--test", test, "--text-cols", TEXT,
        "--label-col", "一级标签",
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert f"{test}, row 3, column '一级标签': label '商贸旅游' does not occur" in err
    assert str(train) in err


def cluster_args(data, output, *extra):
    return ["cluster", "--data", data, "--text-cols", TEXT, "--id-col", "编号",
            "--output", output, *extra]  # fmt: skip


def test_bad_likes_names_row_and_column(capsys, tmp_path):
    data = make_csv(tmp_path / "d.csv", [*good_rows(), ["4", "路灯", "不亮", "x", "很多", ""]])
    code, _, err = run(capsys, *cluster_args(data, tmp_path / "o.csv", "--likes-col", "点赞数"))
    assert code == 2
    assert "row 5, column '点赞数': likes must be a whole number, not '很多'" in err


def test_bad_time_names_row_and_column(capsys, tmp_path):
    rows = [*good_rows(), ["4", "路灯", "不亮", "x", "", "2019/13/45 25:00"]]
    data = make_csv(tmp_path / "d.csv", rows)
    code, _, err = run(capsys, *cluster_args(data, tmp_path / "o.csv", "--time-col", "留言时间"))
    assert code == 2
    assert "row 5, column '留言时间': cannot read '2019/13/45 25:00' as a time" in err


def test_bad_enterprise_flag_names_row_and_column(capsys, tmp_path):
    header = [*HEADER, "企业"]
    rows = [[*row, flag] for row, flag in zip(good_rows(), ["是", "", "maybe"], strict=True)]
    data = make_csv(tmp_path / "d.csv", rows, header=header)
    code, _, err = run(capsys, *cluster_args(data, tmp_path / "o.csv", "--enterprise-col", "企业"))
    assert code == 2
    assert "row 4, column '企业': expected 1/0" in err


def test_duplicate_ids_name_the_rows(capsys, tmp_path):
    rows = [*good_rows(), ["2", "路灯", "不亮", "x", "", ""], ["2", "噪音", "吵", "x", "", ""]]
    data = make_csv(tmp_path / "d.csv", rows)
    code, _, err = run(capsys, *cluster_args(data, tmp_path / "o.csv"))
    assert code == 2
    assert "id '2' appears in rows 3, 5, 6; ids must be unique" in err


def test_empty_id_is_an_error(capsys, tmp_path):
    data = make_csv(tmp_path / "d.csv", [*good_rows(), ["", "路灯", "不亮", "x", "", ""]])
    code, _, err = run(capsys, *cluster_args(data, tmp_path / "o.csv"))
    assert code == 2
    assert "row 5, column '编号': the id is empty" in err


def test_output_may_not_overwrite_the_input(capsys, tmp_path):
    data = make_csv(tmp_path / "d.csv", good_rows())
    before = data.read_bytes()
    code, _, err = run(capsys, *cluster_args(data, data))
    assert code == 2
    assert "would overwrite an input file" in err
    assert data.read_bytes() == before


def test_output_and_summary_must_differ(capsys, tmp_path):
    out = tmp_path / "o.csv"
    code, _, err = run(capsys, *cluster_args(MESSAGES, out, "--summary", out))
    assert code == 2
    assert "two outputs" in err


def test_output_folder_must_exist(capsys, tmp_path):
    code, _, err = run(capsys, *cluster_args(MESSAGES, tmp_path / "no" / "o.csv"))
    assert code == 2
    assert "does not exist" in err


def test_input_error_leaves_existing_outputs_untouched_and_no_temp_files(capsys, tmp_path):
    rows = [*good_rows(), ["4", "路灯", "不亮", "x", "", "昨天"]]
    data = make_csv(tmp_path / "d.csv", rows)
    out, summary = tmp_path / "o.csv", tmp_path / "s.csv"
    out.write_text("old output", encoding="utf-8")
    summary.write_text("old summary", encoding="utf-8")
    code, _, _ = run(
        capsys, *cluster_args(data, out, "--time-col", "留言时间", "--summary", summary)
    )
    assert code == 2
    assert out.read_text(encoding="utf-8") == "old output"
    assert summary.read_text(encoding="utf-8") == "old summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "o.csv", "s.csv"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019/2/28 11:25:05", dt.datetime(2019, 2, 28, 11, 25, 5)),
        ("2019-02-28 11:25:05", dt.datetime(2019, 2, 28, 11, 25, 5)),
        (" 2019-02-28 ", dt.datetime(2019, 2, 28)),
        ("2019-2-8 9:05", dt.datetime(2019, 2, 8, 9, 5)),
        ("2019/02/28", dt.datetime(2019, 2, 28)),
        ("2019-02-28T11:25:05+08:00", dt.datetime(2019, 2, 28, 11, 25, 5)),
        ("2019-02-28 11:25:05.250000", dt.datetime(2019, 2, 28, 11, 25, 5, 250000)),
        ("2019年2月28日 11:25", dt.datetime(2019, 2, 28, 11, 25)),
        ("", None),
    ],
)
def test_parse_time_accepts_mixed_formats(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["28/02/2019", "2019/2/30", "43524.47", "昨天"])
def test_parse_time_refuses_other_formats(text):
    with pytest.raises(ValueError, match="cannot read"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("12", 12), ("", 0), (" 1,234 ", 1234), ("7.0", 7), ("\uff13", 3)]
)
def test_parse_likes(text, expected):
    assert parse_likes(text) == expected


@pytest.mark.parametrize("text", ["-1", "2.5", "many", "nan", "inf"])
def test_parse_likes_refuses(text):
    with pytest.raises(ValueError):
        parse_likes(text)


# --- Output formats, with a stand-in classifier --------------------------------------------


@dataclasses.dataclass(frozen=True)
class FakePrediction:
    label: str
    confidence: float
    top3: list[tuple[str, float]]
    needs_review: bool
    explanation: list[str]


class FakeClassifier:
    fail_on_save = False

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels

    @classmethod
    def train(cls, texts, labels, *, review_threshold=None):
        assert len(texts) == len(labels) and all(texts)
        return cls(sorted(set(labels)))

    quality = {"cross_validated": False}
    review_threshold = 0.9

    def predict(self, texts, *, explain=True):
        top = self.labels[:3]
        probabilities = [0.91234, 0.05, 0.0249][: len(top)]
        return [
            FakePrediction(top[0], 0.91234, list(zip(top, probabilities, strict=True)), i == 1, [])
            for i, _ in enumerate(texts)
        ]

    def save(self, path):
        Path(path).write_text(json.dumps(self.labels, ensure_ascii=False), encoding="utf-8")
        if self.fail_on_save:
            raise OSError(28, "No space left on device")

    @classmethod
    def load(cls, path):
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ModelFormatError("not a triage model", file=str(path)) from exc


def fake_evaluate(train_texts, train_labels, test_texts, test_labels):
    print("chatter that must not reach stdout")
    return {
        "seconds": 0.5,
        "accuracy": np.float64(0.75),
        "macro_f1": 0.7,
        "n_test": np.int64(len(test_texts)),
        "n_train": len(train_texts),
        "share_sure": 0.8,
        "precision_when_sure": np.float64(0.975),
        "extra": "ignored",
    }


@pytest.fixture
def fake_classify(monkeypatch):
    module = types.ModuleType("civicdesk.triage.classify")
    module.TextClassifier = FakeClassifier
    module.Prediction = FakePrediction
    module.evaluate = fake_evaluate
    monkeypatch.setitem(sys.modules, "civicdesk.triage.classify", module)
    return module


def test_train_saves_the_model_atomically_and_prints_one_line(capsys, tmp_path, fake_classify):
    model = tmp_path / "triage.model"
    code, out, err = run(capsys, *train_args(MESSAGES, model))
    assert code == 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "trained 3 labels on 60 rows" in err
    assert json.loads(model.read_text(encoding="utf-8")) == ["交通运输", "城乡建设", "环境保护"]
    assert list(tmp_path.iterdir()) == [model]


def test_train_failing_to_save_leaves_the_old_model(capsys, tmp_path, fake_classify, monkeypatch):
    model = tmp_path / "triage.model"
    model.write_text("old model", encoding="utf-8")
    monkeypatch.setattr(FakeClassifier, "fail_on_save", True)
    code, _, err = run(capsys, *train_args(MESSAGES, model))
    assert code == 2
    assert "No space left on device" in err
    assert model.read_text(encoding="utf-8") == "old model"
    assert list(tmp_path.iterdir()) == [model]


def test_classify_output_format(capsys, tmp_path, fake_classify):
    model, out = tmp_path / "m", tmp_path / "labels.csv"
    assert run(capsys, *train_args(MESSAGES, model))[0] == 0
    code, stdout, _ = run(
        capsys, "classify", "--model", model, "--data", MESSAGES_TEST, "--text-cols", TEXT,
        "--id-col", "编号", "--output", out,
    )  # fmt: skip
    assert code == 0
    assert stdout == ""
    rows = read_csv(out)
    assert rows[0] == ["id", "label", "confidence", "top3", "needs_review"]
    assert len(rows) == 16
    top3 = "交通运输:0.91|城乡建设:0.05|环境保护:0.02"
    assert rows[1] == ["2001", "交通运输", "0.9123", top3, "false"]
    assert rows[2][4] == "true"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_classify_without_id_col_uses_row_numbers(capsys, tmp_path, fake_classify):
    model, out = tmp_path / "m", tmp_path / "labels.csv"
    run(capsys, *train_args(MESSAGES, model))
    code, _, _ = run(
        capsys, "classify", "--model", model, "--data", MESSAGES_TEST, "--text-cols", TEXT,
        "--output", out,
    )  # fmt: skip
    assert code == 0
    assert [row[0] for row in read_csv(out)[1:]] == [str(n) for n in range(2, 17)]


def test_classify_bad_model_is_an_input_error(capsys, tmp_path, fake_classify):
    model, out = tmp_path / "m", tmp_path / "labels.csv"
    model.write_bytes(b"\x00not json")
    code, _, err = run(
        capsys, "classify", "--model", model, "--data", MESSAGES_TEST, "--text-cols", TEXT,
        "--output", out,
    )  # fmt: skip
    assert code == 2
    assert "not a triage model" in err
    assert not out.exists()


def test_classify_empty_text_row_fails_before_writing(capsys, tmp_path, fake_classify):
    model, out = tmp_path / "m", tmp_path / "labels.csv"
    run(capsys, *train_args(MESSAGES, model))
    out.write_text("old", encoding="utf-8")
    data = make_csv(tmp_path / "d.csv", [*good_rows(), ["4", "", "", "x", "", ""]])
    code, _, err = run(
        capsys, "classify", "--model", model, "--data", data, "--text-cols", TEXT,
        "--output", out,
    )  # fmt: skip
    assert code == 2
    assert "row 5: no text" in err
    assert out.read_text(encoding="utf-8") == "old"


def test_evaluate_prints_exactly_one_json_line(capsys, fake_classify):
    code, out, err = run(
        capsys, "evaluate", "--train", MESSAGES, "--test", MESSAGES_TEST, "--text-cols", TEXT,
        "--label-col", "一级标签",
    )  # fmt: skip
    assert code == 0
    assert out.count("\n") == 1
    result = json.loads(out)
    assert list(result) == [
        "macro_f1", "accuracy", "n_train", "n_test", "seconds", "share_sure",
        "precision_when_sure",
    ]  # fmt: skip
    assert result == {
        "macro_f1": 0.7, "accuracy": 0.75, "n_train": 60, "n_test": 15, "seconds": 0.5,
        "share_sure": 0.8, "precision_when_sure": 0.975,
    }  # fmt: skip
    assert "chatter" in err


def test_unexpected_failure_exits_1(capsys, tmp_path, fake_classify, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(fake_classify, "evaluate", broken)
    code, out, err = run(
        capsys, "evaluate", "--train", MESSAGES, "--test", MESSAGES_TEST, "--text-cols", TEXT,
        "--label-col", "一级标签",
    )  # fmt: skip
    assert code == 1
    assert out == ""
    assert "civicdesk triage: error: unexpected failure (ZeroDivisionError: bug)" in err


# --- Clustering (the real cluster module) --------------------------------------------------


def test_cluster_output_and_summary(capsys, tmp_path):
    out, summary = tmp_path / "groups.csv", tmp_path / "hot.csv"
    code, stdout, _ = run(
        capsys, *cluster_args(MESSAGES, out, "--likes-col", "点赞数", "--time-col", "留言时间",
                              "--summary", summary),
    )  # fmt: skip
    assert code == 0
    assert stdout == ""
    rows = read_csv(out)
    assert rows[0] == ["id", "cluster"]
    input_ids = [row[0] for row in read_csv(MESSAGES)[1:]]
    assert [row[0] for row in rows[1:]] == input_ids
    assigned = [int(row[1]) for row in rows[1:]]

    ranked = read_csv(summary)
    assert ranked[0] == ["rank", "cluster", "title", "size", "first", "last", "heat"]
    assert [int(row[0]) for row in ranked[1:]] == list(range(1, len(ranked)))
    assert {int(row[1]) for row in ranked[1:]} == set(assigned)
    assert sum(int(row[3]) for row in ranked[1:]) == 60
    for row in ranked[1:]:
        assert int(row[3]) == assigned.count(int(row[1]))
        assert row[2]
        first, last = dt.datetime.fromisoformat(row[4]), dt.datetime.fromisoformat(row[5])
        assert first <= last
    heats = [float(row[6]) for row in ranked[1:]]
    assert heats == sorted(heats, reverse=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["groups.csv", "hot.csv"]


def test_cluster_reads_xlsx_with_excel_dates(capsys, tmp_path):
    path = tmp_path / "messages.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["留言编号", "留言主题", "留言详情", "点赞数", "留言时间", "企业"])
    for i in range(6):
        when = dt.datetime(2019, 3, 1 + i, 8)
        sheet.append([1000 + i, "幸福小区路灯不亮", f"幸福小区晚上路灯不亮第{i}天", i, when, i % 2])
    sheet.append([2000, "工地夜间施工噪音", "东湖路工地噪音太大", 0, "2019/3/9 23:10:00", "否"])
    workbook.save(path)
    out, summary = tmp_path / "groups.csv", tmp_path / "hot.csv"
    code, _, err = run(
        capsys, "cluster", "--data", path, "--text-cols", TEXT, "--id-col", "留言编号",
        "--likes-col", "点赞数", "--time-col", "留言时间", "--enterprise-col", "企业",
        "--output", out, "--summary", summary,
    )  # fmt: skip
    assert code == 0, err
    assert [row[0] for row in read_csv(out)[1:]] == [*(str(1000 + i) for i in range(6)), "2000"]
    times = {(row[4], row[5]) for row in read_csv(summary)[1:]}
    assert all(len(first) == 19 and len(last) == 19 for first, last in times)


def test_cluster_unexpected_failure_exits_1_and_writes_nothing(capsys, tmp_path, monkeypatch):
    def broken(messages, *, now=None):
        raise RuntimeError("clustering bug")

    monkeypatch.setattr("civicdesk.triage.cluster.cluster_messages", broken)
    code, _, err = run(capsys, *cluster_args(MESSAGES, tmp_path / "o.csv"))
    assert code == 1
    assert "Traceback" in err and "clustering bug" in err
    assert list(tmp_path.iterdir()) == []


def test_cluster_result_missing_a_message_is_a_bug_not_output(capsys, tmp_path, monkeypatch):
    from civicdesk.triage.cluster import Cluster

    def incomplete(messages, *, now=None):
        ids = [m.id for m in messages][:-1]
        return [Cluster(1, ids, "t", len(ids), None, None, 1.0)]

    monkeypatch.setattr("civicdesk.triage.cluster.cluster_messages", incomplete)
    code, _, _ = run(capsys, *cluster_args(MESSAGES, tmp_path / "o.csv"))
    assert code == 1
    assert list(tmp_path.iterdir()) == []


def test_cluster_failing_on_the_second_output_writes_neither(capsys, tmp_path, monkeypatch):
    real_stage = cli.stage_csv
    calls = []

    def stage_then_fail(path, header, rows):
        calls.append(path)
        if len(calls) == 2:
            raise TriageError("cannot write: No space left on device", file=str(path))
        return real_stage(path, header, rows)

    monkeypatch.setattr(cli, "stage_csv", stage_then_fail)
    out, summary = tmp_path / "o.csv", tmp_path / "s.csv"
    out.write_text("old output", encoding="utf-8")
    code, _, err = run(capsys, *cluster_args(MESSAGES, out, "--summary", summary))
    assert code == 2
    assert "No space left on device" in err
    assert out.read_text(encoding="utf-8") == "old output"
    assert list(tmp_path.iterdir()) == [out]


# --- End to end with the real classifier ----------------------------------------------------


def test_train_classify_evaluate_end_to_end(capsys, tmp_path):
    model, out = tmp_path / "triage.model", tmp_path / "labels.csv"
    code, _, err = run(capsys, *train_args(MESSAGES, model))
    assert code == 0, err
    assert model.stat().st_size > 0

    code, _, err = run(
        capsys, "classify", "--model", model, "--data", MESSAGES_TEST, "--text-cols", TEXT,
        "--id-col", "编号", "--output", out,
    )  # fmt: skip
    assert code == 0, err
    rows = read_csv(out)
    assert rows[0] == ["id", "label", "confidence", "top3", "needs_review"]
    assert [row[0] for row in rows[1:]] == [row[0] for row in read_csv(MESSAGES_TEST)[1:]]
    labels = {"城乡建设", "环境保护", "交通运输"}
    for _, label, confidence, top3, review in rows[1:]:
        assert label in labels
        assert len(confidence.split(".")[1]) == 4 and 0 <= float(confidence) <= 1
        top = [item.rsplit(":", 1) for item in top3.split("|")]
        assert len(top) == 3 and {name for name, _ in top} <= labels
        assert top[0][0] == label
        assert review in {"true", "false"}

    code, stdout, err = run(
        capsys, "evaluate", "--train", MESSAGES, "--test", MESSAGES_TEST, "--text-cols", TEXT,
        "--label-col", "一级标签",
    )  # fmt: skip
    assert code == 0, err
    assert stdout.count("\n") == 1
    result = json.loads(stdout)
    assert list(result) == [
        "macro_f1", "accuracy", "n_train", "n_test", "seconds", "share_sure",
        "precision_when_sure",
    ]  # fmt: skip
    assert (result["n_train"], result["n_test"]) == (60, 15)
    assert 0 <= result["macro_f1"] <= 1 and 0.5 <= result["accuracy"] <= 1


def test_classify_with_a_file_that_is_not_a_model(capsys, tmp_path):
    model, out = tmp_path / "m", tmp_path / "labels.csv"
    model.write_bytes(b"this is not a model")
    code, _, err = run(
        capsys, "classify", "--model", model, "--data", MESSAGES_TEST, "--text-cols", TEXT,
        "--output", out,
    )  # fmt: skip
    assert code == 2
    assert str(model) in err
    assert not out.exists()


# --- The real command ----------------------------------------------------------------------


def test_python_m_civicdesk_triage_help_runs_without_django():
    result = subprocess.run(
        [sys.executable, "-m", "civicdesk", "triage", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("train", "classify", "evaluate", "cluster"):
        assert command in result.stdout


def test_importing_the_engine_does_not_import_django():
    code = (
        "import sys, civicdesk.triage.cli, civicdesk.triage.io, civicdesk.triage.normalize, "
        "civicdesk.triage.tokenize, civicdesk.triage.classify, civicdesk.triage.evidence; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own fixed command line
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
