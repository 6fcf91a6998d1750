"""What the same-problem notion looks at in a message: places and names, and the grievance.

Shared by clustering (:mod:`civicdesk.triage.cluster`, vectorised over a whole collection) and
lookup (:mod:`civicdesk.triage.similar`, one message at a time); both give the same keys.

* *Entity keys* (``@景蓉华苑``): the 2-5 name characters before a place/entity suffix (小区, 花园,
  苑, 路, 学校, 公司, 医院, 村 …) plus the suffix, in the message's head (the first
  :data:`HEAD_CHARS` characters, where the place is nearly always stated).
* *Name keys* (``~58车贷``): every 4-character string of the head. Most say nothing; the ones that
  a few messages of the collection share (rare strings: between 2 messages and
  :func:`entity_df_cap`) are names without a suffix (companies, platforms, schools, brands,
  projects: 58车贷, 富惠天下, 温斯顿英语, 江山帝景) or a repeated wording of the same complaint.
  Which ones count is decided on the collection, not from a list.
* *Grievance keys*: character bigrams of the whole analysed text (title and details, up to
  :data:`MAX_CHARS` characters) outside the entity names, plus the thesaurus concepts
  (:mod:`civicdesk.triage.lexicon`, ``#noise``) that bridge paraphrases.

Bigrams rather than jieba words: segmenting runs at about 300k characters/s here, which would put
100,000 messages over the one-minute budget by itself; bigrams are computed with numpy over the
whole collection at once, and tolerate typos and unknown names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from civicdesk.triage.lexicon import concepts, owners
from civicdesk.triage.normalize import normalize

__all__ = [
    "HEAD_CHARS",
    "MAX_CHARS",
    "Features",
    "Featurized",
    "analysis_text",
    "entity_df_cap",
    "extract",
    "featurize",
    "idf",
]

#: Characters of normalised text (title first, where there is one) analysed per message.
MAX_CHARS = 600
#: Characters of the head that entity and name keys are taken from.
HEAD_CHARS = 160
#: Characters of the head searched for names found elsewhere (a title and its first line).
NAME_SEARCH_CHARS = 100
#: Longest name key.
NAME_LEN_MAX = 6
#: Entity keys held by more than this share of the messages are too common to say "same place".
ENTITY_MAX_DF = 0.05

# Longest first, so that 花园 wins over 园.
_SUFFIX_TEXT = (
    "小区 花园 家园 公寓 大厦 广场 新城 商城 之城 新村 社区 街道 大道 公园 学校 中学 小学 幼儿园 "
    "大学 学院 医院 卫生院 公司 集团 银行 工地 项目 市场 酒店 宾馆 楼盘 公馆 山庄 名苑 雅苑 "
    "乐园 物流园 工业园 产业园 派出所 车站 地铁站 高速 大桥 加油站 超市 窗口 夜市 "
    "苑 府 湾 园 村 镇 乡 路 街 巷 桥 厂 店 馆 寓 庭 郡 站"
)
_SUFFIXES = _SUFFIX_TEXT.split()
_SUFFIX_SET = frozenset(_SUFFIXES)
_SUFFIX_RE = re.compile("|".join(sorted(map(re.escape, _SUFFIXES), key=len, reverse=True)))
# Characters that never belong to a proper name (function words, administrative levels).
_STOP = frozenset(
    "的了是在我们你他她它和与及或也都就还又很被把给对从向到为以于之其这那个有没不无要会能可应请该本"
    "此各每某等啊吗呢吧呀着过得地号市区县省去"
    "、。,.!?;: "
)
# Name heads that are generic, not names: 物业公司, 人民医院, 道路, 马路, 网站 …
_GENERIC_TEXT = (
    "物业 开发 建设 房产 地产 置业 有限 责任 人民 中心 附近 周边 旁边 门口 对面 整个 所有 一个 "
    "这个 那个 我们 小区 附属 城管 公交 该小 本小 农村 新建 修建 道路 马路 公路 城市 居民 "
    "业主 工作 单位 政府 当地 学校 医院 希望 反映 部门 领导 相关 有关 公交 地铁 我司 本公 该公 "
    "办事 "
    # Kinds of shop and trade: 烧烤店, 麻将馆, 农贸市场 name a kind of place, not one place.
    "烧烤 餐饮 饭 餐 小吃 夜宵 水果 理发 美发 便利 快递 药 洗车 修车 网吧 麻将 棋牌 茶 农贸 菜 "
    "超 商 培训 中介 装修 五金 服装 早餐 面 粉 火锅 足浴 按摩 KTV ktv 酒 宾 旅 诊 工"
)
_GENERIC_HEADS = frozenset(_GENERIC_TEXT.split())
# Kinds of facility, site or building that people complain about (a 搅拌站 next to a compound).
_KIND_TEXT = (
    "搅拌 垃圾 变电 加油 充电 中转 污水 收费 停车 首末 始发 终点 立交 天桥 高架 安置 住宅 老旧 "
    "生活 城中 普通 大型 工程 改造 拆迁 建筑 快餐 早餐 商业 美食 配套 烧烤 麻将 棋牌 养殖 屠宰 "
    "水泥 沥青 砂石 混凝 凝土 化工 回收 废品 汽修 洗车 维修 培训 民办 公办 私立 公立 导致 进入 "
    "破坏 占用 造成 影响 附近 周边 断头 泥巴 一条 快速 交叉 十字 地下 露天 临时 违建 违章"
)
_KIND_HEADS = frozenset(_KIND_TEXT.split())
_BUILDING_TEXT = "小区 花园 家园 公寓 大厦 苑 园 府 庭 郡 寓 馆 店"
_BUILDING_SUFFIXES = frozenset(_BUILDING_TEXT.split())
# Roads are named after anything (人民路, 建设路, 工业园路): only these heads are no names.
_ROAD_SUFFIXES = frozenset(("路", "街", "巷", "大道", "大桥", "桥"))
_ROAD_GENERIC_TEXT = (
    "道路 马路 公路 城市 附近 周边 旁边 门口 对面 整个 所有 一个 这个 那个 我们 新建 修建 农村 "
    "小区 该小 本小 希望 反映 部门 相关 有关 居民 业主 政府 当地"
)
_ROAD_GENERIC = frozenset(_ROAD_GENERIC_TEXT.split())
# 雨路: 下点雨路上就成了河 is rain on a road, not a road called 下点雨路; 老人走路 is walking.
_BAD_TEXT = (
    "道路 马路 公路 线路 出路 思路 网路 铁路 套路 网站 车站 站站 厕所 政府 市府 省府 跑路 雨路 "
    "走路 问路 让路 带路 绕路 拦路 挡路 堵路 过路 迷路 顺路"
)
_BAD_PAIRS = frozenset(_BAD_TEXT.split())
# Words a name never reaches back over: 希望政府 is not a place, nor 反映东苑小区.
_STOP_WORDS_TEXT = (
    "希望 反映 要求 建议 请求 投诉 举报 关于 位于 就是 没有 一个 我们 他们 政府 部门 领导 单位 "
    "居民 业主 还有 以及 附近 门口 旁边 对面 周边 今天 目前 现在 已经 影响 办理 注销 "
    "住在 家住 地点 楼下 楼上 隔壁 底下 边上 这边 那边 今天 去了 "
    # Times of day: 晚上工地 is no place.
    "晚上 半夜 深夜 夜间 夜里 白天 每天 凌晨 早上 中午 下午 上午 最近 经常 一直"
)
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# How titles start without naming anything.
_REQUEST_TEXT = (
    "恳请 请问 请求 呼吁 强烈 再次 多次 严重 紧急 急需 咨询 询问 质疑 申请 求助 是否 能否 为何 "
    "为什 何时 什么 怎么 如何 你好 您好 尊敬 "
    # How a forwarded post starts (网友爆料：…, 群里居民反映：…): whose words, not a name. As a
    # name key it joined two compounds' reports through their shared opening.
    "网友 群里 群众 市民 大家 各位"
)
_REQUEST_WORDS = frozenset(_REQUEST_TEXT.split())
# Nor with a verb or preposition (请加快…, 建议…, 对…).
_VERB_STARTS = frozenset("请建要求盼望问能该让给把被对向说谈我你他她本此这那")
# 胡书记, 张市长: whom a letter is addressed to, not what it is about.
_OFFICIAL = re.compile(r"书记|市长|县长|区长|局长|主任|领导|同志")
# 2001年, 3号, 5栋: numbers, not names.
_NUMBERED = re.compile(r"^[0-9]+[年月日号期栋楼层届级岁元万个]")
# A name does not start with the end of another one (路公交站 in 翠苑三区路公交站).
_NOT_FIRST = frozenset("路街巷站村镇乡区县府湾桥")
_NOT_AFTER = {"路": "灯面", "站": "台", "村": "民"}
# Name characters ([\u4e00-\u9fff0-9a-z]) as a set: a membership test costs less than a
# regular-expression match per character.
_NAME_CHARS = frozenset(
    [chr(c) for c in range(0x4E00, 0xA000)] + list("0123456789abcdefghijklmnopqrstuvwxyz")
)
_RUN = re.compile(r"[\u4e00-\u9fff0-9a-z]+")
# Bigrams made of these carry no meaning and are dropped to keep vectors small.
_FUNCTION = frozenset("的了是我们你他她在和与就都也还很吗呢吧啊请您")
_FUNCTION_CODES = np.array(sorted(ord(c) for c in _FUNCTION), dtype=np.uint32)


@dataclass
class Features:
    """The keys of one text: entity keys, name keys (4-character strings of the head) and
    grievance keys (bigrams and thesaurus concepts)."""

    entity: list[str] = field(default_factory=list)
    grievance: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """All keys, marked so that kinds never collide: ``@`` entity, ``~`` name."""
        return ["@" + e for e in self.entity] + ["~" + n for n in self.names] + self.grievance


def analysis_text(text: str) -> str:
    """The normalised part of a message that features are taken from."""
    return normalize(text.strip()[: MAX_CHARS * 2])[:MAX_CHARS]


def entity_df_cap(n: int) -> int:
    """Entity and name keys held by more messages than this are too common to mean "same
    place" (or "same name")."""
    return max(50, int(ENTITY_MAX_DF * n))


def idf(df: np.ndarray | float, n: int) -> np.ndarray | float:
    """Smoothed inverse document frequency, the weight of every key."""
    return np.log((n + 1) / (np.asarray(df) + 1)) + 1.0


def _entities(t: str) -> tuple[dict[str, None], list[tuple[int, int]]]:
    """Entity keys of the head of normalised text, and the spans they cover."""
    head = t[:HEAD_CHARS]
    entity: dict[str, None] = {}
    spans: list[tuple[int, int]] = []
    floor = 0  # a name never reaches back over an earlier name or multi-character suffix
    prev_end, prev_key = -1, ""
    for m in _SUFFIX_RE.finditer(head):
        s, suffix = m.start(), m.group()
        j = s
        while (
            j > floor
            and s - j < 5
            and head[j - 1] not in _STOP
            and head[j - 1] in _NAME_CHARS
            and head[j - 2 : j] not in _STOP_WORDS
        ):
            j -= 1
        run = head[j:s]
        after = head[m.end() : m.end() + 1]
        if after and after in _NOT_AFTER.get(suffix, ""):
            run = ""  # 路灯, 路面, 站台, 村民: a word, not the end of a name
        if len(suffix) > 1:
            floor = max(floor, m.end())
        generic = _ROAD_GENERIC if suffix in _ROAD_SUFFIXES else _GENERIC_HEADS
        if run[-2:] in _KIND_HEADS:
            # 搅拌站, 垃圾站, 建筑工地: a kind of facility, often the grievance itself; it
            # stays in the grievance and is no place.
            continue
        if len(run) < 2 or (run[-1] + suffix[0]) in _BAD_PAIRS or run in generic:
            # 朝阳路公交站: a generic facility right after a name belongs to that name.
            # 锦绣路夜市: a multi-character suffix right after a name extends it.
            if (
                j == prev_end == s - len(run)
                and (run in _GENERIC_HEADS or (not run and len(suffix) > 1))
                and prev_key
            ):
                key = prev_key + run + suffix
                if len(key) <= 10:
                    entity[key] = None
                    spans.append((j, m.end()))
                    floor = prev_end = m.end()
            continue
        for k in range(2, len(run) + 1):
            name = run[-k:]
            if k == 2 and name in generic:
                continue
            if (name[:2] in generic and k < len(run)) or name[0] in _NOT_FIRST:
                continue
            if name[0].isdigit() and suffix in _BUILDING_SUFFIXES:  # 2期小区, 3栋 …
                continue
            entity[name + suffix] = None
        spans.append((j, m.end()))
        floor = max(floor, m.end())
        prev_end, prev_key = m.end(), run + suffix
    return entity, spans


# Where a name starts: the start of the text (a title's first word is usually its subject), or
# right after an administrative level (A市江山帝景…, 西地省富惠天下…, A7县星沙派…).
# 小区, 超市 … are not administrative levels, nor 区域 or 市场 (南苑农贸市场北侧: no name 场北侧).
_NAME_START = re.compile(
    r"^|(?<=[^小社园校景片城街厂营商住新老二三四五六七八九十]区)(?!域)"
    r"|(?<=[^超菜夜城门集股上]市)(?!场)|(?<=[县省])|(?<=街道)"
)
_NAME_BREAK = frozenset("的了是在和与及或对从向到为以于被把给将市区县省")


def _names(t: str) -> list[str]:
    """Name keys: the first 3 to :data:`NAME_LEN_MAX` characters of each run of name-like
    characters that starts a text or follows an administrative level, in the head."""
    return list(_named(t))


def _named(t: str) -> dict[str, bool]:
    """Name keys of :func:`_names`, each with whether it followed an administrative level."""
    head = t[:HEAD_CHARS]
    out: dict[str, bool] = {}
    for m in _NAME_START.finditer(head):
        start = m.end()
        after_level = start > 0
        end = start
        while end < len(head) and end - start < NAME_LEN_MAX and head[end] not in _NAME_BREAK:
            if head[end] not in _NAME_CHARS or head[end : end + 2] in _STOP_WORDS:
                break
            end += 1
        if (
            end < len(head)
            and head[end] == "区"
            and end > start
            and head[end - 1] in "一二三四五六七八九十0123456789"
            and end - start < NAME_LEN_MAX
        ):
            end += 1  # 翠苑三区: a numbered part of a name
        run = head[start:end]
        # A run that starts with a kind of place (幼儿园 after A7县) is no name: as a key it
        # joined the kindergartens of a whole district (round 5).
        if (
            any(run[:k] in _SUFFIX_SET for k in (2, 3))
            or run[:2] in _STOP_WORDS
            or run[:2] in _GENERIC_HEADS
            or run[:2] in _REQUEST_WORDS
            or run[:1] in _VERB_STARTS
            or _NUMBERED.match(run)
            or _OFFICIAL.search(run)
        ):
            continue
        for k in range(3, len(run) + 1):
            key = run[:k]
            # 恳请a (before a masked or latin place code) is no name.
            if key[-1].isascii() and not key.isascii():
                continue
            out[key] = out.get(key, False) or after_level
    return out


def extract(text: str, *, normalized: bool = False) -> Features:
    """Entity, name and grievance keys of one message (deduplicated, in text order)."""
    t = text[:MAX_CHARS] if normalized else analysis_text(text)
    entity, spans = _entities(t)
    covered = bytearray(len(t))
    for a, b in spans:
        covered[a:b] = b"\x01" * (b - a)
    grievance: dict[str, None] = {}
    for m in _RUN.finditer(t):
        a, b = m.span()
        for i in range(a, b - 1):
            if covered[i] or covered[i + 1]:
                continue
            bg = t[i : i + 2]
            if bg[0] in _FUNCTION or bg[1] in _FUNCTION:
                continue
            grievance[bg] = None
    for key in concepts(_outside(t, spans)):
        grievance[key] = None
    return Features(list(entity), list(grievance), _names(t))


def _outside(t: str, spans: list[tuple[int, int]]) -> str:
    """The text with entity names blanked out (社保医保窗口 is a place, not a grievance)."""
    if not spans:
        return t
    parts, last = [], 0
    for a, b in sorted(spans):
        if a >= last:
            parts.append(t[last:a])
            parts.append(" ")
            last = b
    parts.append(t[last:])
    return "".join(parts)


# --- the whole collection at once ---------------------------------------------------------


@dataclass
class Featurized:
    """Binary key matrices of a collection (rows: messages) over one vocabulary."""

    entity: sparse.csr_matrix  # entity keys
    names: sparse.csr_matrix  # name keys (4-character strings of the head)
    grievance: sparse.csr_matrix  # bigrams and concepts
    vocab: dict[str, int]  # key -> column (entity keys start with @, names with ~)
    entity_keys: list[list[str]]  # per message, for titles


def _valid_codes(codes: np.ndarray) -> np.ndarray:
    return (
        ((codes >= 0x4E00) & (codes <= 0x9FFF))
        | ((codes >= 0x61) & (codes <= 0x7A))
        | ((codes >= 0x30) & (codes <= 0x39))
    )


def _csr(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, counts: bool = False
) -> sparse.csr_matrix:
    """Matrix with a 1 at each (row, col), duplicates counted once; with ``counts``, the
    sublinear term frequency 1 + ln(count) instead (a long message repeats its subject)."""
    m = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_rows, n_cols)
    )
    m.sum_duplicates()
    if counts:
        m.data = (1.0 + np.log(m.data)).astype(np.float32)
    else:
        m.data[:] = 1.0
    return m


_MULT = np.uint64(0x9E3779B97F4A7C15)


def _rolling(codes: np.ndarray, at: np.ndarray, length: int) -> np.ndarray:
    """A 64-bit hash of the ``length`` characters starting at each of ``at``."""
    h = np.zeros(len(at), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(length):
            h = (h * _MULT) ^ codes[at + k].astype(np.uint64)
    return h


def _hash_texts(texts: list[str], length: int) -> np.ndarray:
    """:func:`_rolling` of each of ``texts`` (all ``length`` characters long)."""
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return _rolling(codes, np.arange(len(texts), dtype=np.int64) * length, length)


def _find_names(
    codes: np.ndarray,
    valid: np.ndarray,
    starts: np.ndarray,
    doc: np.ndarray,
    vocab: dict[str, int],
    known: set[str],
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every name of ``known`` found anywhere in a head."""
    names = [(name, vocab["~" + name]) for name in known]
    rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    if not names:
        return np.concatenate(rows), np.concatenate(cols)
    pos = np.arange(len(codes), dtype=np.int64) - starts[doc]
    # Only positions whose first two characters start a known name are hashed.
    size = 0xA000
    first = np.zeros(size, dtype=bool)
    second = np.zeros(size, dtype=bool)
    for name, _col in names:
        first[min(ord(name[0]), size - 1)] = True
        second[min(ord(name[1]), size - 1)] = True
    clipped = np.minimum(codes, size - 1)
    last = len(codes) - 1  # the final separator: never a name character
    candidates = np.flatnonzero(
        valid & first[clipped] & (pos <= NAME_SEARCH_CHARS - 3) & (pos >= 0)
    )
    nxt = np.minimum(candidates + 1, last)
    candidates = candidates[valid[nxt] & second[clipped[nxt]]]
    for length in range(3, NAME_LEN_MAX + 1):
        these = [(name, col) for name, col in names if len(name) == length]
        if not these:
            continue
        hashes = _hash_texts([name for name, _col in these], length)
        order = np.argsort(hashes)
        hashes, columns = hashes[order], np.array([c for _n, c in these], np.int64)[order]
        at = candidates[pos[candidates] <= NAME_SEARCH_CHARS - length]
        ok = np.ones(len(at), dtype=bool)
        for k in range(2, length):
            ok &= valid[np.minimum(at + k, last)]
        at = at[ok]
        h = _rolling(codes, at, length)
        slot = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
        hit = hashes[slot] == h
        rows.append(doc[at[hit]])
        cols.append(columns[slot[hit]])
    return np.concatenate(rows), np.concatenate(cols)


_OWNERS = owners()
_CONCEPT_WORDS = sorted(_OWNERS)
_CONCEPT_NAMES = sorted({key for keys in _OWNERS.values() for key in keys})
_CODE_LIMIT = 0xA000  # every name and thesaurus character is below this code point


def _char_table(chars: str) -> np.ndarray:
    table = np.zeros(_CODE_LIMIT + 1, dtype=bool)
    table[[min(ord(c), _CODE_LIMIT) for c in chars]] = True
    table[_CODE_LIMIT] = False
    return table


def _concept_matches(
    codes: np.ndarray, covered: np.ndarray, doc: np.ndarray, n: int
) -> tuple[list[str], np.ndarray]:
    """The thesaurus concepts of every text outside its entity names, as :func:`concepts`
    finds them one text at a time (at each position the longest word, matches not
    overlapping, left to right), for all texts at once: (concept keys in text order, each
    once per text; where each text's keys start and end)."""
    clipped = np.minimum(codes, _CODE_LIMIT)
    usable = _char_table("".join(_CONCEPT_WORDS))[clipped] & ~covered
    last = len(codes) - 1  # the final separator: never part of a word
    at = np.flatnonzero(usable & _char_table("".join(w[0] for w in _CONCEPT_WORDS))[clipped])
    length = np.zeros(len(at), dtype=np.int64)
    word = np.zeros(len(at), dtype=np.int64)
    for size in sorted({len(w) for w in _CONCEPT_WORDS}, reverse=True):  # longest first
        ids = [i for i, w in enumerate(_CONCEPT_WORDS) if len(w) == size]
        hashes = _hash_texts([_CONCEPT_WORDS[i] for i in ids], size)
        order = np.argsort(hashes)
        hashes, ids_sorted = hashes[order], np.asarray(ids, dtype=np.int64)[order]
        open_ = length == 0
        for k in range(1, size):
            open_ &= usable[np.minimum(at + k, last)]
        where = np.flatnonzero(open_)
        h = _rolling(codes, at[where], size)
        slot = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
        hit = hashes[slot] == h
        length[where[hit]] = size
        word[where[hit]] = ids_sorted[slot[hit]]
    found = length > 0
    at, length, word = at[found], length[found], word[found]
    # Left to right, a match inside an earlier kept match is skipped: kept_i = no kept j < i
    # covers i. Solved by rounds from "all kept"; each round fixes at least the next match of
    # every chain of overlaps (chains are a few words long).
    kept = np.ones(len(at), dtype=bool)
    longest = max(len(w) for w in _CONCEPT_WORDS)
    while True:
        now = np.ones(len(at), dtype=bool)
        for back in range(1, min(longest, len(at))):
            now[back:] &= ~(kept[:-back] & (at[:-back] + length[:-back] > at[back:]))
        if np.array_equal(now, kept):
            break
        kept = now
    at, word = at[kept], word[kept]
    if not len(word):
        return [], np.zeros(n + 1, dtype=np.int64)
    # Each word's concepts (a word can belong to several), then each concept once per text.
    key_id = {key: i for i, key in enumerate(_CONCEPT_NAMES)}
    per_word = [[key_id[key] for key in _OWNERS[w]] for w in _CONCEPT_WORDS]
    counts = np.array([len(p) for p in per_word], dtype=np.int64)
    flat = np.array([i for p in per_word for i in p], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(counts)[:-1]]
    expand = np.repeat(np.arange(len(word)), counts[word])
    within = np.arange(len(expand)) - np.repeat(
        np.r_[0, np.cumsum(counts[word])[:-1]], counts[word]
    )
    keys = flat[offsets[word[expand]] + within]
    rows = doc[at[expand]]
    _, first = np.unique(rows * len(_CONCEPT_NAMES) + keys, return_index=True)
    first = np.sort(first)
    rows, keys = rows[first], keys[first]
    bounds = np.searchsorted(rows, np.arange(n + 1))
    return [_CONCEPT_NAMES[k] for k in keys.tolist()], bounds


def featurize(texts: list[str]) -> Featurized:
    """Features of every (already analysed, see :func:`analysis_text`) text, vectorised.

    The same keys as :func:`extract` gives one by one; bigrams and name strings are cut with
    numpy over the concatenated texts, so the cost is a few sorts of arrays as long as the
    collection, not a Python loop per character."""
    n = len(texts)
    vocab: dict[str, int] = {}

    def column(key: str) -> int:
        i = vocab.get(key)
        if i is None:
            i = vocab[key] = len(vocab)
        return i

    # Entity keys and the spans they cover (a Python pass over each head only).
    ent_rows: list[int] = []
    ent_cols: list[int] = []
    entity_keys: list[list[str]] = []
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    starts[1:] = np.cumsum(lengths)
    covered = np.zeros(int(starts[-1]), dtype=bool)
    name_rows: list[int] = []
    name_cols: list[int] = []
    placed_names: set[str] = set()
    named: list[dict[str, bool]] = []
    for r, t in enumerate(texts):
        named.append(_named(t))
        entity, spans = _entities(t)
        entity_keys.append(list(entity))
        base = int(starts[r])
        for a, b in spans:
            covered[base + a : base + b] = True

    # Code points of all texts, one separator (a space) after each.
    joined = " ".join(texts) + " "
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    valid = _valid_codes(codes)
    doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    concept_keys, concept_bounds = _concept_matches(codes, covered, doc, n)

    # Columns in the order one message at a time would give them.
    concept_rows: list[int] = []
    concept_cols: list[int] = []
    for r in range(n):
        for key, after_level in named[r].items():
            name_rows.append(r)
            name_cols.append(column("~" + key))
            if after_level:
                placed_names.add(key)
        for key in entity_keys[r]:
            ent_rows.append(r)
            ent_cols.append(column("@" + key))
        for key in concept_keys[concept_bounds[r] : concept_bounds[r + 1]]:
            concept_rows.append(r)
            concept_cols.append(column(key))

    # Grievance bigrams: both characters valid, neither inside an entity name (a place's name
    # must not make two of its grievances look alike), no function character.
    functional = np.isin(codes, _FUNCTION_CODES)
    ok = valid[:-1] & valid[1:] & ~covered[:-1] & ~covered[1:]
    ok &= ~functional[:-1] & ~functional[1:]
    at = np.flatnonzero(ok)
    # Valid characters are below U+A000: a dense alphabet of the ones that occur makes every
    # bigram a small integer, so no sort of all bigrams is needed to number them.
    present = np.bincount(codes[valid], minlength=0xA000) > 0
    letter = np.cumsum(present) - 1
    size = int(present.sum())
    bigram = letter[codes[at]] * size + letter[codes[at + 1]]
    seen = np.zeros(size * size, dtype=bool)
    seen[bigram] = True
    used = np.flatnonzero(seen)
    alphabet = [chr(c) for c in np.flatnonzero(present).tolist()]
    columns = np.fromiter(
        (column(alphabet[u // size] + alphabet[u % size]) for u in used.tolist()),
        dtype=np.int64,
        count=len(used),
    )
    lookup = np.zeros(size * size, dtype=np.int32)
    lookup[used] = columns
    inverse = bigram
    bigram_cols = lookup
    g_rows = np.concatenate([doc[at], np.asarray(concept_rows, dtype=np.int64)])
    g_cols = np.concatenate([bigram_cols[inverse], np.asarray(concept_cols, dtype=np.int64)])

    # A name seen where names stand (温斯顿 in "A市温斯顿英语…") is found wherever it occurs
    # in another head too ("梅溪湖温斯顿恶意拖欠退款").
    found_rows, found_cols = _find_names(codes, valid, starts, doc, vocab, placed_names)
    n_cols = len(vocab)
    return Featurized(
        entity=_csr(np.asarray(ent_rows, np.int64), np.asarray(ent_cols, np.int64), n, n_cols),
        names=_csr(
            np.concatenate([np.asarray(name_rows, np.int64), found_rows]),
            np.concatenate([np.asarray(name_cols, np.int64), found_cols]),
            n,
            n_cols,
        ),
        grievance=_csr(g_rows, g_cols, n, n_cols, counts=True),
        vocab=vocab,
        entity_keys=entity_keys,
    )
