"""QQ group exports ("导出消息记录" as text): "2025-03-02 9:15:02 张三(123456789)" headers.

The header names the sender's QQ number in brackets (or an e-mail address in angle brackets),
which stays the same when the nickname changes; the file starts with a banner that names
the group ("消息对象:东苑社区居民群"). System messages come from "系统消息(10000)".
"""

from __future__ import annotations

import re

from civicdesk.imports.parsers.base import FileFormat, ParsedFile, decode_text
from civicdesk.imports.parsers.chat import parse_chat

HEADER = re.compile(
    r"^(?P<time>\d{4}[-/]\d{1,2}[-/]\d{1,2} {1,2}\d{1,2}:\d{2}:\d{2}) +"
    r"(?P<sender>.{0,80}?) *(?:\((?P<sender_id>\d{5,12})\)|<(?P<sender_email>[^<>\s]{1,80})>) *$"
)


def parse(content: bytes, *, limit: int | None = None) -> ParsedFile:
    return parse_chat(decode_text(content), file_format=FileFormat.QQ, header=HEADER, limit=limit)
