"""Same-problem clustering: group messages that report the same concrete problem.

"Same problem" means the same place or entity AND the same grievance: two compounds' parking
fee disputes are two problems; two messages about the noise of one construction site are one.

How it works (details, choices and measurements in docs/triage-clustering.md):

1. Features (:mod:`civicdesk.triage.features`, shared with :mod:`civicdesk.triage.similar`):
   entity keys (a name before a place suffix), name keys (names found on the collection
   itself: what follows an administrative level, found again wherever it occurs) and grievance
   keys (character bigrams of the title and whole text outside the names, and thesaurus
   concepts, :mod:`civicdesk.triage.lexicon`). Bigrams held by more than
   :data:`STOP_SHARE` of the messages (boilerplate) or by one message only are dropped from
   the grievance vector; the rest are weighted by sublinear term frequency times idf.
2. Reposts (the same words whatever the punctuation) are joined first and counted with a
   weight.
3. Candidates, never an n-by-n matrix: every message is blocked on its rare entity and name
   keys, its two rarest grievance keys and, when it names no place, its concepts. Small
   blocks give all their pairs; large blocks are sorted by MinHash signatures (and by the set
   of concepts) and only neighbours within a window are paired, so the work per message is
   bounded.
4. Score of a pair (:func:`pair_scores`): the cosine of the grievance vectors when the two
   share a rare entity or name key, or when neither names a place and the cosine is at least
   :data:`UNPLACED_MIN`; near-duplicates (estimated Jaccard similarity of their keys ≥
   :data:`DUPLICATE_COSINE`) score at least that.
5. Average linkage on the sparse graph of scored pairs (:mod:`civicdesk.triage.linkage`):
   groups merge while their members are on average alike (≥ ``threshold``), and two groups
   that name different places never merge.
6. Titles (:mod:`civicdesk.triage.titles`): ``<place> · <grievance words>``.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import sparse

from civicdesk.triage.features import (
    Features,
    Featurized,
    analysis_text,
    entity_df_cap,
    extract,
    featurize,
    idf,
)
from civicdesk.triage.lexicon import QUALIFIERS
from civicdesk.triage.linkage import average_linkage
from civicdesk.triage.pairs import candidate_pairs, pair_dots, ranges
from civicdesk.triage.tone import Tone, read_tone

__all__ = [
    "DEFAULT_THRESHOLD",
    "Cluster",
    "Features",
    "Message",
    "analysis_text",
    "cluster_messages",
    "entity_df_cap",
    "extract",
    "heat",
    "idf",
    "pair_score",
    "pair_scores",
]

# Words that only praise says (not 方便 or 及时, which requests use too).
_PRAISE_CUE = re.compile("点赞|点个赞|赞一个|好评|表扬|称赞|给力|好样的|满分|锦旗")

#: Average similarity at which groups merge: the best B-cubed F1 on the tuning half of the gold
#: sample among the thresholds whose pair precision there is at least 0.95.
DEFAULT_THRESHOLD = 0.1
#: Bigrams held by more than this share of the messages are boilerplate (希望, 尽快, 已经).
STOP_SHARE = 0.05
#: Cosine two messages that name no place need to count as alike at all.
UNPLACED_MIN = 0.2
#: Estimated Jaccard similarity (or cosine) at which two texts are near-duplicates.
DUPLICATE_COSINE = 0.7
#: Grievance cosine above which a pair's exact Jaccard similarity is computed.
DUPLICATE_GATE = 0.5
#: Blocks up to this size give all their pairs; larger ones are sorted and windowed.
SMALL_BLOCK = 64
#: Messages naming more objects than this are left out of the objects rule (see _objects).
MAX_OBJECTS = 2
#: Neighbours paired in a sorted large block.
WINDOW = 8
#: Scored pairs below this share of the threshold are left out of the linkage.
WEAK_EDGE = 0.2
#: MinHash signatures per message (near-duplicates and sorting large blocks).
N_MINHASH = 8
_PUNCT = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")

# Heat index parameters (see :func:`heat`).
HALF_LIFE_DAYS = 30.0
LIKE_WEIGHT = 0.5
DISLIKE_FRACTION = 0.5
ENTERPRISE_BONUS = 0.5


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


def pair_score(shares_name: bool, grievance_cosine: float, full_similarity: float) -> float:
    """The same-problem score of two messages, in 0..1 (see module docstring)."""
    score = grievance_cosine if shares_name else 0.0
    if full_similarity >= DUPLICATE_COSINE:
        return max(score, full_similarity)
    return score


def pair_scores(
    shares_name: np.ndarray, grievance_cosine: np.ndarray, full_similarity: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`pair_score` over arrays of pairs."""
    score = np.where(shares_name, grievance_cosine, 0.0)
    return np.where(full_similarity >= DUPLICATE_COSINE, np.maximum(score, full_similarity), score)


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


def cluster_messages(
    messages: Sequence[Message],
    *,
    now: datetime | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    titles: bool = True,
) -> list[Cluster]:
    """Group messages reporting the same concrete problem; hottest cluster first, ids 1..n.

    Every message lands in exactly one cluster (a message with no match is a singleton). Time
    and memory grow near-linearly in the number of messages (no pairwise matrix). ``now`` is the
    reference time for the heat index's recency (default: the latest message time);
    ``titles=False`` leaves titles empty (benchmarks of the grouping alone).
    """
    n = len(messages)
    if n == 0:
        return []
    if now is None:
        times = [m.time for m in messages if m.time is not None]
        now = max(times) if times else None
    texts = [analysis_text(m.text) for m in messages]
    features = featurize(texts)
    labels = _labels(features, texts, threshold)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    rows_of: list[list[int]] = []
    clusters = []
    for rows in groups.values():
        members = [messages[i] for i in rows]
        times = [m.time for m in members if m.time is not None]
        clusters.append(
            Cluster(
                id=0,
                member_ids=[m.id for m in members],
                title="",
                size=len(members),
                first=min(times) if times else None,
                last=max(times) if times else None,
                heat=heat(members, now),
            )
        )
        rows_of.append(rows)
    order = sorted(
        range(len(clusters)),
        key=lambda k: (-clusters[k].heat, -clusters[k].size, clusters[k].member_ids[0]),
    )
    clusters = [clusters[k] for k in order]
    rows_of = [rows_of[k] for k in order]
    for i, c in enumerate(clusters, 1):
        c.id = i
    if titles:
        from civicdesk.triage.titles import TitleMaker

        maker = TitleMaker(features, texts)
        for c, rows in zip(clusters, rows_of, strict=True):
            c.title = maker.title(rows)
    return clusters


# --- the grouping -------------------------------------------------------------------------


def _labels(f: Featurized, texts: list[str], threshold: float) -> np.ndarray:
    """Cluster label of each analysed text (see the module docstring, steps 1-5)."""
    n = len(texts)
    n_cols = len(f.vocab)
    df = np.bincount(
        np.concatenate([f.entity.indices, f.names.indices, f.grievance.indices]),
        minlength=n_cols,
    )
    is_concept = np.zeros(n_cols, dtype=bool)
    is_concept[[i for k, i in f.vocab.items() if k.startswith("#")]] = True
    # Boilerplate bigrams say nothing about which problem it is, and a key no other message
    # holds cannot make two messages alike (it only dilutes long messages): both are left out
    # of the grievance vector. Concepts stay.
    keep = ((df <= max(2.0, STOP_SHARE * n)) | is_concept) & (df >= 2)
    g_vec = _weight(f.grievance.multiply(keep[None, :].astype(np.float32)).tocsr(), df, n)

    cap = entity_df_cap(n)
    rare = ((df <= cap) & (df >= 2)).astype(np.float32)
    e_block = f.entity.multiply(rare[None, :]).tocsr()
    gate = (e_block + f.names.multiply(rare[None, :])).tocsr()
    extra = _rarest(f.grievance, df, 2)

    # Reposts stand for each other from here on, with a weight.
    reps, copy_of, weights = _reposts(texts, f)
    if len(reps) < n:
        gate, e_block, g_vec = gate[reps], e_block[reps], g_vec[reps]
        extra, grievance = extra[reps], f.grievance[reps]
    else:
        grievance = f.grievance
    m = len(reps)
    placed = np.diff(e_block.indptr) > 0
    # Messages that name no place are also blocked on their concepts, so that paraphrases of
    # one district-wide grievance meet; a large block is also sorted by the set of concepts.
    # What each message is about: the thesaurus concepts it names (1 each).
    topics = sparse.csr_matrix(
        grievance.multiply(is_concept[None, :].astype(np.float32)), dtype=np.float32
    )
    topics.eliminate_zeros()
    topics.data[:] = 1.0
    concepts = sparse.csr_matrix(sparse.diags((~placed).astype(np.float32)) @ topics)
    # A busy place's block is larger than SMALL_BLOCK and only paired by windows, so most
    # pairs of two people's different words for one grievance there were never scored (and
    # count as 0 in the average). Blocks of one place and one concept are small enough to
    # pair whole (round 4: demo recall 0.851 -> 0.862, the gold unchanged, 100,000 messages
    # about 2 s more). The place is each message's rarest place key and the broadest key that
    # begins it: the rarest is often a spot (文化街中段, 文化街北侧), and the reports of one
    # street's night works, each from another spot, never met (round 5).
    places = _rarest(gate, df, 1)
    places = places + _roots(gate, places, df, f.vocab)
    block = sparse.hstack([gate + extra + concepts, _place_topics(places, topics)])
    block = block.tocsc()
    block.sum_duplicates()
    cp, ci = concepts.indptr, concepts.indices
    concept_set = np.fromiter(
        (zlib.crc32(ci[cp[r] : cp[r + 1]].tobytes()) for r in range(m)), np.int64, m
    )
    sigs = [_minhash(grievance, seed) for seed in range(1, N_MINHASH + 1)]
    a, b = candidate_pairs(block, [sigs[0], sigs[1], concept_set], SMALL_BLOCK, WINDOW)
    if not len(a):
        return reps[copy_of]

    shared = pair_dots(gate, a, b) > 0
    unplaced = ~placed[a] & ~placed[b] & ~shared
    live = shared | unplaced  # the other pairs cannot score: not computed
    a, b, unplaced = a[live], b[live], unplaced[live]
    g_cos = pair_dots(g_vec, a, b).astype(np.float32)
    # Without a shared name only close wording counts (one district-wide grievance said
    # alike), not a shared topic (two people's questions about housing loans).
    g_cos = np.where(unplaced & (g_cos < UNPLACED_MIN), 0.0, g_cos)
    # Near-duplicates: the Jaccard similarity of their keys, computed exactly where it can
    # reach DUPLICATE_COSINE (on the gold, every pair with a Jaccard similarity of 0.6 or more
    # has a grievance cosine above 0.75). An estimate from 8 MinHash values was wrong by 0.2
    # often enough to join templated texts about different windows.
    jaccard = np.zeros(len(a), dtype=np.float32)
    close = np.flatnonzero(g_cos >= DUPLICATE_GATE)
    if len(close):
        held = sparse.csr_matrix(
            (np.ones(grievance.nnz, dtype=np.float32), grievance.indices, grievance.indptr),
            shape=grievance.shape,
        )
        size = np.diff(held.indptr).astype(np.float32)
        common = pair_dots(held, a[close], b[close])
        union = size[a[close]] + size[b[close]] - common
        jaccard[close] = np.where(union > 0, common / np.maximum(union, 1.0), 0.0)
    score = pair_scores(np.ones(len(a), dtype=bool), g_cos, jaccard)
    # Edges this weak move no average across the threshold; leaving them out saves the
    # linkage most of its work.
    keep_pair = score >= WEAK_EDGE * threshold
    # A group's places: its rare entity and name keys (奥克斯缔壹城 has no suffix). Its topics:
    # the thesaurus concepts it names. Groups whose majority places, or whose majority topics,
    # are known on both sides and disjoint never merge: a compound's lift and its parking fees
    # are two problems however much template wording their reports share (round 4: the gold's
    # pair precision 0.948 -> 0.960 on the reporting half, the demo's 0.908 -> 0.915).
    # Their objects too: the topics without the words that say when or how (night, noise,
    # fees …), so that a street's night works and the night noise of a barbecue's fan stay
    # two problems (round 5).
    # Praise of a window and complaints about it are never one problem, however alike their
    # words (材料不全还主动帮忙联系补齐，点个赞 / 同样的材料要交好几遍).
    praise = _praise([texts[r] for r in reps])
    tones = sparse.csr_matrix(
        (np.ones(m, dtype=np.float32), (np.arange(m), praise.astype(np.int64))), shape=(m, 2)
    )
    labels = average_linkage(
        m,
        a[keep_pair],
        b[keep_pair],
        score[keep_pair],
        threshold,
        gate,
        weights,
        apart=[topics, tones, _objects(topics, f.vocab)],
    )
    return reps[labels[copy_of]]


def _objects(topics: sparse.csr_matrix, vocab: dict[str, int]) -> sparse.csr_matrix:
    """What each message is about, for the linkage's rule: its concepts other than the
    qualifiers (:data:`~civicdesk.triage.lexicon.QUALIFIERS`), for messages naming at most
    :data:`MAX_OBJECTS` of them (a long letter names many things in passing, and which is its
    own is not known: it is left out of its group's majority)."""
    keep = np.ones(topics.shape[1], dtype=np.float32)
    keep[[vocab["#" + q] for q in QUALIFIERS if "#" + q in vocab]] = 0.0
    objects = sparse.csr_matrix(topics.multiply(keep[None, :]), dtype=np.float32)
    objects.eliminate_zeros()
    few = (np.diff(objects.indptr) <= MAX_OBJECTS).astype(np.float32)
    objects = sparse.csr_matrix(sparse.diags(few) @ objects)
    objects.eliminate_zeros()
    return objects


def _place_topics(places: sparse.csr_matrix, topics: sparse.csr_matrix) -> sparse.csr_matrix:
    """Blocking columns of one place and one concept: each of a message's ``places`` keys
    crossed with each concept it names."""
    m = places.shape[0]
    places, topics = sparse.csr_matrix(places), sparse.csr_matrix(topics)
    held, named = np.diff(places.indptr), np.diff(topics.indptr)
    rows, codes = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    # A message holds one or two places: its k-th place with each of its concepts, per k.
    for k in range(int(held.max(initial=0))):
        has = np.flatnonzero(held > k)
        place = places.indices[places.indptr[has] + k].astype(np.int64)
        concept = topics.indices[ranges(topics.indptr[has], named[has])].astype(np.int64)
        rows.append(np.repeat(has, named[has]))
        codes.append(np.repeat(place, named[has]) * (topics.shape[1] + 1) + concept)
    row, code = np.concatenate(rows), np.concatenate(codes)
    _, column = np.unique(code, return_inverse=True)
    return sparse.csr_matrix(
        (np.ones(len(row), np.float32), (row, column.ravel())),
        shape=(m, int(column.max(initial=-1)) + 1),
    )


def _roots(
    gate: sparse.csr_matrix, rarest: sparse.csr_matrix, df: np.ndarray, vocab: dict[str, int]
) -> sparse.csr_matrix:
    """For each message, the most common of its place keys whose text begins its rarest
    place key's text (文化街 for 文化街中段; entity and name keys alike), where it has one."""
    rarest = sparse.csr_matrix(rarest)
    has = np.diff(rarest.indptr) > 0
    keys = rarest.indices[rarest.indptr[:-1][has]]
    wanted = set(keys.tolist())
    text_of = {col: key[1:] for key, col in vocab.items() if col in wanted}
    root_of: dict[int, list[int]] = {}
    for col in wanted:
        text = text_of[col]
        root_of[col] = [
            found
            for size in range(2, len(text))
            for marker in "@~"
            if (found := vocab.get(marker + text[:size])) is not None
        ]
    rows = np.flatnonzero(has)
    cand_rows = np.repeat(rows, [len(root_of[k]) for k in keys.tolist()]).astype(np.int64)
    if not len(cand_rows):
        return sparse.csr_matrix(gate.shape, dtype=np.float32)
    cand_cols = np.fromiter(
        (c for k in keys.tolist() for c in root_of[k]), np.int64, len(cand_rows)
    )
    # Only keys the message holds among its rare places, the most common of them.
    held = np.asarray(gate[cand_rows, cand_cols]).ravel() > 0
    cand_rows, cand_cols = cand_rows[held], cand_cols[held]
    order = np.lexsort((-df[cand_cols], cand_rows))
    cand_rows, cand_cols = cand_rows[order], cand_cols[order]
    first = np.ones(len(cand_rows), dtype=bool)
    first[1:] = cand_rows[1:] != cand_rows[:-1]
    return sparse.csr_matrix(
        (np.ones(int(first.sum()), np.float32), (cand_rows[first], cand_cols[first])),
        shape=gate.shape,
    )


def _praise(texts: list[str]) -> np.ndarray:
    """Which texts are praise: a strong praise cue (点赞, 表扬 …) and no concern
    (:func:`civicdesk.triage.tone.read_tone`, which takes about 0.2 ms a text, so it reads only
    the few texts with such a cue)."""
    out = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        if _PRAISE_CUE.search(text) and read_tone(text).tone is Tone.PRAISE:
            out[i] = True
    return out


def _reposts(texts: list[str], f: Featurized) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(representative rows, each message's representative's position, weights): texts with
    the same characters apart from punctuation and spacing are one."""
    n = len(texts)
    # The characters without punctuation and spacing, and how many there are (the length
    # guards the 32-bit hash; the length of the text with its punctuation would tell
    # 揽活，老百姓 from 揽活。 老百姓).
    bare = [_PUNCT.sub("", t) for t in texts]
    key = np.fromiter(
        (zlib.crc32(b.encode()) << 20 | min(len(b), (1 << 20) - 1) for b in bare),
        dtype=np.int64,
        count=n,
    )
    empty = np.diff((f.entity + f.names + f.grievance).indptr) == 0
    key[empty] = -np.arange(1, int(empty.sum()) + 1)  # empty texts are never alike
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    reps = np.sort(first)
    position = np.empty(n, dtype=np.int64)
    position[reps] = np.arange(len(reps))
    copy_of = position[first[inverse.ravel()]]
    weights = np.bincount(copy_of, minlength=len(reps)).astype(np.float64)
    return reps, copy_of, weights


def _rarest(m: sparse.csr_matrix, df: np.ndarray, k: int) -> sparse.csr_matrix:
    """Each row's ``k`` rarest keys held by at least two rows (to block reposts on)."""
    n = m.shape[0]
    counts = np.diff(m.indptr)
    row = np.repeat(np.arange(n), counts)
    d = df[m.indices].astype(np.int64)
    top = int(df.max(initial=0)) + 1
    d = np.where(d >= 2, d, top)  # keys of one row only come last
    # One stable sort of one key (row, then rarity; ties in column order): a lexsort sorts
    # twice.
    order = np.argsort(row * (top + 1) + d, kind="stable")
    rank = np.arange(len(order)) - np.repeat(m.indptr[:-1], counts)
    pick = order[(rank < k)]
    pick = pick[df[m.indices[pick]] >= 2]
    return sparse.csr_matrix(
        (np.ones(len(pick), np.float32), (row[pick], m.indices[pick])), shape=m.shape
    )


def _weight(m: sparse.csr_matrix, df: np.ndarray, n: int) -> sparse.csr_matrix:
    """Rows weighted by idf (times their term frequency weight) and L2-normalised."""
    m = m.copy().astype(np.float32)
    m.data *= idf(df, n).astype(np.float32)[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms).dot(m), dtype=np.float32)


def _minhash(m: sparse.csr_matrix, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    perm = rng.permutation(max(m.shape[1], 1)).astype(np.int64)
    vals = perm[m.indices] if m.nnz else np.zeros(0, dtype=np.int64)
    out = np.full(m.shape[0], np.iinfo(np.int64).max, dtype=np.int64)
    nonempty = np.diff(m.indptr) > 0
    if m.nnz:
        out[nonempty] = np.minimum.reduceat(vals, m.indptr[:-1][nonempty])
    return out
