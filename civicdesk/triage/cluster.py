"""Same-problem clustering: group messages that report the same concrete problem.

"Same problem" means the same place or entity AND the same grievance: two compounds' parking
fee disputes are two problems; two messages about the noise of one construction site are one.

How it works (details and tuning in docs/triage-clustering.md):

1. Features (:func:`extract`, shared with :mod:`civicdesk.triage.similar`). The first
   :data:`MAX_CHARS` characters of the normalised text (title first, where there is one: the
   place and the grievance are nearly always stated there) give
   * *entity keys*: the 2-5 name characters before a place/entity suffix (小区, 花园, 苑, 路,
     学校, 公司, 医院, 村 …) plus the suffix, e.g. ``景蓉华苑``, ``蓉华苑``;
   * *grievance keys*: character bigrams of the rest of the text (character bigrams rather than
     jieba words because segmenting is 15 times slower, which would make 100,000 messages miss the
     one-minute budget, and bigrams are robust to typos and unknown names).
   Keys are weighted by inverse document frequency (binary term frequency) and L2-normalised.
2. Score of a pair (:func:`pair_score`): the cosine of their *grievance* vectors when they share
   an entity key that is rare in the collection; otherwise 0, unless the two are near-duplicates
   (cosine of the full vectors ≥ :data:`DUPLICATE_COSINE`, e.g. reposts), then that cosine.
3. Candidates, never an n-by-n matrix: every message is blocked on its rare entity keys (and its two
   rarest grievance keys, to catch reposts). Small blocks give all pairs; large blocks are
   sorted by two MinHash signatures and only neighbours within a window are paired
   (sorted-neighbourhood), so the work per message is bounded.
4. Pairs scoring ≥ ``threshold`` are taken best first and merged under constraints
   (:func:`_constrained_merge`), not as connected components: two groups merge only if they do
   not name different places (a group's places are the rare entity keys held by at least half of
   its members) and their grievance centroids have cosine ≥ ``group_cosine``. This stops chains
   through shared boilerplate and loosely shared place keys.
5. Titles (:func:`_title`): the group's most common (then longest) entity key and the two or
   three most distinctive whole words (jieba, on one clause of a representative member only)
   of its grievance, boilerplate words dropped; a singleton gets its most distinctive clause.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy import sparse

from civicdesk.triage.normalize import normalize

__all__ = [
    "DEFAULT_THRESHOLD",
    "Cluster",
    "Features",
    "Message",
    "cluster_messages",
    "entity_df_cap",
    "extract",
    "heat",
    "idf",
    "pair_score",
    "pair_scores",
]

#: Characters of normalised text analysed per message.
MAX_CHARS = 160
#: Default link threshold on :func:`pair_score` (tuned on the tuning half of the labeled sample).
DEFAULT_THRESHOLD = 0.08
#: Cosine of two groups' grievance centroids needed to merge them (see :func:`_constrained_merge`).
GROUP_COSINE = 0.05
#: Key weight is idf to this power: common boilerplate bigrams (希望, 尽快, 一个多星期) must weigh
#: far less than the words of the grievance.
IDF_POWER = 1.0
#: Keys kept per group centroid.
CENTROID_KEYS = 64
#: Full-vector cosine at which two messages are the same problem even without an entity key.
DUPLICATE_COSINE = 0.7
#: Entity keys held by more than this many messages are too common to say "same place".
ENTITY_MAX_DF = 0.02

# Heat index parameters (see :func:`heat`).
HALF_LIFE_DAYS = 30.0
LIKE_WEIGHT = 0.5
DISLIKE_FRACTION = 0.5
ENTERPRISE_BONUS = 0.5

# Longest first, so that 花园 wins over 园.
_SUFFIX_TEXT = (
    "小区 花园 家园 公寓 大厦 广场 新城 商城 之城 新村 社区 街道 大道 公园 学校 中学 小学 幼儿园 "
    "大学 学院 医院 卫生院 公司 集团 银行 工地 项目 市场 酒店 宾馆 楼盘 公馆 山庄 名苑 雅苑 "
    "乐园 物流园 工业园 产业园 派出所 车站 地铁站 高速 大桥 加油站 超市 "
    "苑 府 湾 园 村 镇 乡 路 街 巷 桥 厂 店 馆 寓 庭 郡 站"
)
_SUFFIXES = _SUFFIX_TEXT.split()
_SUFFIX_RE = re.compile("|".join(sorted(map(re.escape, _SUFFIXES), key=len, reverse=True)))
# Characters that never belong to a proper name (function words, administrative levels).
_STOP = frozenset(
    "的了是在我们你他她它和与及或也都就还又很被把给对从向到为以于之其这那个有没不无要会能可应请该本"
    "此各每某等啊吗呢吧呀着过得地号市区县省"
    "、。,.!?;: "
)
# Name heads that are generic, not names: 物业公司, 人民医院, 道路, 马路, 网站 …
_GENERIC_TEXT = (
    "物业 开发 建设 房产 地产 置业 有限 责任 人民 中心 附近 周边 旁边 门口 对面 整个 所有 一个 "
    "这个 那个 我们 小区 附属 城管 公交 该小 本小 农村 新建 修建 道路 马路 公路 城市 居民 "
    "业主 工作 单位 政府 当地 学校 医院 希望 反映 部门 领导 相关 有关 公交 地铁 我司 本公 该公"
)
_GENERIC_HEADS = frozenset(_GENERIC_TEXT.split())
_BAD_TEXT = "道路 马路 公路 线路 出路 思路 网路 铁路 套路 网站 车站 站站 厕所 政府 市府 省府 跑路"
_BAD_PAIRS = frozenset(_BAD_TEXT.split())
# Words a name never reaches back over: 希望政府 is not a place, nor 反映东苑小区.
_STOP_WORDS_TEXT = (
    "希望 反映 要求 建议 请求 投诉 举报 关于 位于 就是 没有 一个 我们 他们 政府 部门 领导 单位 "
    "居民 业主 还有 以及 附近 门口 旁边 对面 周边 今天 目前 现在 已经 影响 办理 窗口 注销 开办"
)
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# A name does not start with the end of another one (路公交站 in 翠苑三区路公交站).
_NOT_FIRST = frozenset("路街巷站村镇乡区县府湾桥")
_NOT_AFTER = {"路": "灯面", "站": "台", "村": "民"}
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff0-9a-z]")
_RUN = re.compile(r"[\u4e00-\u9fff0-9a-z]+")
# Bigrams made of these carry no meaning and are dropped to keep vectors small.
_FUNCTION = frozenset("的了是我们你他她在和与就都也还很吗呢吧啊请您")


@dataclass
class Message:
    """One message to cluster; ``user`` lets the heat index count distinct people."""

    id: str
    text: str
    likes: int = 0
    time: datetime | None = None
    enterprise: bool = False
    dislikes: int = 0
    user: str | None = None


@dataclass
class Cluster:
    id: int
    member_ids: list[str]
    title: str
    size: int
    first: datetime | None
    last: datetime | None
    heat: float


@dataclass
class Features:
    """What the same-problem notion looks at in one text."""

    entity: list[str] = field(default_factory=list)
    grievance: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """All keys: entity keys are marked with ``@`` so they never collide with bigrams."""
        return ["@" + e for e in self.entity] + self.grievance


def analysis_text(text: str) -> str:
    """The normalised head of a message that features are taken from."""
    return normalize(text.strip()[: MAX_CHARS * 2])[:MAX_CHARS]


def extract(text: str, *, normalized: bool = False) -> Features:
    """Entity keys and grievance bigrams of one message (deduplicated, in text order)."""
    t = text[:MAX_CHARS] if normalized else analysis_text(text)
    entity: dict[str, None] = {}
    covered = bytearray(len(t))
    floor = 0  # a name never reaches back over an earlier name or multi-character suffix
    prev_end, prev_key = -1, ""
    for m in _SUFFIX_RE.finditer(t):
        s, suffix = m.start(), m.group()
        j = s
        while (
            j > floor
            and s - j < 5
            and t[j - 1] not in _STOP
            and _NAME_CHAR.match(t[j - 1])
            and t[j - 2 : j] not in _STOP_WORDS
        ):
            j -= 1
        run = t[j:s]
        if t[m.end() : m.end() + 1] in _NOT_AFTER.get(suffix, ""):
            run = ""  # 路灯, 路面, 站台, 村民: a word, not the end of a name
        if len(suffix) > 1:
            floor = max(floor, m.end())
        if len(run) < 2 or (run[-1] + suffix[0]) in _BAD_PAIRS or run in _GENERIC_HEADS:
            # 朝阳路公交站: a generic facility right after a name belongs to that name.
            if j == prev_end == s - len(run) and run in _GENERIC_HEADS and prev_key:
                key = prev_key + run + suffix
                if len(key) <= 10:
                    entity[key] = None
                    covered[j : m.end()] = b"\x01" * (m.end() - j)
                    floor = prev_end = m.end()
            continue
        for k in range(2, len(run) + 1):
            head = run[-k:]
            if k == 2 and head in _GENERIC_HEADS:
                continue
            if (head[:2] in _GENERIC_HEADS and k < len(run)) or head[0] in _NOT_FIRST:
                continue
            entity[head + suffix] = None
        covered[j : m.end()] = b"\x01" * (m.end() - j)
        floor = max(floor, m.end())
        prev_end, prev_key = m.end(), run + suffix
    grievance: dict[str, None] = {}
    for m in _RUN.finditer(t):
        a, b = m.span()
        for i in range(a, b - 1):
            if covered[i] and covered[i + 1]:
                continue
            bg = t[i : i + 2]
            if bg[0] in _FUNCTION or bg[1] in _FUNCTION:
                continue
            grievance[bg] = None
    return Features(list(entity), list(grievance))


def idf(df: np.ndarray | float, n: int) -> np.ndarray | float:
    """Smoothed inverse document frequency, the weight of every key."""
    return np.log((n + 1) / (np.asarray(df) + 1)) + 1.0


def pair_score(shares_entity: bool, grievance_cosine: float, full_cosine: float) -> float:
    """The same-problem score of two messages, in 0..1 (see module docstring)."""
    if full_cosine >= DUPLICATE_COSINE:
        return max(full_cosine, grievance_cosine if shares_entity else 0.0)
    return grievance_cosine if shares_entity else 0.0


def pair_scores(shares_entity: np.ndarray, grievance_cosine: np.ndarray, full_cosine: np.ndarray):
    """Vectorised :func:`pair_score` over arrays of pairs."""
    score = np.where(shares_entity, grievance_cosine, 0.0)
    return np.where(full_cosine >= DUPLICATE_COSINE, np.maximum(score, full_cosine), score)


def entity_df_cap(n: int) -> int:
    """Entity keys held by more messages than this are too common to mean "same place"."""
    return max(50, int(ENTITY_MAX_DF * n))


def heat(
    members: Sequence[Message], now: datetime | None, *, half_life_days: float = HALF_LIFE_DAYS
) -> float:
    """Heat index of one cluster.

    ``heat = 10 · (ln(1 + V) + LIKE_WEIGHT · ln(1 + E)) · (1 + ENTERPRISE_BONUS · s)`` where

    * each message *i* has recency ``r_i = 2^(-age_i / half_life_days)``, its age in days before
      ``now`` (0 when later than ``now``; one half-life when its time is unknown);
    * volume ``V = Σ r_i / m_u(i)``, with ``m_u(i)`` the number of messages in the cluster from the
      same user (1 when the user is unknown), so each distinct person counts at most once;
    * endorsements ``E = Σ r_i · max(0, likes_i - DISLIKE_FRACTION · dislikes_i)``;
    * ``s`` is the share of messages from enterprises.

    Logarithms keep one viral message from outweighing many people; everything is monotone: more
    messages, people, likes or recency, or enterprise involvement, never lowers the heat.
    """
    if not members:
        return 0.0
    per_user = Counter(m.user for m in members if m.user)
    volume = endorsements = 0.0
    for m in members:
        if m.time is None or now is None:
            r = 0.5
        else:
            age = max(0.0, (now - m.time).total_seconds() / 86400.0)
            r = 2.0 ** (-age / half_life_days)
        volume += r / (per_user[m.user] if m.user else 1)
        endorsements += r * max(0.0, m.likes - DISLIKE_FRACTION * m.dislikes)
    share = sum(1 for m in members if m.enterprise) / len(members)
    value = 10.0 * (math.log1p(volume) + LIKE_WEIGHT * math.log1p(endorsements))
    return round(value * (1.0 + ENTERPRISE_BONUS * share), 4)


# --- vectorised machinery -------------------------------------------------------------------


class _Vocab:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, keys: Iterable[str]) -> list[int]:
        ids = self.ids
        out = []
        for k in keys:
            i = ids.get(k)
            if i is None:
                i = ids[k] = len(ids)
            out.append(i)
        return out


def _csr(rows: list[list[int]], n_cols: int) -> sparse.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    m = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))
    m.sort_indices()
    return m


def _weight(m: sparse.csr_matrix, df: np.ndarray, n: int) -> sparse.csr_matrix:
    m = m.copy()
    m.data = (idf(df, n) ** IDF_POWER).astype(np.float32)[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms).dot(m), dtype=np.float32)


def _rowdot(m: sparse.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 200_000):
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        e = s + chunk
        out[s:e] = np.asarray(m[a[s:e]].multiply(m[b[s:e]]).sum(axis=1)).ravel()
    return out


def _minhash(m: sparse.csr_matrix, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    perm = rng.permutation(max(m.shape[1], 1)).astype(np.int64)
    vals = perm[m.indices] if m.nnz else np.zeros(0, dtype=np.int64)
    out = np.full(m.shape[0], np.iinfo(np.int64).max, dtype=np.int64)
    nonempty = np.diff(m.indptr) > 0
    if m.nnz:
        out[nonempty] = np.minimum.reduceat(vals, m.indptr[:-1][nonempty])
    return out


def _candidate_pairs(
    block: sparse.csc_matrix, sigs: list[np.ndarray], small: int = 24, window: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows sharing a blocking column; bounded work per row (see module docstring)."""
    a_parts: list[np.ndarray] = []
    b_parts: list[np.ndarray] = []
    indptr, indices = block.indptr, block.indices
    for c in range(block.shape[1]):
        rows = indices[indptr[c] : indptr[c + 1]]
        k = len(rows)
        if k < 2:
            continue
        if k <= small:
            ii, jj = np.triu_indices(k, 1)
            a_parts.append(rows[ii])
            b_parts.append(rows[jj])
            continue
        for sig in sigs:
            order = rows[np.argsort(sig[rows], kind="stable")]
            for off in range(1, window + 1):
                a_parts.append(order[:-off])
                b_parts.append(order[off:])
    if not a_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a = np.concatenate(a_parts).astype(np.int64)
    b = np.concatenate(b_parts).astype(np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    code = np.unique(lo * (len(sigs[0]) + 1) + hi)
    return code // (len(sigs[0]) + 1), code % (len(sigs[0]) + 1)


# Words that say nothing about which problem it is (titles only).
_TITLE_STOP_TEXT = """
    反映 希望 尽快 处理 解决 麻烦 几天 一直 这样 部门 相关 有关 看看 星期 多月 居民 影响 问题 请
    重视 加强 管理 派人 说法 给个 您好 你好 网友 爆料 一下 已经 好几天 一个 多星期 半个月 上个月
    持续 还 没 没有 现在 目前 非常 严重 情况 领导 政府 市民 业主 群众 我们 他们 这里 那里 知道
    感谢 谢谢 请问 咨询 建议 要求 希望 附近 周边 旁边 门口 东侧 西侧 南侧 北侧 中段 路口 之前 邻居
    到现在"""
_TITLE_STOP = frozenset(_TITLE_STOP_TEXT.split())
_CLAUSE = re.compile(r"[，。！？；：,.!?;:\n]+")


def _title(texts: list[str], feats: list[Features], df_of: Callable[[str], int], n: int) -> str:
    """``<place> · <grievance words>``, whole words, at most 40 characters."""
    from civicdesk.triage.tokenize import words as _words  # jieba: titles only

    ent = Counter(e for f in feats for e in set(f.entity))
    place = ""
    if ent:
        place = max(ent.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
    count = Counter(g for f in feats for g in f.grievance)
    weight = {g: c * float(idf(df_of(g), n)) for g, c in count.items()}
    shared = len(feats) > 1

    def clause_score(c: str) -> float:
        bigrams = (c[i : i + 2] for i in range(len(c) - 1))
        return sum(weight.get(g, 0.0) for g in bigrams if not any(ch.isdigit() for ch in g))

    # The clause carrying most of the group's distinctive bigrams, from a few members.
    clauses = [c for t in texts[:5] for c in _CLAUSE.split(t[:MAX_CHARS]) if c.strip()]
    if not clauses:
        return place[:40]
    best = max(clauses[:40], key=clause_score)
    if place:
        best = best.replace(place, " ")
    if not shared:
        phrase = best.strip()[:24]
    else:
        scored = []
        for pos, w in enumerate(_words(best)):
            if w in _TITLE_STOP or len(w) < 2 or w.isdigit() or (place and w in place):
                continue
            s = sum(weight.get(w[i : i + 2], 0.0) for i in range(len(w) - 1)) / (len(w) - 1)
            scored.append((s, pos, w))
        top = sorted(scored, reverse=True)[:3]
        phrase = "".join(w for _, _, w in sorted(top, key=lambda x: x[1])) or best.strip()[:24]
    title = f"{place} · {phrase}" if place else phrase
    return title[:40]


def _constrained_merge(
    a: np.ndarray,
    b: np.ndarray,
    g_vec: sparse.csr_matrix,
    e_block: sparse.csr_matrix,
    min_cosine: float,
) -> np.ndarray:
    """Merge along pairs (best first) only while the merged group stays one problem.

    Two groups merge when they do not name different places (each group's *places* are the rare
    entity keys held by at least half its members; two non-empty, disjoint place sets mean
    different places) and, unless both are single messages (whose pair score already passed),
    when the cosine of their grievance centroids (sums of members' L2-normalised vectors, kept
    to the :data:`CENTROID_KEYS` largest weights) is at least ``min_cosine``. Shared
    boilerplate averages out of a centroid, so chains through it stop.
    """
    n = g_vec.shape[0]
    parent = list(range(n))
    size = [1] * n
    cent: dict[int, tuple[dict[int, float], float]] = {}
    places: dict[int, Counter] = {}
    gp, gi, gd = g_vec.indptr, g_vec.indices, g_vec.data
    ep, ei = e_block.indptr, e_block.indices

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def centroid(r: int) -> tuple[dict[int, float], float]:
        c = cent.get(r)
        if c is None:
            c = cent[r] = (
                dict(
                    zip(gi[gp[r] : gp[r + 1]].tolist(), gd[gp[r] : gp[r + 1]].tolist(), strict=True)
                ),
                1.0,
            )
        return c

    def place_counts(r: int) -> Counter:
        c = places.get(r)
        if c is None:
            c = places[r] = Counter(ei[ep[r] : ep[r + 1]].tolist())
        return c

    def majority(r: int) -> set[int]:
        need = size[r] / 2.0
        return {k for k, v in place_counts(r).items() if v >= need}

    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        px, py = majority(rx), majority(ry)
        if px and py and not (px & py):
            continue
        cx, nx = centroid(rx)
        cy, ny = centroid(ry)
        if size[rx] > 1 or size[ry] > 1:
            small, big = (cx, cy) if len(cx) <= len(cy) else (cy, cx)
            dot = sum(v * big.get(k, 0.0) for k, v in small.items())
            if dot < min_cosine * nx * ny:
                continue
        if size[rx] < size[ry]:
            rx, ry, cx, cy = ry, rx, cy, cx
        merged = dict(cx)
        for k, v in cy.items():
            merged[k] = merged.get(k, 0.0) + v
        if len(merged) > CENTROID_KEYS:
            top = sorted(merged.items(), key=lambda kv: -kv[1])[:CENTROID_KEYS]
            merged = dict(top)
        norm = math.sqrt(sum(v * v for v in merged.values())) or 1.0
        counts = place_counts(rx)
        counts.update(place_counts(ry))
        if len(counts) > 16:
            places[rx] = Counter(dict(counts.most_common(16)))
        parent[ry] = rx
        size[rx] += size[ry]
        cent[rx] = (merged, norm)
        cent.pop(ry, None)
        places.pop(ry, None)
    return np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)


def cluster_messages(
    messages: Sequence[Message],
    *,
    now: datetime | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    group_cosine: float = GROUP_COSINE,
) -> list[Cluster]:
    """Group messages reporting the same concrete problem; hottest cluster first, ids 1..n.

    Every message lands in exactly one cluster (a message with no match is a singleton). Time
    and memory grow near-linearly in the number of messages (no pairwise matrix). ``now`` is the
    reference time for the heat index's recency (default: the latest message time).
    """
    n = len(messages)
    if n == 0:
        return []
    if now is None:
        times = [m.time for m in messages if m.time is not None]
        now = max(times) if times else None
    texts = [analysis_text(m.text) for m in messages]
    feats = [extract(t, normalized=True) for t in texts]
    vocab = _Vocab()
    ent_rows = [vocab.encode("@" + e for e in f.entity) for f in feats]
    gri_rows = [vocab.encode(f.grievance) for f in feats]
    n_cols = len(vocab.ids)
    ent = _csr(ent_rows, n_cols)
    gri = _csr(gri_rows, n_cols)
    full = ent + gri
    df = np.bincount(full.indices, minlength=n_cols)
    g_vec = _weight(gri, df, n)
    f_vec = _weight(full, df, n)

    # Blocking: rare entity keys, plus each message's two rarest grievance keys (reposts).
    ent_cap = entity_df_cap(n)
    ent_ok = (df <= ent_cap) & (df >= 2)
    e_block = ent.multiply(ent_ok[None, :].astype(np.float32)).tocsr()
    rare_rows = []
    for r in gri_rows:
        if r:
            rr = sorted(r, key=lambda i: df[i])
            rare_rows.append([i for i in rr[:2] if df[i] >= 2])
        else:
            rare_rows.append([])
    block = (e_block + _csr(rare_rows, n_cols)).tocsc()
    block.sum_duplicates()
    sigs = [_minhash(full, 1), _minhash(full, 2)]
    a, b = _candidate_pairs(block, sigs)

    labels = np.arange(n)
    if len(a):
        g_cos = _rowdot(g_vec, a, b)
        f_cos = _rowdot(f_vec, a, b)
        shared = _rowdot(e_block, a, b) > 0
        score = pair_scores(shared, g_cos, f_cos)
        keep = score >= threshold
        order = np.argsort(-score[keep], kind="stable")
        labels = _constrained_merge(a[keep][order], b[keep][order], g_vec, e_block, group_cosine)

    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    ids = vocab.ids

    def df_of(key: str) -> int:
        i = ids.get(key)
        return 1 if i is None else int(df[i])

    clusters = []
    for rows in groups.values():
        members = [messages[i] for i in rows]
        times = [m.time for m in members if m.time is not None]
        title = _title([m.text for m in members], [feats[i] for i in rows], df_of, n)
        clusters.append(
            Cluster(
                id=0,
                member_ids=[m.id for m in members],
                title=title,
                size=len(members),
                first=min(times) if times else None,
                last=max(times) if times else None,
                heat=heat(members, now),
            )
        )
    clusters.sort(key=lambda c: (-c.heat, -c.size, c.member_ids[0]))
    for i, c in enumerate(clusters, 1):
        c.id = i
    return clusters
