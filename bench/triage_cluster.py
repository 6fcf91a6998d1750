"""Benchmark of same-problem clustering and lookup (docs/triage-clustering.md, docs/benchmarks.md).

    python bench/triage_cluster.py [--sizes 1000,10000,100000] [--index-size 1000000]
                                   [--gold bench/data/hot_problem_gold.csv]

Quality: all 4,326 hot messages are clustered and the result is scored on the hand-grouped
gold sample (``--gold``, default ``bench/data/hot_problem_gold.csv``, built as
docs/triage-clustering.md describes; ``bench/data/hot_problem_groups.csv`` is the older, smaller
one) with pairwise and B-cubed precision/recall/F1, next to the O(n²) baseline: plain TF-IDF
over character 2-4-grams with average-linkage AgglomerativeClustering. Thresholds of both are
tuned on the *tuning* half of the sample (groups split by a hash of their label) and reported
on both halves. The same run checks the titles of the gold groups' clusters (place and a shared
grievance word) and the same-problem hints' recall@5. Scaling: messages resampled from the data
set with perturbations.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import platform
import random
import resource
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civicdesk.triage.cluster import (  # noqa: E402
    DEFAULT_THRESHOLD,
    Message,
    cluster_messages,
)

DATA = ROOT.parent / "shared" / "data" / "civic-messages" / "hot_messages.csv"
LABELS = ROOT / "bench" / "data" / "hot_problem_gold.csv"


# --- metrics (civicdesk.triage.scoring; the names stay here for older callers) -----------

from civicdesk.triage.scoring import (  # noqa: E402
    bcubed_prf,
    pairwise_prf,
    title_check,
    title_whole_words,
)

# --- data ---------------------------------------------------------------------------------


def _time(value: str) -> datetime | None:
    value = value.strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def load_messages(path: Path = DATA) -> list[Message]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Message(
            id=r["留言编号"].strip(),
            text=f"{r['留言主题'].strip()}。{r['留言详情']}",
            likes=int(r["点赞数"] or 0),
            dislikes=int(r["反对数"] or 0),
            time=_time(r["留言时间"]),
            user=r["留言用户"].strip() or None,
        )
        for r in rows
    ]


def load_labels(path: Path = LABELS) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["留言编号"]: r["group"] for r in csv.DictReader(fh)}


def split_of(group: str) -> str:
    """Tuning or reporting half, by a stable hash of the group label (groups never straddle)."""
    return "tune" if zlib.crc32(group.encode()) % 2 == 0 else "report"


# --- quality ------------------------------------------------------------------------------


def _ours(messages: list[Message], threshold: float) -> dict[str, int]:
    clusters = cluster_messages(messages, threshold=threshold, titles=False)
    return {i: c.id for c in clusters for i in c.member_ids}


def _baseline_labels(messages: list[Message], thresholds: list[float]) -> dict[float, dict]:
    """The O(n²) baseline: plain TF-IDF over character 2-4-grams (sublinear tf) of the
    normalised title and text, cosine distances, average-linkage AgglomerativeClustering."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    from civicdesk.triage.normalize import normalize

    texts = [normalize(m.text) for m in messages]
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True).fit_transform(texts)
    # Precomputed cosine distances: n-by-n dense, which is why this baseline only runs on the
    # 4,326 messages of the data set and not at scale.
    dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, 2.0)
    out = {}
    for t in thresholds:
        model = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=t
        )
        labels = model.fit_predict(dist)
        out[t] = {m.id: int(lab) for m, lab in zip(messages, labels, strict=True)}
    return out


def _score(gold: dict[str, str], pred: dict[str, int], half: str | None) -> dict:
    sub = {i: g for i, g in gold.items() if half is None or split_of(g) == half}
    return {"pairwise": pairwise_prf(sub, pred), "bcubed": bcubed_prf(sub, pred), "n": len(sub)}


#: The pair precision the issue asks for beside B-cubed F1; thresholds are chosen under it.
MIN_PAIR_PRECISION = 0.95


def _choose(gold: dict[str, str], runs: dict[float, dict]) -> float:
    """The threshold with the best B-cubed F1 on the tuning half among those whose pair
    precision there is at least MIN_PAIR_PRECISION (the target asks for both); the best B-cubed
    F1 when none is."""
    scores = {t: _score(gold, labels, "tune") for t, labels in runs.items()}
    precise = [t for t, s in scores.items() if s["pairwise"]["precision"] >= MIN_PAIR_PRECISION]
    return max(precise or scores, key=lambda t: scores[t]["bcubed"]["f1"])


def quality(verbose: bool = True, labels: Path = LABELS) -> dict:
    """Ours and the baseline on the gold, thresholds tuned on the tuning half only."""
    messages = load_messages()
    gold = load_labels(labels)
    result: dict = {"sample": {"file": Path(labels).name, **_sample_stats(gold)}}
    ours_grid = [0.06, 0.08, 0.1, 0.12, 0.15]
    t0 = time.perf_counter()
    tuned = {t: _ours(messages, t) for t in ours_grid}
    seconds = (time.perf_counter() - t0) / len(ours_grid)
    best = _choose(gold, tuned)
    result["ours"] = {
        "threshold_tuned": best,
        "rule": f"best tuning-half B3 F1 with tuning-half pair precision >= {MIN_PAIR_PRECISION}",
        "grid_tune_pair_precision": {
            str(t): round(_score(gold, tuned[t], "tune")["pairwise"]["precision"], 4)
            for t in ours_grid
        },
        "default_threshold": DEFAULT_THRESHOLD,
        "seconds_per_run": round(seconds, 1),
        "grid_tune_bcubed_f1": {
            str(t): round(_score(gold, tuned[t], "tune")["bcubed"]["f1"], 4) for t in ours_grid
        },
        **{h or "all": _score(gold, tuned[best], h) for h in ("tune", "report", None)},
    }
    t0 = time.perf_counter()
    base_grid = [0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96]
    base = _baseline_labels(messages, base_grid)
    base_best = _choose(gold, base)
    result["baseline"] = {
        "model": "AgglomerativeClustering(cosine, average) on TF-IDF char 2-4-grams",
        "distance_threshold_tuned": base_best,
        "seconds_for_grid": round(time.perf_counter() - t0, 1),
        "grid_tune_bcubed_f1": {
            str(t): round(_score(gold, base[t], "tune")["bcubed"]["f1"], 4) for t in base_grid
        },
        **{h or "all": _score(gold, base[base_best], h) for h in ("tune", "report", None)},
    }
    # The baseline never reaches the pair precision asked for at a useful threshold; its best
    # B-cubed F1 regardless of precision is reported too.
    loose = max(base_grid, key=lambda t: _score(gold, base[t], "tune")["bcubed"]["f1"])
    result["baseline"]["best_bcubed_regardless_of_precision"] = {
        "distance_threshold": loose,
        **{h: _score(gold, base[loose], h) for h in ("tune", "report")},
    }
    result["titles"] = titles(messages, gold)
    result["lookup_recall"] = lookup_recall(messages, gold)
    if verbose:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    return result


def titles(messages: list[Message], gold: dict[str, str]) -> dict:
    """Share of gold groups whose cluster title names their place and a shared grievance word
    (:func:`civicdesk.triage.scoring.title_check`); the cluster of a group is the one holding
    most of its members. Per half, multi-message groups and singletons apart."""
    clusters = cluster_messages(messages)
    of = {i: c for c in clusters for i in c.member_ids}
    text = {m.id: m.text for m in messages}
    whole_of = {
        c.id: title_whole_words(c.title, [text[i] for i in c.member_ids[:8]])
        for c in clusters
        if c.size > 1
    }
    groups: dict[str, list[str]] = defaultdict(list)
    for i, g in gold.items():
        if i in text:
            groups[g].append(i)
    out: dict = {}
    failures = []
    for half in ("tune", "report"):
        for kind in ("multi", "single"):
            ok = place = grievance = total = whole = 0
            for g, ids in groups.items():
                if split_of(g) != half or (len(ids) > 1) != (kind == "multi"):
                    continue
                cluster = Counter(of[i].id for i in ids).most_common(1)[0][0]
                title = next(of[i].title for i in ids if of[i].id == cluster)
                has_place, has_grievance = title_check(title, [text[i] for i in ids])
                total += 1
                place += has_place
                grievance += has_grievance
                ok += has_place and has_grievance
                whole += whole_of.get(cluster, True)
                if not (has_place and has_grievance) and len(failures) < 12:
                    failures.append({"group": g, "title": title})
            out[f"{half}_{kind}"] = {
                "groups": total,
                "names_place": round(place / max(total, 1), 3),
                "names_grievance": round(grievance / max(total, 1), 3),
                "both": round(ok / max(total, 1), 3),
                # whole words, no half bracket (scoring.title_whole_words); a singleton's
                # title is its own statement and counts as whole
                "whole_words": round(whole / max(total, 1), 3),
            }
    out["examples_failing"] = failures
    out["whole_words_all_multi"] = round(sum(whole_of.values()) / max(len(whole_of), 1), 3)
    return out


def lookup_recall(messages: list[Message], gold: dict[str, str], k: int = 5) -> dict:
    """Same-problem hints: for each message of a multi-message gold group, is another member
    among the top ``k`` of a SameProblemIndex of all other messages? Next to it, the top
    ``k`` by plain TF-IDF cosine over character 2-4-grams (a brute-force reference)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from civicdesk.triage.normalize import normalize
    from civicdesk.triage.similar import SameProblemIndex

    index = SameProblemIndex()
    index.add_many((m.id, m.text) for m in messages)
    groups: dict[str, set[str]] = defaultdict(set)
    for i, g in gold.items():
        groups[g].add(i)
    text = {m.id: m.text for m in messages}
    position = {m.id: n for n, m in enumerate(messages)}
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True).fit_transform(
        [normalize(m.text) for m in messages]
    )
    hits = {"tune": [0, 0, 0], "report": [0, 0, 0]}  # ours, reference, asked
    for g, ids in groups.items():
        if len(ids) < 2:
            continue
        half = split_of(g)
        for i in ids:
            if i not in text:
                continue
            index.remove(i)
            found = [j for j, _score in index.query(text[i], k=k, min_score=0.0)]
            index.add(i, text[i])
            sims = (x @ x[position[i]].T).toarray().ravel()
            sims[position[i]] = -1.0
            top = [messages[j].id for j in np.argsort(-sims)[:k]]
            hits[half][0] += any(j in ids for j in found)
            hits[half][1] += any(j in ids for j in top)
            hits[half][2] += 1
    return {
        half: {
            "queries": asked,
            "recall_at_5": round(ours / max(asked, 1), 3),
            "tfidf_reference_recall_at_5": round(ref / max(asked, 1), 3),
        }
        for half, (ours, ref, asked) in hits.items()
    }


def _sample_stats(gold: dict[str, str]) -> dict:
    sizes = Counter(gold.values())
    return {
        "messages": len(gold),
        "groups": len(sizes),
        "multi_message_groups": sum(1 for s in sizes.values() if s > 1),
        "singletons": sum(1 for s in sizes.values() if s == 1),
        "largest_group": max(sizes.values()),
        "tune_messages": sum(1 for g in gold.values() if split_of(g) == "tune"),
        "report_messages": sum(1 for g in gold.values() if split_of(g) == "report"),
    }


# --- synthetic scale ----------------------------------------------------------------------

_PLACE_CHARS = "小区花园苑路街学校公司医院村"


def perturb(text: str, rng: random.Random, places: list[str]) -> str:
    """Random character edits, a swapped place name, shuffled sentences."""
    parts = [p for p in text.replace("！", "。").replace("？", "。").split("。") if p]
    if len(parts) > 2 and rng.random() < 0.5:
        head, rest = parts[:1], parts[1:]
        rng.shuffle(rest)
        parts = head + rest
    text = "。".join(parts)
    if places and rng.random() < 0.3:
        for suffix in _PLACE_CHARS:
            k = text.find(suffix)
            if k > 2:
                text = text[: k - 2] + rng.choice(places) + text[k + 1 :]
                break
    chars = list(text)
    for _ in range(rng.randint(0, 4)):
        if not chars:
            break
        k = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            chars[k] = rng.choice("的了是在有和我们小区物业噪音")
        elif op < 0.7:
            del chars[k]
        else:
            chars.insert(k, rng.choice("啊呀，。的"))
    return "".join(chars)


def synthetic(messages: list[Message], n: int, seed: int = 0) -> list[Message]:
    rng = random.Random(seed)
    places = ["景蓉华苑", "金色家园", "阳光小区", "东方花园", "南湖新村", "星城学校"]
    out = []
    for i in range(n):
        m = messages[rng.randrange(len(messages))]
        text = m.text if i < len(messages) and rng.random() < 0.2 else perturb(m.text, rng, places)
        out.append(Message(f"s{i}", text, m.likes, m.time, m.enterprise, m.dislikes, m.user))
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def scaling(sizes: list[int], verbose: bool = True) -> list[dict]:
    base = load_messages()
    rows = []
    for n in sizes:
        msgs = synthetic(base, n, seed=n)
        gc.collect()
        before = _current_rss_mb()
        t0 = time.perf_counter()
        clusters = cluster_messages(msgs)
        seconds = time.perf_counter() - t0
        row = {
            "messages": n,
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(_rss_mb(), 1),
            "rss_before_mb": round(before, 1),
            "clusters": len(clusters),
            "largest": max(c.size for c in clusters),
        }
        rows.append(row)
        if verbose:
            print(json.dumps(row))
        del clusters, msgs
    return rows


def lookup(size: int, queries: int = 1000, verbose: bool = True) -> dict:
    from civicdesk.triage.similar import SameProblemIndex

    base = load_messages()
    rng = random.Random(42)
    places = ["景蓉华苑", "金色家园", "阳光小区", "东方花园", "南湖新村", "星城学校"]
    gc.collect()
    before = _current_rss_mb()
    index = SameProblemIndex()
    t0 = time.perf_counter()
    checkpoints = {}
    for i in range(size):
        m = base[rng.randrange(len(base))]
        index.add(f"s{i}", perturb(m.text, rng, places))
        if (i + 1) in (10_000, 100_000, 300_000, 1_000_000):
            checkpoints[i + 1] = {
                "seconds": round(time.perf_counter() - t0, 1),
                "rss_mb": round(_current_rss_mb(), 1),
            }
    build = time.perf_counter() - t0
    after = _current_rss_mb()
    lat = []
    hits = 0
    asked = []
    for _ in range(queries):
        m = base[rng.randrange(len(base))]
        q = perturb(m.text, rng, [])
        asked.append(q)
        t = time.perf_counter()
        res = index.query(q)
        lat.append((time.perf_counter() - t) * 1000)
        hits += bool(res)
    lat.sort()

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 2)

    # What a web process does instead of building: load the file a worker saved.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.npz"
        t = time.perf_counter()
        index.save(path)
        save = time.perf_counter() - t
        file_mb = path.stat().st_size / 1e6
        t = time.perf_counter()
        loaded = SameProblemIndex.load(path)
        load = time.perf_counter() - t
    same_answers = all(loaded.query(q) == index.query(q) for q in asked[:200])
    del loaded

    out = {
        "stored": len(index),
        "build_seconds": round(build, 1),
        "save_seconds": round(save, 1),
        "load_seconds": round(load, 1),
        "load_to_build_ratio": round(load / build, 3),
        "file_mb": round(file_mb, 1),
        "loaded_answers_the_same": same_answers,
        "build_per_message_us": round(build / size * 1e6, 1),
        "rss_before_mb": round(before, 1),
        "rss_after_build_mb": round(after, 1),
        "checkpoints": checkpoints,
        "queries": queries,
        "queries_with_a_match": hits,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(lat[-1], 2),
    }
    if verbose:
        print(json.dumps(out))
    return out


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if "model name" in ln), "")
    except OSError:
        pass
    import os

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "date": datetime.now().date().isoformat(),
    }


def run(
    sizes: list[int] | None = None,
    index_size: int = 1_000_000,
    queries: int = 1000,
    do_quality: bool = True,
    verbose: bool = True,
    labels: Path = LABELS,
) -> dict:
    """Everything above, as one dict (for bench/triage.py)."""
    out: dict = {"machine": machine()}
    if do_quality:
        out["quality"] = quality(verbose, labels)
    if sizes:
        out["scaling"] = scaling(sizes, verbose)
    if index_size:
        out["lookup"] = lookup(index_size, queries, verbose)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--index-size", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--no-quality", action="store_true")
    p.add_argument(
        "--gold",
        type=Path,
        default=LABELS,
        help="hand-grouped sample to score on (CSV 留言编号,group; halves by crc32(group) %% 2)",
    )
    p.add_argument("--json", help="also write the result to this file")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    result = run(sizes, a.index_size, a.queries, not a.no_quality, labels=a.gold)
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
