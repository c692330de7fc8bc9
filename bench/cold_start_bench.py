"""Cold wall time of whole `tastebud` processes: first start, `ask`, `recommend`.

Each sample spawns a fresh interpreter, so interpreter start, imports, opening
the stores and the answer all count, as they do for a user. Bytecode caches are
warm (as after any first run). Reported per case: the median and minimum wall
time of `--runs` samples and the median CPU time the child used (user + sys,
less skewed than wall time when other processes share the cores).

- first start: a fresh data dir, then what `tastebud chat` does before the chat
  can answer (build the chat service, ingest the demo catalog, have its CF
  model); the TUI shows its prompt before this finishes, so this is the wait
  for a first answer. Also `tastebud recommend` as the first command ever.
- ask: `tastebud ask "recommend a comedy" --json`, offline backend, demo catalog,
  the onnx model already cached (its one-time build is reported separately).
- recommend: `tastebud recommend --json`, with and without a query.

Run: `.venv/bin/python -m bench.cold_start_bench [--runs 5] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.embedder_bench import other_cpu_share

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"first start (chat ready)": 5.0, "ask (offline, demo)": 1.5, "recommend": 1.0}
READY = """
from memory.settings import Settings
from tui.factory import build_app_parts
chat, startup = build_app_parts(Settings(), resume=False)
if startup is not None:
    startup(lambda done, total: None)
chat.close()
"""
CLI = [sys.executable, "-m", "tui.cli"]


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


SOURCE = ROOT  # `--source DIR` times another checkout (e.g. the commit before a change)


def spawn(argv: list[str], data_dir: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one child process; it must succeed."""
    env = {**os.environ, "TASTEBUD_DATA_DIR": str(data_dir), "TASTEBUD_USER": "bench",
           "TASTEBUD_CHAT_BACKEND": "offline", "TASTEBUD_EMBEDDER": "minilm",
           "PYTHONPATH": str(SOURCE)}
    cpu0, t0 = _child_cpu(), time.perf_counter()
    out = subprocess.run(argv, cwd=SOURCE, env=env, capture_output=True, text=True, timeout=1800)
    wall, cpu = time.perf_counter() - t0, _child_cpu() - cpu0
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {out.stderr[-1500:]}")
    return wall, cpu


def case(name: str, samples: list[tuple[float, float]]) -> dict[str, Any]:
    walls = [w for w, _ in samples]
    return {"case": name, "runs": len(samples), "median_s": round(statistics.median(walls), 2),
            "min_s": round(min(walls), 2),
            "median_cpu_s": round(statistics.median(c for _, c in samples), 2),
            "target_s": TARGETS.get(name)}


def measure(runs: int, first_start_runs: int | None = None) -> dict[str, Any]:
    share = other_cpu_share()
    rows = []
    with tempfile.TemporaryDirectory(prefix="tastebud-cold-") as tmp:
        base = Path(tmp)
        fresh = [base / f"fresh-{n}" for n in range(first_start_runs or runs)]
        rows.append(case("first start (chat ready)",
                         [spawn([sys.executable, "-c", READY], d) for d in fresh]))
        rows.append(case("first start (recommend)",
                         [spawn([*CLI, "recommend", "--json"], base / f"fresh-rec-{n}")
                          for n in range(first_start_runs or runs)]))
        ready = fresh[0]
        ask = [*CLI, "ask", "recommend a comedy", "--json"]
        rows.append(case("first ask (builds the onnx model)", [spawn(ask, ready)]))
        rows.append(case("ask (offline, demo)", [spawn(ask, ready) for _ in range(runs)]))
        rows.append(case("recommend", [spawn([*CLI, "recommend", "--json"], ready)
                                       for _ in range(runs)]))
        rows.append(case("recommend --query", [
            spawn([*CLI, "recommend", "--query", "a funny heist film", "--json"], ready)
            for _ in range(runs)]))
        rows.append(case("interpreter + `import tui.cli` only",
                         [spawn([sys.executable, "-c", "import tui.cli"], ready)
                          for _ in range(runs)]))
    return {"runs": runs, "cpus": os.cpu_count(), "rows": rows,
            "other_processes_cpu_share": share()}


def render(r: dict[str, Any]) -> str:
    lines = [f"{'case':<36} {'median s':>9} {'min s':>6} {'cpu s':>6}  target"]
    for row in r["rows"]:
        target = row["target_s"]
        verdict = "" if target is None else (
            f"<= {target:.1f} s: {'met' if row['median_s'] <= target else 'MISSED'}")
        lines.append(f"{row['case']:<36} {row['median_s']:>9.2f} {row['min_s']:>6.2f}"
                     f" {row['median_cpu_s']:>6.2f}  {verdict}")
    other = r["other_processes_cpu_share"]
    lines.append(f"{r['runs']} runs per case on {r['cpus']} CPUs; other processes used "
                 f"{'an unknown share' if other is None else f'{other:.0%}'} of the CPU meanwhile")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-start-runs", type=int, default=None,
                        help="fewer first starts (an old checkout embeds the demo catalog)")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="the checkout to time (default: this one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    global SOURCE
    SOURCE = args.source.resolve()
    result = measure(args.runs, args.first_start_runs)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
