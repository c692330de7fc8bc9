"""The MovieLens benchmark: `tastebud eval movielens --data DIR [--json]`, or
`python -m bench.movielens_bench --data DIR`.

Runs bench.eval_movielens.run (split, systems and metrics are documented there)
and prints the table, or the whole result as JSON with --json. Progress goes to
stderr. `--work DIR` keeps the scratch catalog so a re-run skips embedding the
~9.7k films again (default: a cache under bench/results/, which git ignores).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "movielens-small"
DEFAULT_WORK = Path(__file__).resolve().parent / "results" / "cache" / "movielens-eval"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tastebud eval movielens", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="MovieLens folder (movies.csv, ratings.csv)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--users", type=int, default=None, help="evaluate a seeded sample of this many users")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch data dir, kept between runs")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON result here")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not (args.data / "ratings.csv").exists():
        print(f"tastebud: no MovieLens ratings.csv in {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    from bench.eval_movielens import format_table, run

    def say(msg: str) -> None:
        print(f"[movielens] {msg}", file=sys.stderr, flush=True)

    args.work.mkdir(parents=True, exist_ok=True)
    result = run(args.data, seed=args.seed, k=args.k, users=args.users, work_dir=args.work, say=say)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
