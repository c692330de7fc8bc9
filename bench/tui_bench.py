"""The TUI's two responsiveness numbers: a like's keypress-to-repaint, and launch-to-prompt.

Like latency: the app runs headless under the Pilot with real cards on screen;
each sample injects an `l` key through the driver (as a terminal would) and
stops the clock at the first frame the compositor hands to the display after
the taste panel redrew with the event: the binding, the feedback worker (the
facade's committed write) and the repaint. Target p95 <= 50 ms. The panel is
drawn from the FeedbackResult first, then once more from the full TasteView
re-read; the time to that second frame is reported too.

Launch: a fresh `python` process starts the App on an already-ingested data
dir and reports when the prompt has focus, and when the chat service is
connected; the parent times both from spawn, so interpreter start and imports
count. Two ways are timed: "deferred" (the App gets `chat=None` and a startup
that builds the service in its worker, so the langchain/chromadb imports run
behind a live prompt) and "eager" (the service is built before the App, as
tui/cli_chat.py does today). Target: prompt <= 2 s.

`--ui-only` swaps the service for the test fakes, isolating the UI's own cost.
Run: `.venv/bin/python -m bench.tui_bench [--json] [--data-dir DIR] [--ui-only]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
PROMPT, READY = "TUI-BENCH-PROMPT", "TUI-BENCH-READY"


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


async def like_latencies(
    settings: Any, chat: Any, samples: int, warmup: int = 5
) -> tuple[list[float], list[float], list[float]]:
    """Per like, ms from the key to (a) the frame showing the event, (b) the frame after the
    full taste re-read, and (c) ms spent inside the facade's feedback() call, the part of (a)
    that is not the UI's. The panel redraws twice: `updates` counts them, `spy` times frames."""
    from textual import events

    from tui.app import TastebudApp
    from tui.widgets.cards_panel import CardsPanel
    from tui.widgets.taste_panel import TastePanel

    app = TastebudApp(settings=settings, chat=chat)
    armed: dict[str, Any] = {"before": None, "frames": {}}
    display = app._display
    facade_ms: list[float] = []
    record = chat.service.feedback

    def timed_feedback(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return record(*args, **kwargs)
        finally:
            facade_ms.append((time.perf_counter() - started) * 1000)

    chat.service.feedback = timed_feedback

    def spy(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None and armed["before"] is not None:
            drawn = panel.updates - armed["before"]
            if drawn > 0:
                armed["frames"].setdefault(min(drawn, 2), time.perf_counter())

    app._display = spy  # type: ignore[method-assign]
    panel: Any = None
    first: list[float] = []
    full: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.chat_screen.ready:
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
            armed.update(before=panel.updates, frames={})
            key = events.Key("l", "l")
            key.set_sender(app)
            started = time.perf_counter()
            assert app._driver is not None
            app._driver.send_message(key)
            while 2 not in armed["frames"] and time.perf_counter() - started < 10:
                await asyncio.sleep(0.0005)
            if 2 not in armed["frames"]:
                raise RuntimeError("the taste panel did not redraw twice after a like")
            frames = armed["frames"]
            if n >= warmup:
                first.append((frames.get(1, frames[2]) - started) * 1000)
                full.append((frames[2] - started) * 1000)
            armed["before"] = None
    chat.service.feedback = record
    return first, full, facade_ms[warmup:]


def connect_later(settings: Any, ui_only: bool) -> Any:
    """The deferred start: a `startup` that builds the chat service inside the App's worker."""

    def startup(progress: Any) -> Any:
        return build_chat(settings, ui_only)

    return startup


def probe_launch(data_dir: str, ui_only: bool, deferred: bool) -> None:
    """Child process: start the app as the CLI does; print PROMPT (focused) and READY (connected)."""
    from memory.settings import Settings
    from tui.app import TastebudApp
    from tui.widgets.prompt_input import PromptInput

    settings = Settings(data_dir=Path(data_dir))
    if deferred:
        app = TastebudApp(settings=settings, chat=None, startup=connect_later(settings, ui_only))
    else:
        app = TastebudApp(settings=settings, chat=build_chat(settings, ui_only))

    async def auto_pilot(pilot: Any) -> None:
        screen = app.chat_screen
        while not (screen.is_mounted and screen.query_one(PromptInput).has_focus):
            await asyncio.sleep(0.002)
        print(PROMPT, flush=True)
        while not screen.ready:
            await asyncio.sleep(0.002)
        print(READY, flush=True)
        app.exit()

    app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)


def launch_seconds(data_dir: str, ui_only: bool, deferred: bool, runs: int) -> dict[str, Any]:
    """Seconds from spawning the process to the focused prompt, and to a connected service."""
    cmd = [sys.executable, "-m", "bench.tui_bench", "--probe-launch", "--data-dir", data_dir]
    cmd += (["--ui-only"] if ui_only else []) + (["--deferred"] if deferred else [])
    prompt, ready = [], []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        seen: dict[str, float] = {}
        for line in proc.stdout:
            seen.setdefault(line.strip(), time.perf_counter() - started)
        proc.wait(timeout=60)
        if PROMPT not in seen or READY not in seen:
            raise RuntimeError(f"the launch probe exited ({proc.returncode}) before it was ready")
        prompt.append(seen[PROMPT])
        ready.append(seen[READY])
    median = statistics.median(prompt)
    return {"prompt_s": [round(t, 3) for t in prompt], "ready_s": [round(t, 3) for t in ready],
            "median_prompt_s": round(median, 3), "median_ready_s": round(statistics.median(ready), 3),
            "target_prompt_s": TARGET_LAUNCH_S, "ok": median <= TARGET_LAUNCH_S}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from memory.settings import Settings

    data_dir = args.data_dir or str(Path(tempfile.gettempdir()) / "tastebud-tui-bench")
    # a fresh user per run: taste() reads the whole feedback history, so reusing one
    # user would make every run slower than the last
    user = args.user or f"tui-bench-{os.getpid()}"
    settings = Settings(data_dir=Path(data_dir), user=user)
    chat = build_chat(
        settings, args.ui_only
    )  # also prepares the data dir, so launches find it ready
    likes, full, facade = asyncio.run(like_latencies(settings, chat, args.likes))
    p95 = percentile(likes, 0.95)
    return {
        "data_dir": data_dir,
        "user": user,
        "service": "fakes (UI only)" if args.ui_only else "real",
        "like_ms": {"samples": len(likes), "p50": round(statistics.median(likes), 2),
                    "p95": round(p95, 2), "max": round(max(likes), 2),
                    "target_p95": TARGET_LIKE_P95_MS, "ok": p95 <= TARGET_LIKE_P95_MS,
                    "facade_feedback_p50": round(statistics.median(facade), 2),
                    "facade_feedback_p95": round(percentile(facade, 0.95), 2),
                    "full_panel_p50": round(statistics.median(full), 2),
                    "full_panel_p95": round(percentile(full, 0.95), 2)},
        "launch_deferred": launch_seconds(data_dir, args.ui_only, True, args.launches),
        "launch_eager": launch_seconds(data_dir, args.ui_only, False, args.launches),
    }


def render(report: dict[str, Any]) -> str:
    like = report["like_ms"]
    mark = {True: "ok", False: "MISSED"}
    lines = [
        f"TUI bench ({report['service']}, data dir {report['data_dir']})",
        f"  like keypress->repaint: p50 {like['p50']:.1f} ms, p95 {like['p95']:.1f} ms, "
        f"max {like['max']:.1f} ms over {like['samples']}  "
        f"[target p95 <= {like['target_p95']:.0f} ms: {mark[like['ok']]}]",
        f"    of which inside Tastebud.feedback(): p50 {like['facade_feedback_p50']:.1f} ms, "
        f"p95 {like['facade_feedback_p95']:.1f} ms",
        f"  like keypress->full taste panel (after the taste re-read): "
        f"p50 {like['full_panel_p50']:.1f} ms, p95 {like['full_panel_p95']:.1f} ms",
    ]
    for name, how in (
        ("deferred", "service built in the App's startup worker, as `tastebud chat` does"),
        ("eager", "baseline: service built before the App starts"),
    ):
        launch = report[f"launch_{name}"]
        lines.append(
            f"  launch -> prompt ({how}): median {launch['median_prompt_s']:.2f} s, "
            f"connected {launch['median_ready_s']:.2f} s  "
            f"[target <= {launch['target_prompt_s']:.0f} s: {mark[launch['ok']]}]"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench.tui_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--data-dir", help="an ingested data dir (default: a bench-owned temp dir)")
    parser.add_argument("--likes", type=int, default=60, help="timed likes (after 5 warm-up)")
    parser.add_argument("--launches", type=int, default=3, help="timed launches")
    parser.add_argument("--user", help="who likes the films (default: a fresh user per run)")
    parser.add_argument("--ui-only", action="store_true", help="use the test fakes, not the stack")
    parser.add_argument("--probe-launch", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--deferred", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.probe_launch:
        probe_launch(args.data_dir, args.ui_only, args.deferred)
        return 0
    report = run(args)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0 if report["like_ms"]["ok"] and report["launch_deferred"]["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
