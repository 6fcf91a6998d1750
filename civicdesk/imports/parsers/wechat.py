"""WeChat group exports: "2025-03-02 09:15:02 张三" on one line, the message on the next ones.

This is the layout of the common PC export tools and of a chat history forwarded by e-mail;
pictures and stickers appear as "[图片]"/"[表情]", and the app's own lines ("李四加入了群聊",
"王五撤回了一条消息") come between messages.
"""

from __future__ import annotations

import re

from civicdesk.imports.parsers.base import FileFormat, ParsedFile, decode_text
from civicdesk.imports.parsers.chat import parse_chat

# Seconds are required: exports always write them, and a resident typing "2025-03-02 10:00
# 开会" in a message must not start a new one. Spaces only, so a tab-separated file is no chat.
HEADER = re.compile(
    r"^(?P<time>\d{4}-\d{1,2}-\d{1,2} {1,2}\d{1,2}:\d{2}:\d{2}) +(?P<sender>\S.{0,79}?) *$"
)


def parse(content: bytes, *, limit: int | None = None) -> ParsedFile:
    return parse_chat(
        decode_text(content), file_format=FileFormat.WECHAT, header=HEADER, limit=limit
    )
