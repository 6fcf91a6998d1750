"""Chinese word segmentation with jieba, loaded once and quietly."""

import logging
import re
import threading
from collections.abc import Iterator

import jieba

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_ready = False
_WORD = re.compile(r"[\w]", re.UNICODE)

# Function words and civic-message boilerplate that say nothing about the problem.
STOPWORDS = frozenset(
    """的 了 是 在 我 我们 你 你们 他 她 它 他们 和 与 及 或 也 都 就 还 又 很 被 把 给 对 从 向
    到 为 以 于 之 其 这 那 这个 那个 这些 那些 一个 一些 有 没有 没 不 无 要 会 能 可以 可 应 应该
    请 请问 希望 谢谢 感谢 您好 你好 领导 尊敬 问题 情况 相关 部门 反映 咨询 关于 什么 怎么 如何
    为什么 是否 能否 现在 目前 已经 一直 非常 十分 特别 比较 但是 但 而且 因为 所以 如果 虽然 然而
    并 并且 等 等等 啊 吗 呢 吧 呀 哦 嗯 着 过 得 地 上 下 中 里 后 前 时 时候 年 月 日 号 市 区
    """.split()  # noqa: SIM905 - a word list reads best as one block of text
)


def _ensure_loaded() -> None:
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.initialize()
                _ready = True


def words(text: str) -> Iterator[str]:
    """Content words of already-normalised text."""
    _ensure_loaded()
    for token in jieba.lcut(text):
        token = token.strip()
        if token and token not in STOPWORDS and _WORD.search(token):
            yield token


def segment(text: str) -> list[str]:
    """Every word of already-normalised text, function words included, in order."""
    _ensure_loaded()
    return jieba.lcut(text)


def tokenize(text: str) -> list[str]:
    return list(words(text))
