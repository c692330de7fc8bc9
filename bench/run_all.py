"""`make bench`: every benchmark, one after another, each printing its own table.

Dataset benchmarks read ../shared/data beside the checkout (or TASTEBUD_SHARED);
when it is absent they are skipped with a line saying so, not failed.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ML_WORK = ROOT / "bench" / "results" / "cache" / "movielens-eval"


def _shared() -> Path:
    return Path(os.environ.get("TASTEBUD_SHARED", ROOT.parent / "shared")) / "data"


def plan() -> list[tuple[str, list[str], Path | None]]:
    data = _shared()
    return [
        ("bench.embedder_bench", [], None),
        ("bench.cold_start_bench", [], None),
        ("bench.ingest_speed_bench", [], data),
        ("bench.nlu_bench", [], None),
        ("bench.movielens_bench", ["--data", str(data / "movielens-small")], data / "movielens-small"),
        # both read the catalog the MovieLens benchmark leaves in its work dir
        ("bench.cli_movielens_check", ["--data", str(data / "movielens-small"), "--work", str(ML_WORK)],
         data / "movielens-small"),
        ("bench.cold_bench", ["--data-dir", str(ML_WORK), "--catalog", "movielens-eval", "--user", "ml-1"],
         data / "movielens-small"),
        ("bench.latency_bench", [], data / "movielens-small"),
        ("bench.adapt_bench", ["--data", str(data / "movielens-small")], data / "movielens-small"),
        ("bench.import_bench", ["--data", str(data / "movielens-small")], data / "movielens-small"),
        ("bench.redial_bench", ["--data", str(data / "redial"), "--train-dialogues",
                                str(data / "redial" / "dialogues_valid.jsonl")], data / "redial"),
        ("bench.tui_bench", [], None),
    ]


def main(argv: list[str] | None = None) -> int:
    failures = 0
    for module, args, needs in plan():
        print(f"\n=== {module} {' '.join(args)}", flush=True)
        if needs is not None and not needs.exists():
            print(f"skipped: {needs} is absent")
            continue
        started = time.perf_counter()
        rc = int(importlib.import_module(module).main(args) or 0)
        print(f"--- {module}: exit {rc} in {time.perf_counter() - started:.0f}s", flush=True)
        failures += rc != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
