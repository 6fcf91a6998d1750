"""`civicdesk triage`: train, apply and evaluate the classifier, and group same-problem messages.

Runs without Django (civicdesk.cli dispatches here before settings are loaded), so analysts
can use it on spreadsheets on any machine. Exit status: 0 on success, 2 for usage and input
errors (the message names the file, row and column to fix), 1 for unexpected failures.
Outputs are written to a temporary file and renamed into place, so a failed run leaves no
partial file and an existing output untouched.

The classifier and clustering modules are imported inside the commands: they pull in
scikit-learn, which takes seconds to import, and `--help` or a bad argument should not wait.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import numbers
import os
import re
import sys
import textwrap
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from civicdesk.triage import columns
from civicdesk.triage.errors import TriageError
from civicdesk.triage.io import atomic_output, read_table, stage_csv, write_csv_atomic

if TYPE_CHECKING:
    from civicdesk.triage.classify import TextClassifier

PROG = "civicdesk triage"
EVALUATE_KEYS = (
    "macro_f1",
    "accuracy",
    "n_train",
    "n_test",
    "seconds",
    "share_sure",
    "precision_when_sure",
)
CLASSIFY_HEADER = ("id", "label", "confidence", "top3", "needs_review")
CLUSTER_HEADER = ("id", "cluster")
SUMMARY_HEADER = ("rank", "cluster", "title", "size", "first", "last", "heat")

ROW_RULES = (
    "Every row needs text: a row whose text columns are all empty is an error (fill it in or "
    f"delete the row), and so is a cell longer than {columns.MAX_TEXT_CHARS:,} characters. Several "
    "text columns are joined with a newline. Input may be CSV (UTF-8, UTF-16 or GBK; comma or "
    "tab separated) or XLSX (first sheet). Row numbers in messages are the ones a spreadsheet "
    "shows (the header is row 1)."
)


class _UsageError(Exception):
    def __init__(self, message: str, parser: argparse.ArgumentParser) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting, so main() returns the status and tests can call it."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message, self)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        exc.parser.print_usage(sys.stderr)
        _report_error(str(exc))
        return 2
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0

    stdout = sys.stdout
    try:
        # Anything a library prints goes to stderr: stdout carries only a command's result
        # (evaluate's JSON line), so that scripts can parse it.
        with contextlib.redirect_stdout(sys.stderr):
            args.func(args, stdout)
    except TriageError as exc:
        _report_error(str(exc))
        return 2
    except KeyboardInterrupt:
        _report_error("interrupted")
        return 130
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        _report_error(f"unexpected failure ({type(exc).__name__}: {exc}); please report it")
        return 1
    return 0


def _report_error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Arguments ----------------------------------------------------------------------------


def _column_list(value: str) -> list[str]:
    # A full-width comma is what a Chinese input method types.
    names = [name.strip() for name in re.split("[,\uff0c]", value)]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, got {value!r}")
    return list(dict.fromkeys(names))


def _column_name(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("the column name is empty")
    return value.strip()


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {value!r}"
        ) from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value!r}")
    return number


def _paragraphs(*paragraphs: str) -> str:
    # RawDescriptionHelpFormatter keeps the examples' line breaks but wraps nothing itself.
    return "\n\n".join(textwrap.fill(paragraph, width=78) for paragraph in paragraphs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Sort citizens' messages into categories and group messages about the "
        "same problem. Reads CSV or XLSX; writes CSV (UTF-8 with BOM, opens in Excel).",
        epilog="Run 'civicdesk triage COMMAND --help' for each command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    formatter = argparse.RawDescriptionHelpFormatter

    train = commands.add_parser(
        "train",
        help="train a classifier on labelled messages",
        description=_paragraphs(
            "Train a classifier on labelled messages and save it to a model file. Every row "
            "needs a label, and there must be at least 2 different labels.",
            ROW_RULES,
        ),
        epilog="example:\n  civicdesk triage train --data labelled.xlsx "
        "--text-cols 留言主题,留言详情 --label-col 一级标签 --model triage.model",
        formatter_class=formatter,
    )
    train.add_argument("--data", required=True, metavar="FILE", help="labelled CSV or XLSX")
    _add_text_cols(train)
    train.add_argument(
        "--label-col", required=True, type=_column_name, metavar="L", help="the label column"
    )
    train.add_argument("--model", required=True, metavar="OUT", help="model file to write")
    train.add_argument(
        "--review-threshold",
        type=_threshold,
        default=None,
        metavar="P",
        help="predictions less confident than this are marked needs_review (default: the "
        "threshold above which the model's cross-validated suggestions on the training data "
        "were right at least 97.2%% of the time)",
    )
    train.set_defaults(func=_train)

    classify = commands.add_parser(
        "classify",
        help="label messages with a trained model",
        description=_paragraphs(
            "Label each message with a trained model. The output has one row per input row: "
            "id, label, confidence (4 decimals), top3 (label:probability|…) and needs_review "
            "(true/false). Without --id-col the id is the row number.",
            ROW_RULES,
        ),
        epilog="example:\n  civicdesk triage classify --model triage.model --data new.csv "
        "--text-cols 留言主题,留言详情 --id-col 留言编号 --output labels.csv",
        formatter_class=formatter,
    )
    classify.add_argument("--model", required=True, metavar="M", help="model from 'train'")
    classify.add_argument("--data", required=True, metavar="FILE", help="CSV or XLSX to label")
    _add_text_cols(classify)
    classify.add_argument(
        "--id-col", type=_column_name, metavar="C", help="column copied to the id column"
    )
    classify.add_argument("--output", required=True, metavar="OUT.csv", help="CSV to write")
    classify.set_defaults(func=_classify)

    evaluate = commands.add_parser(
        "evaluate",
        help="train on one file, test on another, print scores as JSON",
        description=_paragraphs(
            "Train on one labelled file and test on another. Prints exactly one JSON line to "
            'stdout: {"macro_f1", "accuracy", "n_train", "n_test", "seconds"}; progress goes '
            "to stderr. Every test label must occur in the training file.",
            ROW_RULES,
        ),
        epilog="example:\n  civicdesk triage evaluate --train train.csv --test test.csv "
        "--text-cols 留言主题,留言详情 --label-col 一级标签",
        formatter_class=formatter,
    )
    evaluate.add_argument("--train", required=True, metavar="FILE", help="labelled training data")
    evaluate.add_argument("--test", required=True, metavar="FILE", help="labelled test data")
    _add_text_cols(evaluate)
    evaluate.add_argument(
        "--label-col", required=True, type=_column_name, metavar="L", help="the label column"
    )
    evaluate.set_defaults(func=_evaluate)

    cluster = commands.add_parser(
        "cluster",
        help="group messages about the same problem and rank the groups by heat",
        description=_paragraphs(
            "Put every message in exactly one group of messages about the same problem. The "
            "output has one row per input row (id, cluster); --summary writes the groups "
            "ranked by heat (rank, cluster, title, size, first, last, heat). Ids must be "
            "unique. Likes are whole numbers (empty = 0); times may be 2019/2/28 11:25:05, "
            "2019-02-28 11:25:05, 2019-02-28 or Excel dates (empty = unknown); the enterprise "
            "column holds 1/0, true/false, yes/no or 是/否 (empty = no).",
            ROW_RULES,
        ),
        epilog="example:\n  civicdesk triage cluster --data messages.xlsx "
        "--text-cols 留言主题,留言详情 --id-col 留言编号 --likes-col 点赞数 "
        "--time-col 留言时间 --output groups.csv --summary hot.csv",
        formatter_class=formatter,
    )
    cluster.add_argument("--data", required=True, metavar="FILE", help="CSV or XLSX of messages")
    _add_text_cols(cluster)
    cluster.add_argument(
        "--id-col", required=True, type=_column_name, metavar="C", help="unique id column"
    )
    cluster.add_argument("--likes-col", type=_column_name, metavar="L", help="likes column")
    cluster.add_argument("--time-col", type=_column_name, metavar="T", help="time column")
    cluster.add_argument(
        "--enterprise-col",
        type=_column_name,
        metavar="E",
        help="column saying whether an enterprise wrote the message",
    )
    cluster.add_argument("--output", required=True, metavar="OUT.csv", help="CSV to write")
    cluster.add_argument("--summary", metavar="SUMMARY.csv", help="ranked groups CSV to write")
    cluster.set_defaults(func=_cluster)
    return parser


def _add_text_cols(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--text-cols",
        required=True,
        type=_column_list,
        metavar="A,B",
        help="comma-separated text columns, joined with a newline",
    )


# --- Commands -----------------------------------------------------------------------------


def _train(args: argparse.Namespace, stdout: IO[str]) -> None:
    if args.label_col in args.text_cols:
        raise TriageError(f"the label column {args.label_col!r} must not be a text column")
    _check_outputs([args.model], inputs=[args.data])
    started = time.monotonic()
    table = read_table(args.data, required=[*args.text_cols, args.label_col])
    texts = columns.texts(table, args.text_cols)
    labels = columns.labels(table, args.label_col)
    columns.require_two_labels(table, args.label_col, labels)

    from civicdesk.triage.classify import TextClassifier

    model = TextClassifier.train(texts, labels, review_threshold=args.review_threshold)
    _save_model(model, args.model)
    _progress(
        f"trained {len(model.labels)} labels on {len(texts)} rows of {args.data} in "
        f"{time.monotonic() - started:.1f}s; model saved to {args.model}; "
        + _quality_line(model.quality, model.review_threshold)
    )


def _classify(args: argparse.Namespace, stdout: IO[str]) -> None:
    _check_outputs([args.output], inputs=[args.data, args.model])
    required = [*args.text_cols, *([args.id_col] if args.id_col else [])]
    table = read_table(args.data, required=required)
    texts = columns.texts(table, args.text_cols)
    ids = columns.ids(table, args.id_col) if args.id_col else [str(n) for n in table.row_numbers]

    from civicdesk.triage.classify import TextClassifier

    model = TextClassifier.load(args.model)
    _progress(f"classifying {len(texts)} rows…")
    predictions = model.predict(texts, explain=False)  # the output has no explanation column
    if len(predictions) != len(texts):
        raise RuntimeError(f"{len(predictions)} predictions for {len(texts)} texts")
    rows = [
        (
            id_,
            p.label,
            f"{p.confidence:.4f}",
            "|".join(f"{label}:{probability:.2f}" for label, probability in p.top3),
            "true" if p.needs_review else "false",
        )
        for id_, p in zip(ids, predictions, strict=True)
    ]
    write_csv_atomic(args.output, CLASSIFY_HEADER, rows)
    review = sum(p.needs_review for p in predictions)
    _progress(f"classified {len(rows)} rows ({review} need review); wrote {args.output}")


def _evaluate(args: argparse.Namespace, stdout: IO[str]) -> None:
    if args.label_col in args.text_cols:
        raise TriageError(f"the label column {args.label_col!r} must not be a text column")
    required = [*args.text_cols, args.label_col]
    train = read_table(args.train, required=required)
    test = read_table(args.test, required=required)
    train_texts, train_labels = (
        columns.texts(train, args.text_cols),
        columns.labels(train, args.label_col),
    )
    test_texts, test_labels = (
        columns.texts(test, args.text_cols),
        columns.labels(test, args.label_col),
    )
    columns.require_two_labels(train, args.label_col, train_labels)
    known = set(train_labels)
    for label, number in zip(test_labels, test.row_numbers, strict=True):
        if label not in known:
            raise TriageError(
                f"label {label!r} does not occur in the training file {args.train} "
                f"(its labels are: {', '.join(sorted(known))})",
                file=test.file,
                row=number,
                column=args.label_col,
            )
    _progress(f"training on {len(train_texts)} rows, testing on {len(test_texts)} rows…")

    from civicdesk.triage.classify import evaluate

    result = evaluate(train_texts, train_labels, test_texts, test_labels)
    missing = [key for key in EVALUATE_KEYS if key not in result]
    if missing:
        raise RuntimeError(f"evaluate() returned no {', '.join(missing)}")
    line = json.dumps({key: _json_number(result[key]) for key in EVALUATE_KEYS}, allow_nan=False)
    print(line, file=stdout, flush=True)


def _cluster(args: argparse.Namespace, stdout: IO[str]) -> None:
    outputs = [args.output, *([args.summary] if args.summary else [])]
    _check_outputs(outputs, inputs=[args.data])
    extra = [args.likes_col, args.time_col, args.enterprise_col]
    required = list(dict.fromkeys([*args.text_cols, args.id_col, *filter(None, extra)]))
    table = read_table(args.data, required=required)
    texts = columns.texts(table, args.text_cols)
    ids = columns.ids(table, args.id_col)
    columns.require_unique(table, args.id_col, ids)
    likes = columns.parsed(table, args.likes_col, columns.parse_likes, 0)
    times = columns.parsed(table, args.time_col, columns.parse_time, None)
    enterprise = columns.parsed(table, args.enterprise_col, columns.parse_flag, False)

    from civicdesk.triage.cluster import Message, cluster_messages

    messages = [
        Message(id=id_, text=text, likes=n, time=t, enterprise=e)
        for id_, text, n, t, e in zip(ids, texts, likes, times, enterprise, strict=True)
    ]
    _progress(f"grouping {len(messages)} messages…")
    clusters = cluster_messages(messages)
    assignment: dict[str, int] = {}
    for group in clusters:
        for member in group.member_ids:
            if member in assignment:
                raise RuntimeError(f"message {member!r} is in two clusters")
            assignment[member] = group.id
    if len(assignment) != len(ids) or not all(id_ in assignment for id_ in ids):
        raise RuntimeError("the clusters do not cover every message exactly once")

    staged = [(Path(args.output), stage_csv(args.output, CLUSTER_HEADER, _pairs(ids, assignment)))]
    try:
        if args.summary:
            ranked = sorted(clusters, key=lambda group: -group.heat)  # stable: keeps ties' order
            rows = [
                (
                    rank,
                    group.id,
                    group.title,
                    group.size,
                    _format_time(group.first),
                    _format_time(group.last),
                    f"{group.heat:.4f}",
                )
                for rank, group in enumerate(ranked, start=1)
            ]
            staged.append((Path(args.summary), stage_csv(args.summary, SUMMARY_HEADER, rows)))
        # Rename only once every output is fully written.
        for target, temp in staged:
            os.replace(temp, target)
    finally:
        for _, temp in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    _progress(f"{len(messages)} messages in {len(clusters)} groups; wrote {', '.join(outputs)}")


def _quality_line(quality: dict[str, Any], threshold: float) -> str:
    if not quality.get("cross_validated"):
        return f"too few rows per label to hold any out: needs_review below a fixed {threshold:.2f}"
    line = (
        f"cross-validated on the training rows: {quality['accuracy']:.1%} right; "
        f"needs_review below confidence {threshold:.4f}"
    )
    if threshold == quality["threshold"] and quality["share_sure"]:
        line += (
            f" ({quality['share_sure']:.1%} of rows above it, right "
            f"{quality['precision_when_sure']:.1%} of the time)"
        )
    return line


def _pairs(ids: list[str], assignment: dict[str, int]) -> list[tuple[str, int]]:
    return [(id_, assignment[id_]) for id_ in ids]


# --- Checks and parsing -------------------------------------------------------------------


def _check_outputs(outputs: Sequence[str], *, inputs: Sequence[str]) -> None:
    """Fail before the slow work if an output cannot or must not be written."""
    resolved_inputs = {Path(path).resolve() for path in inputs}
    seen: set[Path] = set()
    for output in outputs:
        target = Path(output).resolve()
        if target in resolved_inputs:
            raise TriageError("the output would overwrite an input file", file=output)
        if target in seen:
            raise TriageError("the same file is given for two outputs", file=output)
        seen.add(target)
        if target.is_dir():
            raise TriageError("the output is a folder; give a file name", file=output)
        if not target.parent.is_dir():
            raise TriageError(f"the folder {str(Path(output).parent)!r} does not exist")


def _format_time(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _json_number(value: Any) -> int | float | Any:
    # numpy scalars are not all JSON-serialisable; plain Python numbers are.
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def _save_model(model: TextClassifier, path: str) -> None:
    with atomic_output(path, suffix=Path(path).suffix) as temp:
        model.save(temp)
        # mkstemp created the file empty; still empty means save wrote somewhere else.
        if temp.stat().st_size == 0:
            raise RuntimeError(f"TextClassifier.save wrote nothing to {temp}")
