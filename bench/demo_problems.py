"""The demo district's problem list, scored against the truth the generator wrote down.

    python bench/demo_problems.py [--submissions 2044] [--seed 2044]

The demo generator records, for every opinion, the place (or window) and grievance it drew the
text from (civicdesk/demo/generator/truth.py). This bench plans the default demo district,
turns each opinion into the text the problems app clusters (description, then address:
``problems.services.case_text``), clusters them with the engine the problem list uses, and
reports B-cubed and pairwise precision/recall/F1 against that truth, how many of the 20
hottest groups mix two grievances, and those groups' titles, with whether titles are whole words
(``scoring.title_whole_words``: no cut word, no half bracket). The same check runs through the
app itself on a small district in civicdesk/demo/tests/loaded/test_problem_list.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings_test")


def run(submissions: int = 2044, seed: int = 2044) -> dict:
    import django

    django.setup()
    from civicdesk.demo.generator.plan import _choose_statuses, _draw_specs
    from civicdesk.triage.cluster import Message, cluster_messages
    from civicdesk.triage.scoring import bcubed_prf, pairwise_prf, title_whole_words

    rng = random.Random(seed)
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    specs = _draw_specs(rng, now, submissions)
    _choose_statuses(rng, now, specs)
    messages = [
        Message(
            id=s.external_id,
            text="\n".join(part for part in (s.description, s.address) if part),
            time=s.received_at,
            enterprise=s.for_enterprise,
            user=s.contact_phone or None,
        )
        for s in specs
    ]
    truth = {s.external_id: s.problem for s in specs}
    text = {m.id: m.text for m in messages}
    started = time.perf_counter()
    clusters = cluster_messages(messages)
    seconds = time.perf_counter() - started
    predicted = {i: c.id for c in clusters for i in c.member_ids}
    hottest = []
    for c in clusters[:20]:
        problems = Counter(truth[i] for i in c.member_ids)
        hottest.append(
            {
                "title": c.title,
                "size": c.size,
                "problems": len(problems),
                "main": problems.most_common(1)[0][0],
                "main_share": round(problems.most_common(1)[0][1] / c.size, 3),
                "whole_words": title_whole_words(c.title, [text[i] for i in c.member_ids[:8]]),
            }
        )
    return {
        "submissions": submissions,
        "seed": seed,
        "true_problems": len(set(truth.values())),
        "clusters": len(clusters),
        "seconds": round(seconds, 2),
        "bcubed": bcubed_prf(truth, predicted),
        "pairwise": pairwise_prf(truth, predicted),
        "hottest_20_mixing": sum(1 for h in hottest if h["problems"] > 1),
        "hottest_20_titles_whole_words": sum(1 for h in hottest if h["whole_words"]),
        "titles_whole_words": round(
            sum(
                title_whole_words(c.title, [text[i] for i in c.member_ids[:8]])
                for c in clusters
                if c.size > 1
            )
            / max(1, sum(1 for c in clusters if c.size > 1)),
            3,
        ),
        "hottest_20": hottest,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2044)
    parser.add_argument("--seed", type=int, default=2044)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.submissions, args.seed), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
