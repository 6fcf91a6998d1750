"""Same-problem lookup at intake: which stored messages report the same concrete problem?

The notion is the one of :mod:`civicdesk.triage.cluster` (same features, same weights, same
:func:`~civicdesk.triage.cluster.pair_scores`): a stored message matches when it shares a rare
entity key with the query and their grievance vectors are close, or when it is a near-duplicate.

Layout, built for a million messages in well under a gigabyte and a few milliseconds a query:

* every message's key ids (entity keys first) in one ``array('i')``, with offsets;
* an inverted index only over *entity keys* and each message's :data:`N_ANCHORS` *anchor*
  bigrams (the ones with the smallest stable hash, a bottom-k sketch that near-duplicates share);
  a posting list stops growing at :data:`POSTING_CAP` (such a key is too common to mean "same
  place" anyway), so postings stay a few entries per message;
* at query time candidates come from the postings of the query's rare entity keys and anchors,
  are pre-ranked by idf-weighted key overlap (newest first on ties), and the best
  :data:`VERIFY` are scored exactly.
"""

from __future__ import annotations

import json
import math
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from civicdesk.triage.cluster import (
    DEFAULT_THRESHOLD,
    entity_df_cap,
    extract,
    idf,
    pair_scores,
)
from civicdesk.triage.errors import ModelFormatError, TriageError

__all__ = ["SameProblemIndex"]

FORMAT = "civicdesk-same-problem-index"
VERSION = 5  # 2: name keys (~) beside entity keys, concepts (#) among the anchors;
# 3: power cuts and new connections, subsidies and policies are apart (lexicon);
# 4: the opening of a forwarded post (网友爆料, 群里居民反映) is no name key; concepts of
# service-window grievances (lexicon); 5: a kind of place (幼儿园) is no name key, 雨路 no
# road, concepts of firms' grievances (lexicon)
N_ANCHORS = 6
POSTING_CAP = 20_000
VERIFY = 256


def _anchors(grievance: list[str]) -> list[str]:
    """The keys a message is found by besides its places: its bigrams with the smallest
    CRC-32 (a bottom-k sketch near-duplicates share) and every thesaurus concept (paraphrases
    share concepts, not words)."""
    bigrams = [g for g in grievance if not g.startswith("#")]
    concepts = [g for g in grievance if g.startswith("#")]
    return sorted(bigrams, key=lambda g: zlib.crc32(g.encode()))[:N_ANCHORS] + concepts


def _place_keys(f) -> list[str]:
    """Entity keys (``@``) and name keys (``~``): what says where, or who."""
    return ["@" + e for e in f.entity] + ["~" + n for n in f.names]


class SameProblemIndex:
    """Stored messages, searchable for "the same concrete problem" as a new text."""

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._df = array("i")  # live messages holding each key
        self._entity = bytearray()  # 1 where a key is an entity key
        self._post: list[array | None] = []  # postings of entity keys and anchors
        self._ids: list[str | None] = []
        self._pos: dict[str, int] = {}
        self._keys = array("i")
        self._start = array("q", [0])
        self._nent = array("h")
        self._alive = bytearray()
        # What the caller saved with the index (e.g. the newest message id it covers).
        self.meta: dict = {}

    # --- building -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._pos)

    def _key_id(self, key: str, entity: bool) -> int:
        i = self._vocab.get(key)
        if i is None:
            i = self._vocab[key] = len(self._df)
            self._df.append(0)
            self._entity.append(1 if entity else 0)
            self._post.append(None)
        return i

    def _post_to(self, key_id: int, doc: int) -> None:
        p = self._post[key_id]
        if p is None:
            self._post[key_id] = array("i", [doc])
        elif len(p) < POSTING_CAP:
            p.append(doc)

    def add(self, id: str, text: str) -> None:
        """Store one message (replacing any message stored under the same id)."""
        if not isinstance(id, str) or not id or "\n" in id:
            raise TriageError(f"message id must be a non-empty one-line string, got {id!r}")
        if id in self._pos:
            self.remove(id)
        f = extract(text)
        doc = len(self._ids)
        ent = [self._key_id(k, True) for k in _place_keys(f)]
        gri = [self._key_id(g, False) for g in f.grievance]
        for k in ent + gri:
            self._df[k] += 1
        for k in ent:
            self._post_to(k, doc)
        for g in _anchors(f.grievance):
            self._post_to(self._vocab[g], doc)
        self._keys.extend(ent)
        self._keys.extend(gri)
        self._start.append(len(self._keys))
        self._nent.append(min(len(ent), 32767))
        self._ids.append(id)
        self._alive.append(1)
        self._pos[id] = doc

    def add_many(self, items: Iterable[tuple[str, str]]) -> None:
        for id, text in items:
            self.add(id, text)

    def remove(self, id: str) -> None:
        """Forget a message; unknown ids raise ``KeyError``."""
        doc = self._pos.pop(id)
        self._alive[doc] = 0
        self._ids[doc] = None
        for k in self._keys[self._start[doc] : self._start[doc + 1]]:
            self._df[k] -= 1

    # --- querying -------------------------------------------------------------------------

    def query(
        self, text: str, k: int = 5, min_score: float = DEFAULT_THRESHOLD
    ) -> list[tuple[str, float]]:
        """Stored messages reporting the same problem as ``text``, best first, scores in 0..1."""
        n = len(self._pos)
        if n == 0 or k <= 0:
            return []
        f = extract(text)
        vocab = self._vocab
        q_ent = [vocab[k] for k in _place_keys(f) if k in vocab]
        q_gri = [vocab[g] for g in f.grievance if g in vocab]
        df = self._df
        cap = entity_df_cap(n)
        rare_ent = [i for i in q_ent if 1 < df[i] <= cap and df[i] <= POSTING_CAP] or [
            i for i in q_ent if 0 < df[i] <= cap and df[i] <= POSTING_CAP
        ]
        anchors = [vocab[g] for g in _anchors(f.grievance) if g in vocab]
        block = rare_ent + [i for i in anchors if 0 < df[i] < POSTING_CAP and i not in rare_ent]
        if not block:
            return []
        lists = [np.frombuffer(self._post[i], dtype=np.int32) for i in block if self._post[i]]
        if not lists:
            return []
        weights = idf(np.array([df[i] for i in block], dtype=np.float64), n) ** 2
        docs = np.concatenate(lists)
        w = np.repeat(weights[: len(lists)], [len(a) for a in lists])
        uniq, inv = np.unique(docs, return_inverse=True)
        pre = np.bincount(inv, weights=w)
        alive = np.frombuffer(self._alive, dtype=np.uint8)[uniq].astype(bool)
        uniq, pre = uniq[alive], pre[alive]
        if len(uniq) == 0:
            return []
        if len(uniq) > VERIFY:
            # Highest overlap first, newest first on ties.
            order = np.lexsort((-uniq, -pre))[:VERIFY]
            uniq = uniq[order]
        # A text that names no place (工地半夜还在干活，电钻声吵得睡不着: no suffixed place, no
        # name the index knows) is compared by its grievance with every candidate.
        anywhere = not f.entity and not q_ent
        return self._verify(uniq, q_ent, q_gri, set(rare_ent), n, k, min_score, anywhere)

    def _verify(self, cand, q_ent, q_gri, rare_ent, n, k, min_score, anywhere=False):
        keys = np.frombuffer(self._keys, dtype=np.int32)
        start = np.frombuffer(self._start, dtype=np.int64)
        nent = np.frombuffer(self._nent, dtype=np.int16)
        df = np.frombuffer(self._df, dtype=np.int32)
        segs = [keys[start[c] : start[c + 1]] for c in cand]
        lens = np.array([len(s) for s in segs])
        allk = np.concatenate(segs) if segs else np.zeros(0, np.int32)
        owner = np.repeat(np.arange(len(cand)), lens)
        pos_in = np.arange(len(allk)) - np.repeat(np.cumsum(lens) - lens, lens)
        is_ent = pos_in < np.repeat(nent[cand], lens)
        w2 = idf(df[allk].astype(np.float64), n) ** 2
        q_all = np.array(q_ent + q_gri, dtype=np.int32)
        in_q = np.isin(allk, q_all)
        in_rare = np.isin(allk, np.array(sorted(rare_ent), dtype=np.int32))
        size = len(cand)
        d_full = np.bincount(owner, weights=w2, minlength=size)
        d_gri = np.bincount(owner, weights=w2 * ~is_ent, minlength=size)
        dot_full = np.bincount(owner, weights=w2 * in_q, minlength=size)
        dot_gri = np.bincount(owner, weights=w2 * (in_q & ~is_ent), minlength=size)
        shared = np.bincount(owner, weights=in_rare, minlength=size) > 0
        if anywhere:
            shared[:] = True
        qw_ent = idf(df[np.array(q_ent, dtype=np.int64)].astype(np.float64), n) ** 2
        qw_gri = idf(df[np.array(q_gri, dtype=np.int64)].astype(np.float64), n) ** 2
        q_gri_norm = math.sqrt(float(qw_gri.sum()))
        q_full_norm = math.sqrt(float(qw_ent.sum() + qw_gri.sum()))
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.nan_to_num(dot_gri / (np.sqrt(d_gri) * q_gri_norm))
            full = np.nan_to_num(dot_full / (np.sqrt(d_full) * q_full_norm))
        score = np.clip(pair_scores(shared, g, full), 0.0, 1.0)
        order = np.argsort(-score, kind="stable")
        out = []
        for j in order[:k]:
            if score[j] < min_score or score[j] <= 0:
                break
            out.append((self._ids[int(cand[j])], round(float(score[j]), 4)))
        return out

    # --- persistence ----------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to one ``.npz`` file (no pickle), compacting removed messages.

        ``meta`` is saved with it; it must be JSON (a dict of plain values)."""
        live = [d for d in range(len(self._ids)) if self._alive[d]]
        keys = np.frombuffer(self._keys, dtype=np.int32)
        start = np.frombuffer(self._start, dtype=np.int64)
        segs = [keys[start[d] : start[d + 1]] for d in live]
        lens = np.array([len(s) for s in segs], dtype=np.int64)
        header = {"format": FORMAT, "version": VERSION, "messages": len(live), "meta": self.meta}
        vocab = sorted(self._vocab, key=self._vocab.__getitem__)
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
                vocab=np.frombuffer("\n".join(vocab).encode(), dtype=np.uint8),
                ids=np.frombuffer("\n".join(self._ids[d] for d in live).encode(), np.uint8),
                keys=np.concatenate(segs) if segs else np.zeros(0, np.int32),
                lens=lens,
                nent=np.frombuffer(self._nent, dtype=np.int16)[live],
            )

    @classmethod
    def load(cls, path: str | Path) -> SameProblemIndex:
        """Read an index written by :meth:`save`; other files raise ``ModelFormatError``."""
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(z["header"].tobytes().decode())
                if header.get("format") != FORMAT:
                    raise ModelFormatError("not a same-problem index", file=str(path))
                if header.get("version") != VERSION:
                    raise ModelFormatError(
                        f"same-problem index version {header.get('version')} is not "
                        f"supported (expected {VERSION})",
                        file=str(path),
                    )
                vocab_text = z["vocab"].tobytes().decode()
                ids_text = z["ids"].tobytes().decode()
                keys, lens, nent = z["keys"], z["lens"], z["nent"]
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFormatError(
                f"cannot read same-problem index: {exc}", file=str(path)
            ) from exc
        index = cls()
        vocab = vocab_text.split("\n") if vocab_text else []
        ids = ids_text.split("\n") if ids_text else []
        index._vocab = {key: i for i, key in enumerate(vocab)}
        index._entity = bytearray(1 if key[:1] in ("@", "~") else 0 for key in vocab)
        index._df = array("i", np.bincount(keys, minlength=len(vocab)).astype(np.int32).tobytes())
        index._post = [None] * len(vocab)
        index._ids = list(ids)
        index._pos = {i: d for d, i in enumerate(ids)}
        index._keys = array("i", keys.astype(np.int32).tobytes())
        index._start = array("q", np.concatenate([[0], np.cumsum(lens)]).astype(np.int64).tobytes())
        index._nent = array("h", nent.astype(np.int16).tobytes())
        index._alive = bytearray(b"\x01" * len(ids))
        index._post = _postings(vocab, keys.astype(np.int32), lens, nent)
        index.meta = header.get("meta") or {}
        return index


def _postings(
    vocab: list[str], keys: np.ndarray, lens: np.ndarray, nent: np.ndarray
) -> list[array | None]:
    """The posting lists that adding the messages one by one would build, in bulk.

    Each message posts its entity and name keys and its anchors (`_anchors`: the bigrams with
    the smallest CRC-32, ties in stored order, and every concept); each list holds message
    numbers in ascending order and stops at POSTING_CAP. Loading 300,000 messages this
    way took 5.4 s, against 61 s to add them one by one (bench/triage_cluster.py,
    docs/benchmarks.md)."""
    n_docs = len(lens)
    doc = np.repeat(np.arange(n_docs, dtype=np.uint64), lens)
    offset = np.arange(len(keys), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
    is_entity = offset < np.repeat(nent.astype(np.int64), lens)
    crc = np.fromiter((zlib.crc32(key.encode()) for key in vocab), np.uint32, len(vocab))
    concept = np.fromiter((key.startswith("#") for key in vocab), bool, len(vocab))
    # Concepts are always posted; the other grievance keys compete for the anchors.
    posted_concepts = ~is_entity & concept[keys]
    grievance = ~is_entity & ~concept[keys]
    g_keys, g_doc = keys[grievance], doc[grievance]
    # One 64-bit sort key (message, CRC): a stable sort keeps stored order on ties, as
    # `_anchors` does, and sorting one integer array is far faster than a lexsort.
    order = np.argsort((g_doc << np.uint64(32)) | crc[g_keys], kind="stable")
    g_keys, g_doc = g_keys[order], g_doc[order]
    per_doc = np.bincount(g_doc.astype(np.int64), minlength=n_docs)
    rank = np.arange(len(g_doc)) - (np.cumsum(per_doc) - per_doc)[g_doc.astype(np.int64)]
    anchor = rank < N_ANCHORS
    # Postings grouped by key, messages ascending: one sort of (key, message) packed together.
    pairs = np.sort(
        np.concatenate(
            [
                (keys[is_entity].astype(np.uint64) << np.uint64(32)) | doc[is_entity],
                (g_keys[anchor].astype(np.uint64) << np.uint64(32)) | g_doc[anchor],
                (keys[posted_concepts].astype(np.uint64) << np.uint64(32)) | doc[posted_concepts],
            ]
        )
    )
    post_keys = (pairs >> np.uint64(32)).astype(np.int64)
    post_docs = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int32)
    heads = np.flatnonzero(np.r_[True, post_keys[1:] != post_keys[:-1]][: len(post_keys)])
    ends = np.minimum(np.r_[heads[1:], len(post_keys)], heads + POSTING_CAP)
    post: list[array | None] = [None] * len(vocab)
    keys_at = post_keys[heads].tolist()
    for key, head, end in zip(keys_at, heads.tolist(), ends.tolist(), strict=True):
        post[key] = array("i", post_docs[head:end].tobytes())
    return post
