"""Import benchmark: does a history imported by title help as much as the same history by id?

`python -m bench.import_bench [--data DIR] [--users N] [--work DIR] [--json]`

Data: MovieLens small. Split (tools.splits.temporal_split, per user in
time order): the last 20 % of a user's positives (rating >= 4) are the TEST set,
everything rated before the first of them is the HISTORY. A seeded sample of
test users is held out of the catalog's interactions entirely: the
collaborative model (`Engine.train`, default settings) is trained without
them, so every way of knowing them goes through the profile, as for a new user.

Each held-out user is ranked by `Tastebud.recommend` (default settings, k=10):
- cold: no history at all;
- by id (ingest): the history as interactions with MovieLens ids, the existing
  fold-in of imported ratings (`Tastebud.profile`);
- by id (feedback path): the history's rows matched by id, learned through the
  import's feedback path; isolates what title matching costs;
- by title (import): the history written out as a Letterboxd export (Date,
  Name, Year, no URI, no ids) and run through `Tastebud.import_history`, what
  `tastebud import letterboxd` does.
NDCG@10 against the TEST positives. Title matching is also measured over every
catalog film written out as a Letterboxd row (right item / wrong item /
ambiguous / unmatched), and a 2,000-row export is timed end to end.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "movielens-small"
DEFAULT_WORK = Path(__file__).resolve().parent / "results" / "cache" / "import-bench"
HEADER = ["Date", "Name", "Year", "Letterboxd URI", "Rating"]


def write_letterboxd(folder: Path, rows: Sequence[tuple[str, int | None, float, float]]) -> Path:
    """A Letterboxd export folder with ratings.csv: (title, year, rating, unix time) per row."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "ratings.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for title, year, rating, ts in rows:
            day = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
            out.writerow([day, title, year or "", "", f"{rating:g}"])
    return folder


def match_accuracy(matcher: Any, items: Sequence[Any]) -> dict[str, Any]:
    """Every catalog film as a Letterboxd row (its title and year): how many find themselves."""
    counts = {"right": 0, "wrong": 0, "ambiguous": 0, "unmatched": 0}
    wrong: list[str] = []
    started = time.perf_counter()
    for item in items:
        m = matcher.match(item.title, item.year)
        if m.item is not None:
            key = "right" if m.item.id == item.id else "wrong"
            if key == "wrong" and len(wrong) < 10:
                wrong.append(f"{item.label} -> {m.item.label}")
        else:
            key = m.status
        counts[key] += 1
    n = max(len(items), 1)
    return {**counts, "rows": len(items), "accuracy": counts["right"] / n,
            "wrong_examples": wrong, "ms_per_row": 1000 * (time.perf_counter() - started) / n}


def run(data_dir: Path, *, users: int = 100, seed: int = 0, k: int = 10,
        work_dir: Path | None = None, say: Callable[[str], None] | None = None) -> dict[str, Any]:
    from bench.eval_movielens import _sample, load_phase, prepare_items, temporal_split
    from bench.metrics import ndcg_at_k
    from memory.bootstrap import open_memory
    from memory.ingest.readers import read_catalog
    from memory.items import Interaction
    from memory.settings import Settings
    from tools.history_files import read_letterboxd
    from tools.history_import import plan
    from tools.history_match import HistoryMatcher, Match
    from tools.service import Tastebud

    say = say or (lambda _m: None)
    parsed = read_catalog(Path(data_dir), "movielens")
    split = temporal_split(parsed.interactions)
    held = set(_sample(split.test, users, seed))
    items = prepare_items(parsed.items, Path(data_dir), set())
    by_id = {i.id: i for i in items}
    history: dict[str, list[Interaction]] = {u: [] for u in held}
    for r in split.train:
        if r.user_id in held:
            history[r.user_id].append(r)
    train = [r for r in split.train if r.user_id not in held]
    say(f"{len(items)} films, {len(train)} training ratings, {len(held)} held-out users")

    with tempfile.TemporaryDirectory(prefix="tastebud-import-bench-") as tmp:
        work = Path(work_dir) if work_dir is not None else Path(tmp)
        memory = open_memory(Settings(data_dir=work / "data", catalog="movielens-eval"))
        t0 = time.perf_counter()
        load_phase(memory, items, train)
        with memory.store.transaction() as conn:  # a kept work dir: forget the last run's users,
            # their events and the lists they were shown (shown films are excluded next time)
            for table in ("feedback_events", "user_state", "shown_lists", "preferences"):
                conn.execute(f"DELETE FROM {table} WHERE user_id GLOB 'fb-*' OR user_id GLOB 'lb-*'"
                             " OR user_id GLOB 'id-*' OR user_id GLOB 'bench-*'")
        svc = Tastebud(memory)
        say(f"catalog ready in {time.perf_counter() - t0:.0f}s; {svc.engine.train()}")
        matcher = HistoryMatcher(memory.catalog.items.values())
        accuracy = match_accuracy(matcher, items)
        say(f"title matching over the catalog: {accuracy['accuracy']:.4f} right")

        scores: dict[str, list[float]] = {s: [] for s in ("cold", "by id (ingest)",
                                                          "by id (feedback path)", "by title (import)")}
        rows_total = rows_right = 0
        import_ms: list[float] = []
        cold = [r.item.id for r in svc.recommend("bench-cold", k=k).items]
        for n, u in enumerate(sorted(held)):
            hist = sorted(history[u], key=lambda r: (r.ts, r.item_id))
            test = split.test[u]
            scores["cold"].append(ndcg_at_k(cold, test, k))
            with memory.store.transaction() as conn:
                memory.store.replace_interactions(conn, memory.catalog.name, f"bench-{u}", [
                    r.model_copy(update={"user_id": f"id-{u}"}) for r in hist])
            ranked = svc.recommend(f"id-{u}", k=k).items
            scores["by id (ingest)"].append(ndcg_at_k([r.item.id for r in ranked], test, k))
            with memory.store.transaction() as conn:
                memory.store.replace_interactions(conn, memory.catalog.name, f"bench-{u}", [])
            rows = [(by_id[r.item_id].title, by_id[r.item_id].year, r.value, r.ts) for r in hist]
            export = read_letterboxd(write_letterboxd(work / "exports" / u, rows))
            exact = {i: Match("matched", by_id[r.item_id], 100.0, "id") for i, r in enumerate(hist)}
            ids = plan(export, exact)
            svc.feedback_service.record_batch(f"fb-{u}", "bench", ids)
            ranked = svc.recommend(f"fb-{u}", k=k).items
            scores["by id (feedback path)"].append(ndcg_at_k([r.item.id for r in ranked], test, k))
            started = time.perf_counter()
            report = svc.import_history(f"lb-{u}", "letterboxd", export)
            import_ms.append(1000 * (time.perf_counter() - started))
            ranked = svc.recommend(f"lb-{u}", k=k).items
            scores["by title (import)"].append(ndcg_at_k([r.item.id for r in ranked], test, k))
            rows_total += len(hist)
            for row, r in zip(export.rows, hist, strict=True):
                found = matcher.match(row.title, row.year).item
                rows_right += found is not None and found.id == r.item_id
            if n % 20 == 19:
                say(f"{n + 1} users; by title so far {sum(scores['by title (import)']) / (n + 1):.4f}")
            assert report.rows == len(hist)

        heavy = max((u for u in split.test if u not in held),
                    key=lambda u: sum(r.user_id == u for r in train))
        rows2k = sorted((r for r in train if r.user_id == heavy), key=lambda r: r.ts)[:2000]
        big = write_letterboxd(work / "exports" / "big", [
            (by_id[r.item_id].title, by_id[r.item_id].year, r.value, r.ts) for r in rows2k])
        started = time.perf_counter()
        big_report = svc.import_history("bench-2000", "letterboxd", big)
        big_s = time.perf_counter() - started
        memory.store.close()

    means = {s: sum(v) / max(len(v), 1) for s, v in scores.items()}
    by_id_ingest = means["by id (ingest)"]
    ms = sorted(import_ms)
    return {
        "k": k, "users": len(held), "seed": seed, "ndcg": means,
        "ratio_title_vs_id_ingest": means["by title (import)"] / max(by_id_ingest, 1e-12),
        "ratio_title_vs_id_feedback": means["by title (import)"]
        / max(means["by id (feedback path)"], 1e-12),
        "history_rows": rows_total, "history_rows_matched_right": rows_right,
        "catalog_matching": accuracy,
        "import_ms_p50": ms[len(ms) // 2] if ms else 0.0,
        "import_ms_p95": ms[int(0.95 * (len(ms) - 1))] if ms else 0.0,
        "big_import": {"rows": len(rows2k), "seconds": big_s, "added": big_report.added,
                       "matched": big_report.matched},
    }


def format_result(r: dict[str, Any]) -> str:
    k = r["k"]
    lines = [f"| history | NDCG@{k} |", "|---|---|"]
    lines += [f"| {name} | {v:.4f} |" for name, v in r["ndcg"].items()]
    acc = r["catalog_matching"]
    rows_ok = r["history_rows_matched_right"] / max(r["history_rows"], 1)
    lines += [
        "",
        f"by title / by id (ingest): {r['ratio_title_vs_id_ingest']:.3f} (target >= 0.95);"
        f" by title / by id (feedback path): {r['ratio_title_vs_id_feedback']:.3f}",
        f"title matching, every catalog film as a row: {acc['right']}/{acc['rows']} right"
        f" ({acc['accuracy']:.2%}), {acc['wrong']} wrong, {acc['ambiguous']} ambiguous,"
        f" {acc['unmatched']} unmatched (target >= 97 %)",
        f"title matching, the held-out users' history rows: {r['history_rows_matched_right']}/"
        f"{r['history_rows']} right ({rows_ok:.2%})",
        f"import per user: p50 {r['import_ms_p50']:.0f} ms, p95 {r['import_ms_p95']:.0f} ms;"
        f" a {r['big_import']['rows']}-row export: {r['big_import']['seconds']:.1f} s"
        f" (target <= 10 s; machine shared)",
        f"{r['users']} held-out users, seed {r['seed']}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.import_bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch dir, kept between runs")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not (args.data / "ratings.csv").exists():
        print(f"no MovieLens ratings.csv in {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    result = run(args.data, users=args.users, seed=args.seed, work_dir=args.work,
                 say=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
