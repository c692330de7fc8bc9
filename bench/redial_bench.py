"""ReDial benchmark: Recall@1/10/50 of the pipeline against human recommenders' picks.

Usage: `.venv/bin/python -m bench.redial_bench --data ../shared/data/redial [--turns FILE]
[--dialogues FILE] [--json]`. The first run ingests the 6.5k ReDial movies through
MiniLM (about 30 s) into bench/results/redial/, which later runs reuse.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.eval_redial import format_report, run

ROOT = Path(__file__).resolve().parents[1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="redial_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with movies.json etc.")
    parser.add_argument("--turns", type=Path, help="turn targets (default DATA/turns_valid.jsonl)")
    parser.add_argument("--dialogues", type=Path, help="default DATA/dialogues_valid.jsonl")
    parser.add_argument("--train-dialogues", type=Path, default=None,
                        help="train co-mentions and the ranker on these dialogues only (default:"
                             " the scored dialogues, by folds; a dialogue never trains its own model)")
    parser.add_argument("--movielens", type=Path, default=None,
                        help="also train on this MovieLens folder, joined by imdb id (off by default:"
                             " on ReDial it lowers recall, see agent/README.md)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "redial",
                        help="cached Tastebud data dir for the ReDial catalog")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="score the first N turns per fold")
    parser.add_argument("--only-folds", type=int, default=None, help="score only the first K folds")
    parser.add_argument("--diversity", type=float, default=None,
                        help="MMR trade-off for this run (default: what `tastebud train` chose)")
    parser.add_argument("--rebuild", action="store_true", help="re-ingest the cached catalog")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.movielens and not (args.movielens / "ratings.csv").exists():
        parser.error(f"--movielens {args.movielens}: no ratings.csv there")
    progress = None if args.json else _progress
    report = run(args.data, work_dir=args.work, turns=args.turns, dialogues=args.dialogues,
                 train_dialogues=args.train_dialogues,
                 movielens_dir=args.movielens, folds=args.folds,
                 limit=args.limit, only_folds=args.only_folds, diversity=args.diversity,
                 rebuild=args.rebuild, progress=progress)
    if progress:
        print(file=sys.stderr)
    print(json.dumps(report.to_dict(), indent=2) if args.json else format_report(report))
    return 0


def _progress(done: int, total: int) -> None:
    if done % 50 == 0 or done == total:
        print(f"\r{done}/{total} turns", end="", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
