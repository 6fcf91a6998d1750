"""Triage benchmark: classification and clustering quality, speed and scaling, in one run.

    python bench/triage.py                       # everything (about 10 minutes on 2 cores)
    python bench/triage.py --quick    # 2 splits, clustering up to 10k, 100k look-up index

Each part measures a plain baseline in the same process (TF-IDF + linear SVM for
classification, scikit-learn agglomerative clustering for clustering); results go to
docs/benchmarks.md by hand, with the date and the machine. The data is read from
../shared/data at run time; nothing from it is stored in the repository.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import triage_classify
import triage_cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a fast check")
    parser.add_argument("--json", help="also write all results to this file")
    args = parser.parse_args(argv)
    if not triage_classify.DEFAULT_DATA.exists():
        print(f"skipped: {triage_classify.DEFAULT_DATA} is not there", file=sys.stderr)
        return 0
    seeds = 2 if args.quick else 5
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    index_size = 100_000 if args.quick else 1_000_000
    classification = triage_classify.run(triage_classify.DEFAULT_DATA, seeds)
    print(triage_classify.markdown(classification))
    clustering = triage_cluster.run(sizes, index_size, queries=1000)
    print(json.dumps(clustering, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"classification": classification, "clustering": clustering},
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
