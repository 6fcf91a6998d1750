"""What WeChat and QQ group exports share: a header line per message (time and sender), the
message's lines below it, system lines to leave out and media shown as "[图片]"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from civicdesk.imports.parsers.base import (
    ImportFileError,
    NumberKind,
    ParsedFile,
    SourceRow,
    check_row_count,
)

# The columns of every chat export, and how they map onto a message: no person needs to map.
TIME, SENDER, SENDER_ID, MESSAGE = "time", "sender", "sender_id", "message"
FIXED_MAPPING = {"time": TIME, "author": SENDER, "author_id": SENDER_ID, "text": MESSAGE}

# Lines the chat app writes itself. Anchored on the whole line, so that a resident's message
# that merely mentions a recall ("他撤回了一条消息又发了一遍") is kept.
_SYSTEM_LINES = [
    re.compile(pattern)
    for pattern in (
        r".{1,40}(?:加入了群聊|加入群聊|加入了本群|退出了群聊|退出了本群|被移出群聊|移出了群聊)",
        r"“?.{1,40}”?\s*邀请“?.{1,200}”?加入了群聊",
        r".{0,40}撤回了一条(?:成员)?消息",
        r".{1,40}修改群名为[\"“].{1,60}[\"”]",
        r"[\"“].{1,40}[\"”]\s*拍了拍\s*[\"“].{1,40}[\"”].{0,30}",
        r".{1,40}(?:成为新群主|已成为新群主)",
        r".{1,40}(?:开启|关闭)了群聊邀请确认",
        r".{0,40}与群里其他人都不是(?:微信)?朋友关系.{0,40}",
        r"[-—=\s]*(?:以下为新消息|以上是打招呼的内容)[-—=\s]*",
        # Date separators some exporters put between days.
        r"[-—=\s]*\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?[-—=\s]*",
    )
]
_SYSTEM_SENDERS = frozenset({"系统消息", "系统提示", "系統消息", "系統提示"})
# Pictures, voice and the like: the export has only a placeholder, and no text to import.
MEDIA = re.compile(
    r"\[(图片|圖片|表情|动画表情|语音|視頻|视频|文件|链接|位置|名片|小程序|聊天记录|红包|转账|"
    r"视频号|音乐|语音通话|视频通话|闪照|Photo|Sticker|Image|Video|Voice)\]"
)
# Lines before the first message that name the group ("消息对象:东苑社区居民群").
_SOURCE_HINT = re.compile(
    r"^(?:消息对象|群聊名称|群名称|群聊|聊天对象|(?:微信)?群聊天记录)\s*[:：]\s*(.{1,80})$"
)


_TITLE = re.compile(r"^(?:【[^】]{1,12}】)+")


def is_system_line(line: str) -> bool:
    return any(pattern.fullmatch(line) for pattern in _SYSTEM_LINES)


@dataclass
class _Message:
    number: int
    time: str
    sender: str
    sender_id: str
    lines: list[str] = field(default_factory=list)


def parse_chat(text: str, *, file_format: str, header: re.Pattern, limit: int | None) -> ParsedFile:
    """Messages of a chat export. `header` matches a message's first line, with the groups
    time, sender and (optionally) sender_id."""
    rows: list[SourceRow] = []
    skipped = 0
    hint = ""
    current: _Message | None = None
    complete = True

    def finish(message: _Message) -> None:
        nonlocal skipped
        if message.sender.strip() in _SYSTEM_SENDERS:
            skipped += 1
            return
        kept, media, system = [], [], 0
        for line in message.lines:
            if is_system_line(line.strip()):
                system += 1
                continue
            media += MEDIA.findall(line)
            kept.append(MEDIA.sub("", line).rstrip())
        body = "\n".join(kept).strip()
        # A picture or a sticker alone says nothing that can be filed.
        skipped += system + (0 if body else 1)
        if not body:
            return
        values = {TIME: message.time, SENDER: message.sender, MESSAGE: body}
        if SENDER_ID in header.groupindex:
            values[SENDER_ID] = message.sender_id
        rows.append(
            SourceRow(
                number=message.number, values=values, details={"media": media} if media else {}
            )
        )
        check_row_count(len(rows))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip("\ufeff\u200b")
        match = header.match(line)
        if match:
            if current is not None:
                finish(current)
                if limit is not None and len(rows) >= limit:
                    complete = False
                    current = None
                    break
            groups = match.groupdict()
            current = _Message(
                number=number,
                time=groups["time"],
                # QQ prefixes titles ("【群主】张三"); they are not part of the name.
                sender=_TITLE.sub("", groups["sender"]).strip(),
                sender_id=(groups.get("sender_id") or groups.get("sender_email") or "").strip(),
            )
        elif current is not None:
            current.lines.append(line)
        else:
            found = _SOURCE_HINT.match(line.strip())
            if found and not hint:
                hint = found.group(1).strip()
            elif line.strip() and is_system_line(line.strip()):
                skipped += 1
    if current is not None:
        finish(current)
    if not rows:
        raise ImportFileError(
            _(
                "No chat messages were found: each message must start with a line like "
                "“2025-03-02 09:15:02 张三”."
            )
        )
    columns = [TIME, SENDER, *([SENDER_ID] if SENDER_ID in header.groupindex else []), MESSAGE]
    return ParsedFile(
        format=file_format,
        columns=columns,
        rows=rows,
        number_kind=NumberKind.LINE,
        skipped=skipped,
        complete=complete,
        fixed_mapping={k: v for k, v in FIXED_MAPPING.items() if v in columns},
        source_hint=hint,
    )
