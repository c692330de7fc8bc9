"""Tastebud against scripted OpenAI-compatible servers: a transcript per mode, and cancel latency.

The servers are tests/stub_openai.py on 127.0.0.1, answering the way OpenAI,
vLLM (its stream shape, strict role checks), Ollama and vLLM without tool
calling, and llama.cpp's "Cannot use tools with stream" do, plus a hanging
server, an HTML answer and an empty `choices` list. The agent, the tools (over
the demo catalog with word-hash embeddings, so no download) and the
checkpointer are the production ones; the default settings apply except the
model name, the stub URL and a placeholder key.

`--cancel N` times N cancels of a request hung on the server: from
`ChatService.cancel()` to `turn()` returning (p50/p95/max, seconds).
Run: `.venv/bin/python -m bench.llm_servers_bench [--cancel 20]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.session import build_chat_service
from tests.llm_helpers import llm_settings, prepared_service
from tests.stub_openai import Auto, EmptyChoices, Garbage, Hang, StubOpenAI

MODES: list[tuple[str, dict[str, Any], list[Any], list[str]]] = [
    ("openai", {}, [], ["something like Alien but funnier", "why the first?"]),
    ("vllm stream, strict roles", {"style": "vllm", "strict": True}, [Garbage(), Garbage()],
     ["a thriller from the 90s", "and something scary?", "what about westerns?"]),
    ("ollama, model without tools", {"refuse_tools": "ollama", "strict": True}, [],
     ["hi", "80s horror without gore"]),
    ("vllm without --enable-auto-tool-choice", {"refuse_tools": "vllm"}, [], ["a western"]),
    ("llama.cpp, no tools with stream", {"refuse_tools": "llamacpp"}, [], ["recent animated films"]),
    ("empty choices, then garbage", {}, [EmptyChoices(), EmptyChoices(), Garbage()],
     ["hi", "a comedy"]),
]


def transcripts(svc: Any, root: Path) -> None:
    for n, (name, server, script, lines) in enumerate(MODES):
        print(f"\n=== {name} ===")
        with StubOpenAI(Auto(), **server) as stub:
            stub.enqueue(*script)
            chat = build_chat_service(llm_settings(root / f"m{n}", stub.url, request_timeout=2.0), svc)
            for text in lines:
                result = chat.turn(text)
                print(f"you> {text}")
                for notice in result.notices:
                    print(f"[note] {notice}")
                print(f"[error] {result.error}" if result.error else f"tastebud> {result.reply}")
            print(f"(requests: {len(stub.requests)}, refused by the server: {len(stub.rejected)})")
    hang_demo(svc, root)


def hang_demo(svc: Any, root: Path) -> None:
    print("\n=== a hanging server: the user cancels, then goes on ===")
    with StubOpenAI(Auto(), strict=True) as stub:
        chat = build_chat_service(llm_settings(root / "hang", stub.url, request_timeout=60.0), svc)
        stub.enqueue(Hang(60))
        out: list[Any] = []
        worker = threading.Thread(target=lambda: out.append(chat.turn("something funny")))
        worker.start()
        stub.hung.wait(30)
        chat.cancel()
        worker.join()
        print("you> something funny\n(Esc)")
        print(f"[cancelled] {out[0].error}")
        result = chat.turn("something funny")
        print(f"you> something funny\ntastebud> {result.reply}")


def cancel_latency(svc: Any, root: Path, trials: int) -> list[float]:
    times: list[float] = []
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(root / "lat", stub.url, request_timeout=60.0), svc)
        for _ in range(trials):
            stub.hung.clear()
            stub.enqueue(Hang(60))
            worker = threading.Thread(target=chat.turn, args=("hi",))
            worker.start()
            stub.hung.wait(30)
            start = time.perf_counter()
            chat.cancel()
            worker.join()
            times.append(time.perf_counter() - start)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llm_servers_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--cancel", type=int, default=0, help="time this many cancels of a hung request")
    parser.add_argument("--no-transcripts", action="store_true")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="tastebud-llm-bench-"))
    svc = prepared_service(root / "catalog")
    if not args.no_transcripts:
        transcripts(svc, root)
    if args.cancel:
        times = sorted(cancel_latency(svc, root, args.cancel))
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"\ncancel -> turn returned, {len(times)} trials: p50 {statistics.median(times):.3f}s, "
              f"p95 {p95:.3f}s, max {times[-1]:.3f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
