"""A tiny OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1, scripted by the test.

It exists to test the real wire path (the openai client inside ChatOpenAI,
its retries, its SSE parser) without a network. A test enqueues what the next
requests get: a `Reply` (text and/or tool calls, answered as plain JSON or as
SSE chunks depending on the request's `stream` flag, with tool-call arguments
split across several chunks), a `Status` (429, 500 ... with headers), or a
`Hang` (no answer, to trip the client's timeout). Every request is recorded
(headers and JSON body), so tests can check what the model was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, args)
    arg_pieces: int = 3  # how many SSE chunks each tool call's arguments are split into


@dataclass
class Status:
    code: int
    message: str = "stub error"
    headers: dict[str, str] = field(default_factory=lambda: {"retry-after-ms": "5"})


@dataclass
class Hang:
    seconds: float = 10.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class StubOpenAI:
    """Start with `with StubOpenAI() as stub:`; point a client at `stub.url`."""

    def __init__(self, default: Reply | None = None) -> None:
        self.script: deque[Reply | Status | Hang] = deque()
        self.requests: list[Recorded] = []
        self.default = default or Reply(text="(stub default reply)")
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *items: Reply | Status | Hang) -> StubOpenAI:
        self.script.extend(items)
        return self

    def __enter__(self) -> StubOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Reply | Status | Hang:
        return self.script.popleft() if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                item = stub._next()
                if isinstance(item, Hang):
                    stub._stop.wait(item.seconds)
                    return
                if isinstance(item, Status):
                    self._json(item.code, {"error": {"message": item.message, "type": "stub",
                                                     "code": str(item.code)}}, item.headers)  # fmt: skip
                elif body.get("stream"):
                    self._sse(item, body.get("model", "stub"))
                else:
                    self._json(200, completion(item, body.get("model", "stub")))

            def _json(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _sse(self, reply: Reply, model: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                for chunk in sse_chunks(reply, model):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def completion(reply: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{n}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}
            for n, (name, args) in enumerate(reply.tool_calls)
        ]  # fmt: skip
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message,
            "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}  # fmt: skip


def sse_chunks(reply: Reply, model: str) -> list[dict[str, Any]]:
    """The stream: a role chunk, the text word by word, each tool call's arguments in pieces."""
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0,
                "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip

    out = [chunk({"role": "assistant", "content": ""})]
    words = reply.text.split(" ") if reply.text else []
    for n, word in enumerate(words):
        out.append(chunk({"content": word if n == len(words) - 1 else word + " "}))
    for idx, (name, args) in enumerate(reply.tool_calls):
        raw = json.dumps(args)
        step = max(1, -(-len(raw) // max(1, reply.arg_pieces)))
        out.append(chunk({"tool_calls": [{"index": idx, "id": f"call_{idx}", "type": "function",
                                          "function": {"name": name, "arguments": ""}}]}))  # fmt: skip
        for start in range(0, len(raw), step):
            out.append(chunk({"tool_calls": [{"index": idx,
                                              "function": {"arguments": raw[start:start + step]}}]}))  # fmt: skip
    out.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
    return out
