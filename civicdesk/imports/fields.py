"""The fields of an imported message, and which column of a file holds each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.core.textnorm import normalize_for_search


@dataclass(frozen=True)
class Field:
    key: str
    label: Promise
    help: Promise
    # Column names that usually hold it (Simplified; Traditional and case match too).
    synonyms: tuple[str, ...]
    required: bool = False


FIELDS = (
    Field("text", gettext_lazy("Message text"), gettext_lazy("What the person said."),
          ("留言内容", "留言详情", "内容", "正文", "消息", "消息内容", "详情", "问题描述",
           "诉求内容", "帖子内容", "评论内容", "text", "content", "message", "body",
           "description"),
          required=True),
    Field("title", gettext_lazy("Title"),
          gettext_lazy("Put before the text, on its own line (portals often split the two)."),
          ("留言主题", "留言标题", "主题", "标题", "title", "subject")),
    Field("time", gettext_lazy("Time"),
          gettext_lazy("When it was said; deadlines count from it. Without it, the time of "
                       "the upload."),
          ("留言时间", "发布时间", "发帖时间", "发表时间", "评论时间", "创建时间", "时间", "日期",
           "time", "created_at", "created", "date", "timestamp", "posted_at", "publish_time")),
    Field("author", gettext_lazy("Author"), gettext_lazy("Name or nickname of the person."),
          ("留言用户", "留言人", "用户名", "用户昵称", "昵称", "用户", "作者", "发言人", "发布者",
           "姓名", "author", "user", "username", "nickname", "name", "sender", "user.name",
           "user.nickname", "author.name")),
    Field("author_id", gettext_lazy("Author's account"),
          gettext_lazy("The person's account number on the platform; tells two people with "
                       "the same nickname apart."),
          ("用户id", "用户编号", "账号", "qq号", "author_id", "user_id", "uid", "user.id")),
    Field("external_id", gettext_lazy("Message number"),
          gettext_lazy("The source's own number for the message: a re-import recognises it. "
                       "Without it, a fingerprint of source, author, time and text does."),
          ("留言编号", "留言id", "消息id", "帖子id", "评论id", "编号", "id", "message_id", "msg_id",
           "post_id", "comment_id")),
    Field("address", gettext_lazy("Address or place"), gettext_lazy("Where the problem is."),
          ("地址", "详细地址", "位置", "地点", "所在地", "问题地点", "address", "location",
           "place")),
    Field("phone", gettext_lazy("Phone"),
          gettext_lazy("The person's phone number; masked numbers (138****0000) are left out."),
          ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式", "phone", "mobile", "tel")),
    Field("likes", gettext_lazy("Likes"),
          gettext_lazy("How many people agreed (点赞); 1.2万 reads as 12000."),
          ("点赞数", "点赞", "赞", "支持数", "likes", "like_count", "votes", "digg_count")),
)  # fmt: skip
FIELD_KEYS = tuple(field.key for field in FIELDS)


def _fold(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", normalize_for_search(name))


_BY_SYNONYM: dict[str, str] = {}
for _field in FIELDS:
    for _synonym in _field.synonyms:
        _BY_SYNONYM.setdefault(_fold(_synonym), _field.key)


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Field -> column for the columns whose names say what they hold; the first one wins."""
    mapping: dict[str, str] = {}
    for column in columns:
        key = _BY_SYNONYM.get(_fold(column))
        if key and key not in mapping:
            mapping[key] = column
    return mapping


def clean_mapping(mapping: dict, columns: list[str]) -> dict[str, str]:
    """Only known fields and existing columns: what a saved mapping means for this file."""
    return {
        key: column
        for key, column in mapping.items()
        if key in FIELD_KEYS and isinstance(column, str) and column in columns
    }


def mapping_errors(mapping: dict[str, str], columns: list[str]) -> list[str]:
    errors = []
    if not mapping.get("text"):
        errors.append(_("Choose the column that holds the message text."))
    unknown = [column for column in mapping.values() if column and column not in columns]
    if unknown:
        errors.append(
            _("The file has no column %(columns)s.")
            % {"columns": ", ".join(f"“{c}”" for c in unknown)}
        )
    used: dict[str, list[str]] = {}
    labels = {field.key: str(field.label) for field in FIELDS}
    for key, column in mapping.items():
        if column:
            used.setdefault(column, []).append(labels.get(key, key))
    for column, keys in used.items():
        if len(keys) > 1:
            errors.append(
                _("The column “%(column)s” is chosen for %(fields)s; choose it once.")
                % {"column": column, "fields": ", ".join(keys)}
            )
    return errors
