"""The adaptation benchmark on ml-latest-small: does per-user learning beat a good fixed blend?

`tastebud eval adapt --data DIR [--json]` or `python -m bench.adapt_bench --data DIR`.

1. Split: per user, the last 20 % of positives (rating >= 4) by time are held
   out; everything else is the training set (holdout_split).
2. Ingest the films and the training interactions into a scratch data dir
   (kept with --work, so re-runs skip the embedding), train the collaborative
   model on them only.
3. Sample test users (seeded) with enough held-out positives; each starts cold
   as a new chat user and is simulated against every system
   (tools.eval_adapt.run_benchmark) through the real Engine, FeedbackService
   and learner, in a scratch feedback database.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from memory.items import Interaction
from memory.store import Store
from tools.eval_adapt import AdaptReport, SimConfig, SimUser, avg, blend_label, run_benchmark
from tools.profile import Profile
from tools.scoring import Ranked

CATALOG = "ml-adapt"


class EngineRecommender:
    """tools.eval_adapt.Recommender over the real Engine."""

    def __init__(self, engine: Any, diversity: float | None = None) -> None:
        self.engine = engine
        self.diversity = diversity

    def recommend(self, profile: Profile, *, k: int, exclude_ids: Collection[str]) -> list[Ranked]:
        result = self.engine.recommend(profile, k=k, exclude_ids=tuple(exclude_ids),
                                       diversity=self.diversity)  # fmt: skip
        return list(result.items)

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
                    embedder=memory.embedder, skip_invalid=True)  # fmt: skip
    say(report.summary())
    memory.catalog.refresh()
    engine = engine_module.Engine(memory)
    say(f"training: {engine.train()}")
    return engine, held


def holdout_split(
    interactions: Iterable[Interaction], *, frac: float = 0.2, threshold: float = 4.0,
    min_positives: int = 5,
) -> tuple[list[Interaction], dict[str, list[str]]]:  # fmt: skip
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
        test = pos[len(pos) - max(1, round(frac * len(pos))):]
        held[user] = [r.item_id for r in test]
        drop.update((user, r.item_id) for r in test)
    return [r for r in rows if (r.user_id, r.item_id) not in drop], held


def pick_users(held: dict[str, list[str]], n: int, min_heldout: int, seed: int) -> list[SimUser]:
    eligible = sorted(u for u, items in held.items() if len(items) >= min_heldout)
    chosen = random.Random(seed).sample(eligible, min(n, len(eligible)))
    return [SimUser(u, frozenset(held[u])) for u in chosen]


def render_table(report: AdaptReport) -> str:
    """NDCG@k / hit@k per round for every system, then the drift, the latency and the targets."""
    curves = report.curves
    lines = ["| round | " + " | ".join(c.name for c in curves) + " |", "|---" * (len(curves) + 1) + "|"]
    for r in range(len(curves[0].ndcg)):
        lines.append(f"| {r + 1} | " + " | ".join(f"{c.ndcg[r]:.3f} / {c.hit[r]:.2f}" for c in curves) + " |")
    cells = [f"{avg(c.ndcg[1:]):.3f} / {avg(c.hit[1:]):.2f}" for c in curves]
    lines.append(f"| avg 2-{len(curves[0].ndcg)} | " + " | ".join(cells) + " |")
    lines.append(f"\ncells: NDCG@k / hit@k. best static blend (all users): {blend_label(report.best_static)}")
    for name, d in report.drift.items():
        rec = d["rounds_to_recover"]
        lines.append(f"drift, {name}: recovers in {'never' if rec is None else rec} round(s);"
                     f" NDCG drifted {_fmt(d['drift_ndcg'])} vs stable {_fmt(d['reference'])}")
    lat = report.latency_ms
    lines.append(f"weight update: p50 {lat['p50']:.3f} ms, p95 {lat['p95']:.3f} ms over"
                 f" {int(lat['n'])} updates; {report.seconds:.0f} s in all")
    for t in report.targets:
        shown = "n/a" if t["value"] is None else f"{t['value']:.3f}"
        lines.append(f"target {t['name']}: {shown} (want {t['want']}) -> {'met' if t['met'] else 'NOT met'}")
    return "\n".join(lines)


def _fmt(xs: Sequence[float]) -> str:
    return " ".join(f"{x:.3f}" for x in xs)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tastebud eval adapt", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=None,
                   help="ml-latest-small folder (default ../shared/data/movielens-small)")
    p.add_argument("--work", type=Path, default=None,
                   help="scratch data dir to keep between runs (default: a temporary one)")
    p.add_argument("--users", type=int, default=120, help="simulated test users (seeded sample)")
    p.add_argument("--min-heldout", type=int, default=10)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--dislike-share", type=float, default=0.3)
    p.add_argument("--grid-steps", type=int, default=4, help="static blends: multiples of 1/N")
    p.add_argument("--rules", default="credit,hedge")
    p.add_argument("--default-rule", default="credit")
    p.add_argument("--diversity", type=float, default=None, help="engine MMR lambda override")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    return p


def run(args: argparse.Namespace, say: Any) -> AdaptReport:
    data = args.data or Path(__file__).resolve().parents[2] / "shared" / "data" / "movielens-small"
    if not (data / "ratings.csv").exists():
        raise SystemExit(f"adapt bench: no ratings.csv in {data}; pass --data DIR (ml-latest-small)")
    with tempfile.TemporaryDirectory(prefix="tastebud-adapt-") as tmp:
        work = args.work or Path(tmp) / "data"
        engine, held = prepare(data, work, say)
        users = pick_users(held, args.users, args.min_heldout, args.seed)
        say(f"{len(users)} simulated users, {args.rounds} rounds of {args.k}")
        cfg = SimConfig(rounds=args.rounds, k=args.k, dislike_share=args.dislike_share,
                        seed=args.seed)  # fmt: skip
        store = Store(Path(tmp) / "adapt-feedback.sqlite3")
        return run_benchmark(EngineRecommender(engine, args.diversity), store, users, cfg,
                             grid_steps=args.grid_steps, rules=args.rules.split(","),
                             default_rule=args.default_rule, progress=say)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def say(msg: str) -> None:
        print(f"[adapt] {msg}", file=sys.stderr, flush=True)

    report = run(args, say)
    print(json.dumps(report.to_dict(), indent=2) if args.json else render_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
