"""Minimal reader and writer for gettext .po files, enough for scripts/translate.py."""

import ast
import re
from dataclasses import dataclass, field


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])

    @property
    def fuzzy(self) -> bool:
        return any(c.startswith("#,") and "fuzzy" in c for c in self.comments)

    def unfuzz(self) -> None:
        kept = []
        for comment in self.comments:
            if comment.startswith("#,"):
                flags = [f.strip() for f in comment[2:].split(",") if f.strip() != "fuzzy"]
                if flags:
                    kept.append("#, " + ", ".join(flags))
            elif not comment.startswith("#|"):
                kept.append(comment)
        self.comments = kept


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def read_po(path: str) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def flush() -> None:
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            target = None
            continue
        if line.startswith("#"):
            if started and target is not None and target[0] == "msgstr":
                flush()
            current.comments.append(line)
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            key, _, index, value = match.groups()
            if key in {"msgid", "msgctxt"} and started and target and target[0] == "msgstr":
                flush()
            started = True
            text = _unquote(value)
            if key == "msgstr":
                i = int(index or 0)
                while len(current.msgstr) <= i:
                    current.msgstr.append("")
                current.msgstr[i] = text
                target = ("msgstr", i)
            else:
                setattr(current, key, text)
                target = (key, 0)
        elif line.startswith('"') and target:
            text = _unquote(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += text
            else:
                setattr(current, target[0], getattr(current, target[0]) + text)
    flush()
    return entries


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _field(key: str, text: str) -> list[str]:
    if "\n" in text[:-1] or len(text) > 70:
        parts = re.split(r"(?<=\n)", text)
        return [f'{key} ""', *[_quote(p) for p in parts if p]]
    return [f"{key} {_quote(text)}"]


def write_po(path: str, entries: list[Entry]) -> None:
    lines: list[str] = []
    for entry in entries:
        lines += entry.comments
        if entry.msgctxt is not None:
            lines += _field("msgctxt", entry.msgctxt)
        lines += _field("msgid", entry.msgid)
        if entry.msgid_plural is not None:
            lines += _field("msgid_plural", entry.msgid_plural)
            for i, text in enumerate(entry.msgstr):
                lines += _field(f"msgstr[{i}]", text)
        else:
            lines += _field("msgstr", entry.msgstr[0])
        lines.append("")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
