"""Wall time of a cold `tastebud recommend` process: what a shell user waits for.

`python -m bench.cold_bench --data-dir DIR --catalog NAME --user ID [--runs 7] [--json]`

Each run is a fresh `python -m tui.cli ... recommend --k 10 --json` process on an
ingested, trained catalog (e.g. the MovieLens catalog `eval movielens` leaves in
its --work dir), so it pays for the imports, opening the stores, loading the
items, content vectors and the trained model files, and one ranking. The first
run warms the OS file cache and is reported apart. Median and max of the rest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def time_runs(data_dir: Path, catalog: str, user: str, runs: int) -> dict[str, float | list[float]]:
    cmd = [sys.executable, "-m", "tui.cli", "--data-dir", str(data_dir), "--catalog", catalog,
           "--user", user, "recommend", "--k", "10", "--json", "--new"]
    walls = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"cold bench: `{' '.join(cmd)}` failed: {done.stderr.strip()}")
        if len(json.loads(done.stdout)) != 10:
            raise SystemExit("cold bench: recommend did not return 10 items")
    warm, rest = walls[0], walls[1:]
    return {"first_s": warm, "median_s": statistics.median(rest), "max_s": max(rest), "runs": rest}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="cold_bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--catalog", required=True)
    p.add_argument("--user", required=True, help="a user with history in the catalog, e.g. ml-1")
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = time_runs(args.data_dir, args.catalog, args.user, args.runs)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"cold `tastebud recommend` on {args.catalog!r}: median {out['median_s']:.2f} s,"
              f" max {out['max_s']:.2f} s over {args.runs} runs (first run {out['first_s']:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
