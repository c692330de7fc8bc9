"""A tiny OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1, scripted by the test.

It exists to test the real wire path (the openai client inside ChatOpenAI, its
SSE parser, our retries, cancellation) without a network. A test enqueues what
the next requests get:

- `Reply` (text and/or tool calls, as plain JSON or as SSE chunks depending on
  the request's `stream` flag, arguments split across chunks; `raw_args` sends
  arguments that are not JSON),
- `Status` (429, 500 ... with headers; `echo_key=True` puts the request's
  Authorization header in the body, as some proxies do),
- `Hang` (no answer, or a stall after the first chunks), `Garbage` (a 200 with
  HTML), `EmptyChoices` (a 200 whose `choices` list is empty).

Server-wide modes copy real servers: `style="vllm"` streams like vLLM;
`strict=True` answers 400 to conversations whose roles do not alternate or whose
tool calls are unanswered (vLLM chat templates, OpenAI); `refuse_tools="ollama" |
"vllm" | "llamacpp"` answers requests carrying `tools` the way those servers do
for a model without tool calling. With an empty script it answers `default`
(`Auto()` plays a plausible small model). Every request is recorded, and every
refusal too (`rejected`). It binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.stub_wire import (
    TOOL_REFUSALS,
    Auto,
    Reply,
    auto_reply,
    completion,
    empty_completion,
    role_violation,
    sse_chunks,
)

__all__ = ["Auto", "EmptyChoices", "Garbage", "Hang", "Reply", "Status", "StubOpenAI"]


@dataclass
class Status:
    code: int
    message: str = "stub error"
    headers: dict[str, str] = field(default_factory=lambda: {"retry-after-ms": "5"})
    echo_key: bool = False


@dataclass
class Hang:
    seconds: float = 10.0
    after: Reply | None = None
    """Stream this reply's first chunks, then stall (a mid-stream hang)."""


@dataclass
class Garbage:
    body: str = "<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass
class EmptyChoices:
    pass


Item = Reply | Status | Hang | Garbage | EmptyChoices


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class StubOpenAI:
    """Start with `with StubOpenAI() as stub:`; point a client at `stub.url`."""

    def __init__(self, default: Reply | Auto | None = None, *, style: str = "openai",
                 strict: bool = False, refuse_tools: str | None = None) -> None:
        self.script: deque[Item] = deque()
        self.requests: list[Recorded] = []
        self.rejected: list[str] = []
        self.default = default or Reply(text="(stub default reply)")
        self.style, self.strict, self.refuse_tools = style, strict, refuse_tools
        self.hung = threading.Event()
        """Set when a request starts hanging, so a test knows when to cancel."""
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *items: Item) -> StubOpenAI:
        self.script.extend(items)
        return self

    def __enter__(self) -> StubOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> Item:
        if self.script:
            return self.script.popleft()
        if isinstance(self.default, Auto):
            return auto_reply(self.default, body)
        return self.default

    def refusal(self, body: dict[str, Any]) -> tuple[int, str] | None:
        """The 400/500 a strict or tool-less server answers before any scripted item."""
        if self.refuse_tools and body.get("tools"):
            code, text = TOOL_REFUSALS[self.refuse_tools]
            if self.refuse_tools != "llamacpp" or body.get("stream"):
                return code, text
        if self.strict:
            why = role_violation(body.get("messages", []))
            if why:
                return 400, why
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append(Recorded(self.path, headers, body))
                model = body.get("model", "stub")
                refused = stub.refusal(body)
                if refused:
                    stub.rejected.append(refused[1])
                    self._json(refused[0], {"error": {"message": refused[1], "type": "invalid_request_error"}})
                    return
                item = stub._next(body)
                if isinstance(item, Hang):
                    self._hang(item, model, bool(body.get("stream")))
                elif isinstance(item, Status):
                    text = item.message
                    if item.echo_key:
                        text += f" (request had Authorization: {headers.get('authorization')})"
                    self._json(item.code, {"error": {"message": text, "type": "stub",
                                                     "code": str(item.code)}}, item.headers)
                elif isinstance(item, Garbage):
                    self._raw(200, "text/html", item.body.encode())
                elif isinstance(item, EmptyChoices):
                    if body.get("stream"):
                        self._sse([{"id": "x", "object": "chat.completion.chunk", "created": 0,
                                    "model": model, "choices": []}])
                    else:
                        self._json(200, empty_completion(model))
                elif body.get("stream"):
                    self._sse(sse_chunks(item, model, stub.style))
                else:
                    self._json(200, completion(item, model))

            def _hang(self, item: Hang, model: str, stream: bool) -> None:
                if item.after is not None and stream:
                    self._sse_head()
                    for chunk in sse_chunks(item.after, model, stub.style)[:2]:
                        self._event(chunk)
                stub.hung.set()
                stub._stop.wait(item.seconds)

            def _json(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._raw(code, "application/json", json.dumps(payload).encode(), headers)

            def _raw(self, code: int, ctype: str, raw: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _sse_head(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()

            def _event(self, chunk: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def _sse(self, chunks: list[dict[str, Any]]) -> None:
                self._sse_head()
                for chunk in chunks:
                    self._event(chunk)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler
