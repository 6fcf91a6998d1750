"""Titles of same-problem clusters that read as a problem: ``<place> · <grievance>``.

A clerk scans the problem list by its titles, so a title names the place or entity and the
grievance in whole words ("江山帝景 · 新房安全隐患", "中山路口 · 高层水压不足"), never a cut word
or a fragment of boilerplate.

* **Place**: the entity key (a name with its suffix) or name key most members
  share (the longer, then the rarer, when as many members hold two: 企业开办窗口
  before 政务服务中心). A name key is cut where the collection says the name ends:
  the longest prefix that nearly as many messages hold as its first three
  characters (江山帝景 is held by 15 messages, 江山帝景新 by 3, so the name is
  江山帝景), and ended on a word (自梦强数码科 → 自梦强数码科技). A key that stops
  inside a longer word, or reads as the start of a statement rather than a name
  (jieba's parts of speech: 查养老金还得, 黑中介冒充), is no place; nor is a
  greeting (网友爆料). An entity key takes the characters nearly every member
  writes before it (不动产登记窗口) and the crossing after it (中山路口). With no
  key, a heading nearly every member starts with ("企业开办窗口：") is the place.
* **Grievance**: a member's statement, in whole words (rjieba: jieba's dictionary and HMM in
  Rust): its first clause (brackets end clauses) that says something besides the places, a
  word mostly inside a place counting as the place's; the one whose words the others share
  most and are rarest in the collection (a word used by one member alone counts half), trimmed
  at both ends of boilerplate (反映, 希望 …) and of where in the place it is (18栋附近这边,
  地下车库入口), never ending on a counting word whose noun was cut (跑多个|部门) or on a
  one-character adjective whose 的 was (水是黄|的).

Only each member's head (the first :data:`HEAD_CHARS` characters: the title, or the first
sentence) and at most :data:`MEMBERS` members are segmented, which keeps the segmenter's cost
per cluster bounded.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import rjieba

from civicdesk.triage.features import Featurized, idf
from civicdesk.triage.tokenize import STOPWORDS

__all__ = ["TitleMaker"]

#: Characters of each member's head that titles are made from.
HEAD_CHARS = 48
#: Members read per cluster.
MEMBERS = 4
#: Longest grievance phrase, in characters.
PHRASE_CHARS = 16
#: What a word of one member's statement alone is discounted by when statements are weighed.
LONE_WORD_DISCOUNT = 0.5
#: Longest title.
TITLE_CHARS = 40

# Words that say nothing about which problem it is.
_STOP_TEXT = """
    反映 希望 尽快 处理 解决 麻烦 几天 一直 这样 部门 相关 有关 看看 星期 多月 居民 影响 问题 请
    重视 加强 管理 派人 说法 给个 您好 你好 网友 爆料 一下 已经 好几天 一个 多星期 半个月 上个月
    持续 还 没 没有 现在 目前 非常 严重 情况 领导 政府 市民 业主 群众 我们 他们 这里 那里 知道
    感谢 谢谢 请问 咨询 建议 要求 附近 周边 旁边 门口 东侧 西侧 南侧 北侧 中段 路口 之前 邻居
    到现在 恳请 请求 关于 投诉 举报 为何 何时 什么 怎么 如何 为什么 能否 是否 可以 一些 这个 那个
    今天 每天 时候 真的 还是 已经 不是 就是 存在 进行 我家 住在 地点 这边 那边 群里 再次 多次
    尊敬 书记 市长 县长 局长 主任 胡书记 张市长 本人 我们 大家 居民区 小区 社区 街道 地方 里面
    楼下 楼上 东门 南门 西门 北门 单元 号楼 公交站台 人行道 公司 我公司 企业 有限公司 a市
    家住 住在 附近 这种 第一次 不是 一次 办理 今天 去了 点个 点赞
    """
_STOP = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[\u4e00-\u9fff]")
# Characters a name does not start with: administrative levels, prepositions, particles.
_NOT_NAME = frozenset("市区县省镇乡在的了是和与及或对从向到为以于去来我你他她这那")
# Clauses that greet or introduce rather than say what is wrong.
_GREETING = re.compile(
    r"(您好|你好|反映一下|反映个问题|我想反映个问题|网友爆料|群里居民反映|再次反映|尊敬的.{0,8}|"
    r"领导.{0,4}|.{0,4}书记.{0,4}|.{0,4}市长.{0,4}|投诉|举报|求助)"
)
# Masked or abbreviated administrative places (a市, a3区) and what is left of them.
_MASKED = re.compile(r"[a-z]?[0-9]*[市区县省]?")
_ANY_WORD = re.compile(r"[\w]", re.UNICODE)
# Brackets end a clause too: "工作人员爱理不理的（企业开办窗口）" says the place in brackets.
_CLAUSE_END = re.compile(r"[，。！？；：,.!?;:\n()（）【】\[\]]")
# Where in a place something is (18栋附近, 地下车库入口, 公交站台边, 3号楼旁): not the grievance,
# so a phrase does not start with it.
_SPOT_TEXT = """
    栋 幢 号 号楼 单元 层 楼 期 室 旁 边 侧 口 段 附近 这边 那边 楼下 楼上 门口 路口 公交 站台
    公交站 地下 车库 地下车库 入口 出口 东门 南门 西门 北门 东侧 西侧 南侧 北侧 中段 对面 后面
    前面 里面 外面 一带 周边 旁边
"""
_SPOT = frozenset(_SPOT_TEXT.split())
# A heading before a colon: what the text is about (企业开办窗口：材料要交好几遍).
_LABEL = re.compile(r"([^，。！？；：,.!?;:\s]{2,10})[：:]")
# Words that count and wait for their noun (跑多个部门): a phrase does not end with them.
_COUNTING_TEXT = "个 多个 几个 好几个 一些 些 几 每个 各个 两个 三个"
_COUNTING = frozenset(_COUNTING_TEXT.split())
# The tail of a place name that jieba keeps apart (中山路/口) and that belongs to the place.
_PLACE_TAIL = frozenset("口段")


def _words(text: str) -> list[str]:
    """Content words of normalised text (as :func:`civicdesk.triage.tokenize.words`)."""
    out = []
    for token in rjieba.cut(text):
        token = token.strip()
        if token and token not in STOPWORDS and _ANY_WORD.search(token):
            out.append(token)
    return out


# Parts of speech (jieba's tags) a name does not end with: verbs, adverbs, particles,
# numerals, descriptive words; nor start with: verbs, pronouns, times.
_NOT_NAME_END_TAGS = "v vd vg d ud ul uj uz ug uv u m z l a ad an p c y e o"
_NOT_NAME_END = frozenset(_NOT_NAME_END_TAGS.split())
_NOT_NAME_START = frozenset(("v", "vd", "r", "t", "d"))


def _names_something(key: str) -> bool:
    """Does a name key (the start of a text, or what follows an administrative level) read as
    a name: 富惠天下, 温斯顿英语, 58车贷, and not the start of a statement that happens to be
    shared (查养老金还得, 黑中介冒充, 路灯忽明忽暗, 缺少日间照料)?"""
    tags = [flag for word, flag in rjieba.tag(key) if word.strip()]
    return bool(tags) and tags[-1] not in _NOT_NAME_END and tags[0] not in _NOT_NAME_START


def _says_nothing(name: str) -> bool:
    """A greeting or boilerplate (网友爆料, 我公司): no place, however many members use it."""
    return _GREETING.fullmatch(name) is not None or name in _STOP


def _longest_run(tokens: list[str]) -> list[str]:
    """Of words split by removed places (" "), the longest run."""
    runs: list[list[str]] = [[]]
    for t in tokens:
        if t == " ":
            runs.append([])
        elif t.strip():
            runs[-1].append(t)
    return max(runs, key=lambda run: len("".join(run)))


class TitleMaker:
    """Titles for the clusters of one collection (its features give the words' rarity)."""

    def __init__(self, features: Featurized, texts: list[str]) -> None:
        self.texts = texts
        self.n = len(texts)
        self.features = features
        vocab = features.vocab
        df = np.bincount(
            np.concatenate(
                [features.entity.indices, features.names.indices, features.grievance.indices]
            ),
            minlength=len(vocab),
        )
        self._df = df
        self._key = {i: k for k, i in vocab.items() if k[0] in "@~"}
        self._word_df: Counter[str] = Counter()

    # --- place -------------------------------------------------------------------------

    def _place(self, rows: list[int]) -> str:
        """The place most members name, marked as an entity (``@``) or name (``~``) key."""
        f = self.features
        count: Counter[int] = Counter()
        for r in rows:
            for matrix in (f.entity, f.names):
                count.update(matrix.indices[matrix.indptr[r] : matrix.indptr[r + 1]].tolist())
        if not count:
            return ""
        df = self._df

        def entity_or_name(col: int) -> str:
            return self._key.get(col, "")

        best = ""
        best_rank: tuple = ()
        for col, c in count.items():
            key = entity_or_name(col)
            if not key:
                continue
            name = key[1:]
            if key[0] == "~":
                name = self._name_end(name)
            if len(name) < 2 or df[col] < 1 or _says_nothing(name):
                continue  # 网友爆料 starts many texts and is no name
            # Most members first; then a suffixed entity (a whole name) over a name key; then
            # the longer name; then the rarer in the collection (the window, not the service
            # centre all windows share).
            rank = (c, key[0] == "@", len(name), -int(df[col]))
            if rank > best_rank:
                best, best_rank = key[0] + name, rank
        return best

    def _places(self, rows: list[int], place: str) -> list[str]:
        """The place and every entity or name key at least half the members hold (人民路 and
        建设路 of 人民路与建设路口), which the grievance phrase must not repeat."""
        f = self.features
        count: Counter[int] = Counter()
        for r in rows[:MEMBERS]:
            for matrix in (f.entity, f.names):
                count.update(matrix.indices[matrix.indptr[r] : matrix.indptr[r + 1]].tolist())
        need = max(1, min(len(rows), MEMBERS) / 2)
        out = [
            self._key[c][1:] if self._key[c][0] == "@" else self._name(self._key[c][1:], rows)
            for c, k in count.items()
            if k >= need and c in self._key
        ]
        return sorted({p for p in [place, *out] if p}, key=len, reverse=True)

    def _name_end(self, name: str) -> str:
        """Where a name key's name ends: the longest prefix held by nearly as many messages
        as its first three characters (江山帝景新 → 江山帝景)."""
        vocab, df = self.features.vocab, self._df
        base = vocab.get("~" + name[:3])
        if base is None:
            return name
        floor = 0.8 * df[base]
        end = 3
        for k in range(4, len(name) + 1):
            col = vocab.get("~" + name[:k])
            if col is None or df[col] < floor:
                break
            end = k
        return name[:end]

    # --- grievance ---------------------------------------------------------------------

    def _word_rarity(self, word: str) -> float:
        """idf of a word; a word is at most as common as its rarest bigram."""
        vocab, df = self.features.vocab, self._df
        counts = [
            int(df[vocab[word[i : i + 2]]])
            for i in range(len(word) - 1)
            if word[i : i + 2] in vocab
        ]
        return float(idf(min(counts) if counts else 1, self.n))

    def _statement(self, text: str, places: list[str], own: str = "") -> list[str]:
        """The words of the member's first clause that says something besides the place and
        greetings (a title, or the sentence with the grievance), the places' words left out:
        a word mostly inside a place is part of it (a市 of a市晟福); a word a place only grazes
        stays whole (价格 when a key ran on into 价)."""
        for clause in _CLAUSE_END.split(text[: HEAD_CHARS * 2]):
            covered = [0] * len(clause)
            for place in places:
                at = clause.find(place)
                while at >= 0:
                    # 2: the title's own place (its words go wholly: 中山路口|中段 leaves no
                    # 口中); 1: another key, which may have run on into a word (价 of 价格).
                    mark = 2 if place == own else 1
                    for k in range(at, at + len(place)):
                        covered[k] = max(covered[k], mark)
                    at = clause.find(place, at + len(place))
            tokens, at = [], 0
            for token in rjieba.cut(clause):
                span = covered[at : at + len(token)]
                if 2 not in span and 2 * sum(map(bool, span)) <= len(token):
                    # jieba glues an administrative level to the next name (a2|区申奥美域):
                    # the level belongs to the place before it.
                    lead = 0
                    while lead < len(token) - 1 and span[lead] and token[lead] in "市区县省镇乡":
                        lead += 1
                    tokens.append(token[lead:])
                elif tokens and tokens[-1] != " ":
                    tokens.append(" ")  # a place stood here: words either side are not one
                at += len(token)
            rest = "".join(tokens)
            if len(_WORD.findall(rest)) >= 2 and not _GREETING.fullmatch(rest.strip()):
                return _longest_run(tokens)
        return []

    @staticmethod
    def _filler(word: str, places: list[str]) -> bool:
        """A word a phrase does not start or end with: boilerplate, punctuation, a particle,
        where in a place it is."""
        return (
            word in _STOP
            or word in _SPOT
            or not _WORD.search(word)
            or word in "的了是在和与就都也还很吗呢吧啊请您我这那市区县省"
            or _MASKED.fullmatch(word) is not None
            or any(word in p for p in places)
        )

    @staticmethod
    def _content(word: str, places: list[str]) -> bool:
        return not (
            len(word) < 2
            or word in _STOP
            or not _WORD.search(word)
            or any(ch.isdigit() for ch in word)
            or any(word in p or p in word for p in places)
        )

    def _phrase(self, rows: list[int], places: list[str], own: str = "") -> str:
        """The grievance as one member says it: of the members' statements, the one whose
        words the others share most (and are rare in the collection), trimmed of greetings
        and boilerplate at both ends and cut at a word boundary."""
        statements = []
        used: Counter[str] = Counter()
        for r in rows[:MEMBERS]:
            tokens = self._statement(self.texts[r], places, own)
            statements.append(tokens)
            used.update({w for w in tokens if self._content(w, places)})
        if not used:
            return ""

        # A word counts by how many members use it, less a half: the words of one stray
        # member (a parked car among a crossing's water-pressure reports) weigh half what
        # they did, and the shared grievance wins (round 5; counting shared words only made
        # the gold's titles worse, round 4).
        def weight(tokens: list[str]) -> float:
            return sum(
                (used[w] - LONE_WORD_DISCOUNT) * self._word_rarity(w)
                for w in set(tokens)
                if self._content(w, places)
            )

        for best in sorted(statements, key=weight, reverse=True):
            # Trim what is not content at both ends (我公司, 反映, 希望尽快 …).
            start, end = 0, len(best)
            while start < end and self._filler(best[start], places):
                start += 1
            while end > start and self._filler(best[end - 1], places):
                end -= 1
            # The word cut after the end belongs to it when the end is a counting word (要跑多个
            # | 部门: it keeps its noun) or a one-character adjective (水是黄 | 的).
            if start < end < len(best) and (
                best[end - 1] in _COUNTING or (best[end] == "的" and len(best[end - 1]) == 1)
            ):
                end += 1
            phrase = "".join(best[start:end])
            if 0 < len(phrase) <= PHRASE_CHARS:
                return phrase
        # Every statement is too long to show whole: its most shared, rarest words instead.
        ranked = sorted(used, key=lambda w: -used[w] * self._word_rarity(w))
        phrase = ""
        for word in ranked[:3]:
            if len(phrase) + len(word) <= PHRASE_CHARS:
                phrase += word
        return phrase

    # --- title -------------------------------------------------------------------------

    def _whole(self, name: str, rows: list[int]) -> str:
        """The name with the characters before it that belong to it: as many as nearly every
        member writes before it (entity keys keep at most five name characters, so
        动产登记窗口 becomes 不动产登记窗口; 今天去社保医保窗口 stays 社保医保窗口)."""
        texts = [self.texts[r] for r in rows[:MEMBERS]]
        holding = [t for t in texts if name in t]
        whole = name
        for _ in range(4):
            at = holding[0].find(whole) if holding else -1
            if at <= 0 or not _WORD.match(holding[0][at - 1]) or holding[0][at - 1] in _NOT_NAME:
                break
            longer = holding[0][at - 1] + whole
            if sum(longer in t for t in holding) < 0.8 * len(holding):
                break
            whole = longer
        return whole

    def _name(self, key: str, rows: list[int]) -> str:
        """A name key as the name it is (ended where the collection and the words say), or ""
        when it is no name but the shared start of a statement."""
        name = self._word_end(self._name_end(key), rows)
        return name if name and _names_something(name) else ""

    def _label(self, rows: list[int]) -> str:
        """A heading nearly every member starts with ("企业开办窗口：…"), as a place marked
        ``@``, when no key names one; "" otherwise."""
        labels = Counter(
            m.group(1) for r in rows[:MEMBERS] if (m := _LABEL.match(self.texts[r].strip()))
        )
        if not labels:
            return ""
        label, count = labels.most_common(1)[0]
        if count < 0.8 * min(len(rows), MEMBERS) or _GREETING.fullmatch(label):
            return ""
        return "@" + label

    def _word_end(self, name: str, rows: list[int]) -> str:
        """A name key (no suffix: its length is a guess) ended where the word it stops in ends,
        when that word is at most two characters longer (自梦强数码科 → 自梦强数码科技, 谷山庭 →
        谷山庭院); "" for a key that is only a number (201) or that stops inside a longer
        word."""
        if not _WORD.search(name):
            return ""
        text = next((self.texts[r] for r in rows[:MEMBERS] if name in self.texts[r]), "")
        at = text.find(name)
        if at < 0:
            return name
        end, pos = at + len(name), 0
        for token in rjieba.cut(text[at:]):
            pos += len(token)
            if pos >= len(name):
                if pos - len(name) <= 2 and _WORD.fullmatch(text[end - 1 : end]):
                    return text[at : at + pos]
                # A key that ends inside a long word is no name but the start of a statement
                # (黑中介冒充工|作人员揽活): the title is the statement.
                return ""
        return name

    def _with_tail(self, place: str, rows: list[int]) -> str:
        """The place with the tail nearly every member writes right after it (中山路 → 中山路口:
        an entity key ends at its suffix 路, and the crossing is the place people mean)."""
        texts = [self.texts[r] for r in rows[:MEMBERS] if place in self.texts[r]]
        for tail in _PLACE_TAIL:
            if texts and sum(place + tail in t for t in texts) >= 0.8 * len(texts):
                return place + tail
        return place

    def title(self, rows: list[int]) -> str:
        """The title of the cluster made of these rows of the collection."""
        place = self._place(rows) or self._label(rows)
        if place[:1] == "~":
            place = self._name(place[1:], rows)
        elif place:
            place = self._with_tail(self._whole(place[1:], rows), rows)
        if _says_nothing(place):
            place = ""
        phrase = self._phrase(rows, self._places(rows, place), place)
        if not phrase and not place:
            # No content word at all: the first member's first clause, whole words only.
            first = _CLAUSE_END.split(self.texts[rows[0]], maxsplit=1)[0]
            for word in _words(first):
                if len(phrase) + len(word) > PHRASE_CHARS:
                    break
                phrase += word
        if place and phrase:
            return f"{place} · {phrase}"[:TITLE_CHARS]
        return (place or phrase)[:TITLE_CHARS]
