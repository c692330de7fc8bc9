"""The adaptation benchmark on ml-latest-small: does per-user learning beat a good fixed blend?

`tastebud eval adapt --data DIR [--json]` or `python -m bench.adapt_bench --data DIR`.

1. Split: per user, the last 20 % of positives (rating >= 4) by time are held
   out; everything else is the training set (holdout_split).
2. Ingest the films and the training interactions into a scratch data dir
   (kept with --work, so re-runs skip the embedding), train the collaborative
   model on them only.
3. Sample test users (seeded) with enough held-out positives; each starts cold
   as a new chat user and is simulated against every system
   (bench.eval_adapt.run_benchmark) through the real Engine, FeedbackService
   and learner, in a scratch feedback database.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.eval_adapt import (
    AdaptReport,
    Job,
    Runner,
    Session,
    SimConfig,
    SimUser,
    avg,
    run_benchmark,
    sequential_runner,
)
from memory.items import Interaction
from memory.store import Store
from tools.learning import LearnerConfig
from tools.profile import Profile
from tools.scoring import Ranked

CATALOG = "ml-adapt"


class EngineRecommender:
    """bench.eval_adapt.Recommender over the real Engine, with its configured diversity."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def recommend(self, profile: Profile, *, k: int, exclude_ids: Collection[str]) -> list[Ranked]:
        return list(self.engine.recommend(profile, k=k, exclude_ids=tuple(exclude_ids)).items)

    def score_item(self, profile: Profile, item_id: str) -> Ranked:
        return self.engine.score_item(profile, item_id)  # type: ignore[no-any-return]


def prepare(data: Path, work: Path, say: Any) -> tuple[Any, dict[str, list[str]]]:
    """Ingest MovieLens with the held-out positives removed and train CF; (engine, held-out)."""
    from memory.bootstrap import open_memory
    from memory.ingest.pipeline import ingest
    from memory.ingest.readers import read_catalog
    from memory.settings import Settings
    from tools import engine as engine_module

    parsed = read_catalog(data, "movielens")
    train, held = holdout_split(parsed.interactions)
    parsed.interactions = train
    settings = Settings(data_dir=work, catalog=CATALOG)
    memory = open_memory(settings)
    say(f"ingesting {len(parsed.items)} films, {len(train)} training ratings into {work}")
    report = ingest(parsed, catalog=CATALOG, client=memory.client, store=memory.store,
                    embedder=memory.embedder, skip_invalid=True)
    say(report.summary())
    memory.catalog.refresh()
    engine = engine_module.Engine(memory)
    say(f"training: {engine.train()}")
    return engine, held


def holdout_split(
    interactions: Iterable[Interaction], *, frac: float = 0.2, threshold: float = 4.0,
    min_positives: int = 5,
) -> tuple[list[Interaction], dict[str, list[str]]]:
    """Per user, the last `frac` of positives (value >= threshold) by time are held out."""
    rows = list(interactions)
    positives: dict[str, list[Interaction]] = defaultdict(list)
    for r in rows:
        if r.value >= threshold:
            positives[r.user_id].append(r)
    held: dict[str, list[str]] = {}
    drop: set[tuple[str, str]] = set()
    for user, pos in positives.items():
        if len(pos) < min_positives:
            continue
        pos.sort(key=lambda r: (r.ts, r.item_id))
        test = pos[len(pos) - max(1, round(frac * len(pos))) :]
        held[user] = [r.item_id for r in test]
        drop.update((user, r.item_id) for r in test)
    return [r for r in rows if (r.user_id, r.item_id) not in drop], held


def pick_users(held: dict[str, list[str]], n: int, min_heldout: int, seed: int) -> list[SimUser]:
    eligible = sorted(u for u, items in held.items() if len(items) >= min_heldout)
    chosen = random.Random(seed).sample(eligible, min(n, len(eligible)))
    return [SimUser(u, frozenset(held[u])) for u in chosen]


def blend_label(w: dict[str, float]) -> str:
    return "/".join(f"{n[:4]} {v:.2f}" for n, v in w.items())


def check_targets(report: AdaptReport) -> list[dict[str, Any]]:
    """The targets, each with its measured value and whether it is met.

    The first two are about what ships: the app's learned prior plus feedback
    against the best static blend, and the whole feedback loop against a system
    that ignores feedback (both NDCG averaged over rounds 2-10, paired per user).
    """
    rule = report.config["default_rule"]
    shipped = "ours (shipped)" if any(c.name == "ours (shipped)" for c in report.curves) \
        else f"ours ({rule})"
    ours, static, oracle = (report.curve(n) for n in (shipped, "best static", "oracle"))
    r5 = min(len(ours.ndcg), 5) - 1
    ratio = avg(ours.ndcg[1:]) / avg(static.ndcg[1:]) if avg(static.ndcg[1:]) else None
    share = ours.ndcg[r5] / oracle.ndcg[r5] if oracle.ndcg[r5] else None
    lift = report.lift.get("ratio")
    recovery = report.drift[f"ours ({rule})"]["rounds_to_recover"]
    rows = [(f"{shipped} / best static, NDCG rounds 2-10", ratio, ">= 1.00", 1.00, 1),
            ("full feedback loop / no feedback, NDCG rounds 2-10", lift, ">= 1.30", 1.30, 1),
            (f"{shipped} / oracle, NDCG round 5", share, ">= 0.95", 0.95, 1),
            ("drift recovery (rounds)", None if recovery is None else float(recovery), "<= 3", 3,
             -1),
            ("weight update p95 (ms)", report.latency_ms["p95"], "<= 2", 2.0, -1)]
    return [{"name": n, "value": v, "want": w, "met": v is not None and (v - lim) * sign >= 0}
            for n, v, w, lim, sign in rows]


def render_table(report: AdaptReport) -> str:
    """NDCG@k / hit@k per round for every system, then the drift, the latency and the targets."""
    curves = report.curves
    lines = [
        "| round | " + " | ".join(c.name for c in curves) + " |",
        "|---" * (len(curves) + 1) + "|",
    ]
    for r in range(len(curves[0].ndcg)):
        lines.append(
            f"| {r + 1} | " + " | ".join(f"{c.ndcg[r]:.3f} / {c.hit[r]:.2f}" for c in curves) + " |"
        )
    cells = [f"{avg(c.ndcg[1:]):.3f} / {avg(c.hit[1:]):.2f}" for c in curves]
    lines.append(f"| avg 2-{len(curves[0].ndcg)} | " + " | ".join(cells) + " |")
    lines.append(
        f"\ncells: NDCG@k / hit@k. best static blend (all users): {blend_label(report.best_static)}"
    )
    for name, d in report.drift.items():
        rec = d["rounds_to_recover"]
        lines.append(
            f"drift, {name}: recovers in {'never' if rec is None else rec} round(s);"
            f" NDCG drifted {_fmt(d['drift_ndcg'])} vs stable {_fmt(d['reference'])}"
        )
    for name, p in report.paired.items():
        lines.append(
            f"vs best static, {name}: x{p['ratio']:.3f} (95% CI {p['ci_low']:.3f}-"
            f"{p['ci_high']:.3f}; per-user NDCG diff {p['mean_diff']:+.4f} ± {p['se']:.4f})"
        )
    lat = report.latency_ms
    lines.append(
        f"weight update: p50 {lat['p50']:.3f} ms, p95 {lat['p95']:.3f} ms over"
        f" {int(lat['n'])} updates; {report.seconds:.0f} s in all"
    )
    if report.lift:
        lf = report.lift
        lines.append(f"full feedback loop (ours, shipped) vs ignoring feedback: x{lf['ratio']:.3f}"
                     f" (95% CI {lf['ci_low']:.3f}-{lf['ci_high']:.3f})")
    lines.append(
        f"per-user oracle without hindsight (split-half): x{report.split_half_oracle:.3f}"
        " of best static"
    )
    for t in check_targets(report):
        shown = "n/a" if t["value"] is None else f"{t['value']:.3f}"
        lines.append(
            f"target {t['name']}: {shown} (want {t['want']}) -> {'met' if t['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def _fmt(xs: Sequence[float]) -> str:
    return " ".join(f"{x:.3f}" for x in xs)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tastebud eval adapt", description=__doc__.splitlines()[0])
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="ml-latest-small folder (default ../shared/data/movielens-small)",
    )
    p.add_argument(
        "--work",
        type=Path,
        default=None,
        help="scratch data dir to keep between runs (default: a temporary one)",
    )
    p.add_argument("--users", type=int, default=100, help="simulated test users (seeded sample)")
    p.add_argument("--min-heldout", type=int, default=10)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--dislike-share", type=float, default=0.3)
    p.add_argument("--grid-steps", type=int, default=3, help="static blends: multiples of 1/N")
    p.add_argument("--rules", default="centered,hedge", help="also: share")
    p.add_argument("--default-rule", default="centered")
    p.add_argument("--affinity-decay", type=float, default=LearnerConfig().affinity_decay)
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", type=Path, default=None, help="also write the JSON report here")
    return p


def run_shard(work: Path, db: Path, cfg: SimConfig, jobs: list[Job]) -> list[Session]:
    """A worker process: its own engine over the prepared catalog, its own feedback database."""
    from memory.bootstrap import open_memory
    from memory.settings import Settings
    from tools import engine as engine_module

    memory = open_memory(Settings(data_dir=work, catalog=CATALOG))
    runner = sequential_runner(EngineRecommender(engine_module.Engine(memory)), Store(db), cfg)
    return runner(jobs)


def parallel_runner(work: Path, scratch: Path, cfg: SimConfig, workers: int) -> Runner:
    """Interleaved shards of the sessions over `workers` processes, results in job order."""

    def run_jobs(jobs: Sequence[Job]) -> list[Session]:
        shards = [list(jobs[w::workers]) for w in range(workers)]
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = [pool.submit(run_shard, work, scratch / f"feedback-{w}.sqlite3", cfg, shard)
                       for w, shard in enumerate(shards)]
            results = [f.result() for f in futures]
        out: list[Session] = [Session()] * len(jobs)
        for w, res in enumerate(results):
            out[w::workers] = res
        return out

    return run_jobs


def run(args: argparse.Namespace, say: Any) -> AdaptReport:
    data = args.data or Path(__file__).resolve().parents[2] / "shared" / "data" / "movielens-small"
    if not (data / "ratings.csv").exists():
        raise SystemExit(
            f"adapt bench: no ratings.csv in {data}; pass --data DIR (ml-latest-small)"
        )
    with tempfile.TemporaryDirectory(prefix="tastebud-adapt-") as tmp:
        work = args.work or Path(tmp) / "data"
        engine, held = prepare(data, work, say)
        users = pick_users(held, args.users, args.min_heldout, args.seed)
        say(
            f"{len(users)} simulated users, {args.rounds} rounds of {args.k},"
            f" {args.workers} worker(s)"
        )
        cfg = SimConfig(rounds=args.rounds, k=args.k, dislike_share=args.dislike_share,
                        seed=args.seed)
        if args.workers > 1:
            runner = parallel_runner(work, Path(tmp), cfg, args.workers)
        else:
            runner = sequential_runner(
                EngineRecommender(engine), Store(Path(tmp) / "fb.sqlite3"), cfg
            )
        base = LearnerConfig(affinity_decay=args.affinity_decay)
        shipped = dict(engine.ranker.weights)  # what `tastebud train` stored: every user's prior
        say(f"shipped prior {blend_label(shipped)}, diversity {engine.diversity:g}")
        return run_benchmark(runner, users, cfg, grid_steps=args.grid_steps,
                             rules=args.rules.split(","), default_rule=args.default_rule, base=base,
                             progress=say, shipped=shipped)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def say(msg: str) -> None:
        print(f"[adapt] {msg}", file=sys.stderr, flush=True)

    report = run(args, say)
    out = json.dumps({**report.to_dict(), "targets": check_targets(report)}, indent=2)
    if args.save:
        args.save.write_text(out + "\n", encoding="utf-8")
    print(out if args.json else render_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
