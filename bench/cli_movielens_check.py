"""The MovieLens check from outside: the `tastebud` command, one cold process per user.

`python -m bench.cli_movielens_check --work DIR [--users 50] [--json]`

DIR is a data dir holding the catalog `eval movielens` ingests (`movielens-eval`:
the films and the training split only, trained by `tastebud train`), e.g. that
benchmark's --work dir. For a seeded sample of test users of the same temporal
split, this runs `tastebud --user ml-N recommend --k 10 --json --new` as a new
process, exactly as a person would, and scores the list against the user's
held-out positives. EASE and most-popular are fitted in this process on the same
training split and scored on the same users, so the ratio is like for like.
The wall time of each process is reported too (cold start included).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench import baselines as bl
from bench.eval_movielens import CATALOG
from bench.metrics import ndcg_at_k
from memory.ingest.readers import read_catalog
from tools.splits import temporal_split

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "movielens-small"


def cli_list(work: Path, user: str) -> tuple[list[str], float]:
    cmd = [sys.executable, "-m", "tui.cli", "--data-dir", str(work), "--catalog", CATALOG,
           "--user", user, "recommend", "--k", "10", "--json", "--new"]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"`{' '.join(cmd)}` failed: {done.stderr.strip()}")
    return [r["id"] for r in json.loads(done.stdout)], wall


def run(data: Path, work: Path, n_users: int, seed: int = 0) -> dict:
    parsed = read_catalog(data, "movielens")
    split = temporal_split(parsed.interactions)
    users = sorted(random.Random(seed).sample(sorted(split.test), min(n_users, len(split.test))))
    item_ids = [i.id for i in parsed.items]
    matrix = bl.MatrixData.build(split.train, item_ids)
    systems: dict[str, float] = {}
    for model in (bl.MostPopular(), bl.EASE(lam=200.0)):
        model.fit(matrix)
        lists = bl.recommend_all(model, matrix, users, 10)
        systems[model.name] = sum(ndcg_at_k(lists[u], split.test[u], 10) for u in users) / len(users)
    walls, total = [], 0.0
    for u in users:
        ids, wall = cli_list(work, u)
        walls.append(wall)
        total += ndcg_at_k(ids, split.test[u], 10)
    systems["tastebud CLI (shipped)"] = total / len(users)
    best = max(("most-popular", "EASE"), key=lambda m: systems[m])
    return {"users": len(users), "ndcg@10": systems, "best_baseline": best,
            "ratio": systems["tastebud CLI (shipped)"] / max(systems[best], 1e-12),
            "cli_wall_s": {"median": statistics.median(walls), "max": max(walls)}}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="cli_movielens_check", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--work", type=Path, required=True, help="data dir with the movielens-eval catalog")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args.data, args.work, args.users, args.seed)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for name, v in out["ndcg@10"].items():
            print(f"{name:28} NDCG@10 {v:.4f}")
        print(f"CLI / {out['best_baseline']}: {out['ratio']:.3f} on {out['users']} users;"
              f" cold CLI wall median {out['cli_wall_s']['median']:.2f} s,"
              f" max {out['cli_wall_s']['max']:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
