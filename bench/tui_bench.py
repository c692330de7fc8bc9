"""The TUI's two responsiveness numbers: a like's keypress-to-repaint, and launch-to-prompt.

Like latency: the app runs headless under the Pilot with real cards on screen;
each sample injects an `l` key through the driver (as a terminal would) and
stops the clock at the first frame the compositor hands to the display after
the taste panel redrew. That span covers the binding, the feedback worker (the
facade's write and taste read) and the repaint. Target p95 <= 50 ms.

Launch: a fresh `python` process does what `tastebud chat` does on an
already-ingested data dir (build the chat service, start the App) and reports
when the prompt has focus; the parent times it from spawn, so interpreter start
and imports count. Target <= 2 s.

`--ui-only` swaps the service for the test fakes, isolating the UI's own cost.
Run: `.venv/bin/python -m bench.tui_bench [--json] [--data-dir DIR] [--ui-only]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TARGET_LIKE_P95_MS = 50.0
TARGET_LAUNCH_S = 2.0
READY = "TUI-BENCH-READY"


def build_chat(settings: Any, ui_only: bool) -> Any:
    """The chat service `tastebud chat` would build; first-start work is done here, untimed."""
    if ui_only:
        from tests.tui_fakes import FakeChatService

        return FakeChatService()
    from tui.factory import build_app_parts

    chat, startup = build_app_parts(settings, resume=False)
    if startup is not None:
        startup(lambda *_: None)
    return chat


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def like_latencies(settings: Any, chat: Any, samples: int, warmup: int = 5) -> list[float]:
    from textual import events

    from tui.app import TastebudApp
    from tui.screens.chat_screen import ChatScreen
    from tui.widgets.cards_panel import CardsPanel
    from tui.widgets.taste_panel import TastePanel

    app = TastebudApp(settings=settings, chat=chat)
    armed: dict[str, Any] = {"before": None, "painted": None}
    display = app._display

    def spy(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        before, waiting = armed["before"], armed["painted"] is None
        if renderable is not None and before is not None and waiting:
            armed["painted"] = time.perf_counter() if panel.updates > before else None

    app._display = spy  # type: ignore[method-assign]
    panel: Any = None
    out: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while not isinstance(app.screen, ChatScreen):
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        recs = chat.service.recommend(chat.user_id, k=8, thread_id=chat.thread_id)
        ranked = list(getattr(recs, "items", recs))
        cards = app.screen.query_one(CardsPanel)
        await cards.show(ranked)
        cards.list_view.focus()
        panel = app.screen.query_one(TastePanel)  # read by spy(), on this same loop
        for n in range(warmup + samples):
            cards.list_view.index = n % len(ranked)
            await pilot.pause()
            armed.update(before=panel.updates, painted=None)
            key = events.Key("l", "l")
            key.set_sender(app)
            started = time.perf_counter()
            assert app._driver is not None
            app._driver.send_message(key)
            while armed["painted"] is None and time.perf_counter() - started < 10:
                await asyncio.sleep(0.0005)
            if armed["painted"] is None:
                raise RuntimeError("the taste panel never repainted after a like")
            if n >= warmup:
                out.append((armed["painted"] - started) * 1000)
            armed["before"] = None
    return out


def probe_launch(data_dir: str, ui_only: bool) -> None:
    """Child process: start the app as `tastebud chat` would; say READY once the prompt has focus."""
    from memory.settings import Settings
    from tui.app import TastebudApp
    from tui.screens.chat_screen import ChatScreen
    from tui.widgets.prompt_input import PromptInput

    settings = Settings(data_dir=Path(data_dir))
    app = TastebudApp(settings=settings, chat=build_chat(settings, ui_only))

    async def auto_pilot(pilot: Any) -> None:
        while not (
            isinstance(app.screen, ChatScreen) and app.screen.query_one(PromptInput).has_focus
        ):
            await asyncio.sleep(0.005)
        print(READY, flush=True)
        app.exit()

    app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)


def launch_seconds(data_dir: str, ui_only: bool, runs: int) -> list[float]:
    cmd = [sys.executable, "-m", "bench.tui_bench", "--probe-launch", "--data-dir", data_dir]
    cmd += ["--ui-only"] if ui_only else []
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        ready = next((time.perf_counter() - started for line in proc.stdout
                      if line.strip() == READY), None)  # fmt: skip
        proc.wait(timeout=60)
        if ready is None:
            raise RuntimeError(f"the launch probe exited ({proc.returncode}) without a prompt")
        times.append(ready)
    return times


def run(args: argparse.Namespace) -> dict[str, Any]:
    from memory.settings import Settings

    data_dir = args.data_dir or str(Path(tempfile.gettempdir()) / "tastebud-tui-bench")
    settings = Settings(data_dir=Path(data_dir))
    chat = build_chat(
        settings, args.ui_only
    )  # also prepares the data dir, so launches find it ready
    likes = asyncio.run(like_latencies(settings, chat, args.likes))
    launches = launch_seconds(data_dir, args.ui_only, args.launches)
    p95 = percentile(likes, 0.95)
    return {
        "data_dir": data_dir,
        "service": "fakes (UI only)" if args.ui_only else "real",
        "like_ms": {"samples": len(likes), "p50": round(statistics.median(likes), 2),
                    "p95": round(p95, 2), "max": round(max(likes), 2),
                    "target_p95": TARGET_LIKE_P95_MS, "ok": p95 <= TARGET_LIKE_P95_MS},
        "launch_s": {"runs": [round(t, 3) for t in launches], "median": round(statistics.median(launches), 3),
                     "target": TARGET_LAUNCH_S, "ok": statistics.median(launches) <= TARGET_LAUNCH_S},
    }  # fmt: skip


def render(report: dict[str, Any]) -> str:
    like, launch = report["like_ms"], report["launch_s"]
    mark = {True: "ok", False: "MISSED"}
    return "\n".join([
        f"TUI bench ({report['service']}, data dir {report['data_dir']})",
        f"  like keypress->repaint: p50 {like['p50']:.1f} ms, p95 {like['p95']:.1f} ms, "
        f"max {like['max']:.1f} ms over {like['samples']}  "
        f"[target p95 <= {like['target_p95']:.0f} ms: {mark[like['ok']]}]",
        f"  launch -> prompt: median {launch['median']:.2f} s, runs {launch['runs']}  "
        f"[target <= {launch['target']:.0f} s: {mark[launch['ok']]}]",
    ])  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench.tui_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--data-dir", help="an ingested data dir (default: a bench-owned temp dir)")
    parser.add_argument("--likes", type=int, default=60, help="timed likes (after 5 warm-up)")
    parser.add_argument("--launches", type=int, default=3, help="timed launches")
    parser.add_argument("--ui-only", action="store_true", help="use the test fakes, not the stack")
    parser.add_argument("--probe-launch", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.probe_launch:
        probe_launch(args.data_dir, args.ui_only)
        return 0
    report = run(args)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0 if report["like_ms"]["ok"] and report["launch_s"]["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
