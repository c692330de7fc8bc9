"""Issue 12, item 1: the API key never reaches disk, logs or output, even when a server echoes it.

Some proxies answer 401/500 with a body that quotes the key or the request's
Authorization header. LangGraph stores a failed node's exception in the
checkpoint, so a raw exception would write the key into conversations.sqlite3.
These tests make the stub echo the key, then read every byte under the data dir.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.secrets import scrub
from agent.session import build_chat_service
from memory.bootstrap import open_memory
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tests.llm_helpers import KEY, llm_settings
from tests.stub_openai import Auto, Reply, Status, StubOpenAI
from tools.service import Tastebud


def files_holding(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def clean_data_dir(path: Path) -> Path:
    """A prepared data dir built by another process, one that never held the key.

    Chroma's HNSW file (data_level0.bin) is written with its unused slots uninitialised,
    so it can carry whatever freed heap memory held, a key included, when the catalog is
    built in a process that has seen one. Built elsewhere, any key found here afterwards
    was written by the chat itself.
    """
    code = "import sys; from pathlib import Path; from tests.llm_helpers import prepared_service; " \
           "prepared_service(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True,
                   cwd=Path(__file__).parents[1], env={k: v for k, v in os.environ.items() if "KEY" not in k})
    return path


def test_an_echoed_key_is_nowhere_under_the_data_dir(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    data = clean_data_dir(tmp_path / "data")
    svc = Tastebud(open_memory(Settings(data_dir=data, user="tester"), embedder=WordHashEmbedder()))
    echo = f"Incorrect API key provided: {KEY}"
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(data, stub.url, max_retries=1), svc)
        stub.enqueue(Status(401, message=echo, echo_key=True))
        first = chat.turn("something funny")
        stub.enqueue(Status(500, message=echo, echo_key=True), Status(500, message=echo, echo_key=True))
        second = chat.turn("something scary")
        stub.enqueue(Reply(tool_calls=[("recommend", {"query": KEY})]), Status(502, message=echo, echo_key=True),
                     Status(502, message=echo, echo_key=True))
        third = chat.turn(f"my key is {KEY}, something tense")  # even a user who pastes it
        assert chat.turn("a western").error is None
        chat.close()
    assert first.error and "rejected the API key (401)" in first.error
    assert second.error and "HTTP 500" in second.error and "Retried 1 time" in second.error
    assert third.error
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in stub.requests)  # it had the key
    assert not any(KEY in json.dumps(r.body) for r in stub.requests)  # the pasted key was not sent on
    for needle in (KEY, KEY[:8], KEY[-6:], "Bearer sk"):
        assert files_holding(data, needle.encode()) == [], needle
    out = capsys.readouterr()
    for text in (first.error, second.error, third.error, json.dumps(first.to_dict()), caplog.text,
                 out.out, out.err):
        assert KEY not in text and KEY[:8] not in text and "Bearer sk" not in text


def test_ask_json_with_an_echoing_server_prints_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str],
                                                       _isolated_environment: Path) -> None:
    from tui import cli, factory

    clean_data_dir(_isolated_environment)
    svc = Tastebud(open_memory(Settings(data_dir=_isolated_environment, user="tester"),
                               embedder=WordHashEmbedder()))
    with StubOpenAI(Auto()) as stub:
        stub.enqueue(Status(401, message=f"bad key {KEY}", echo_key=True))
        for name, value in (("CHAT_BACKEND", "openai"), ("OPENAI_BASE_URL", stub.url),
                            ("OPENAI_API_KEY", KEY), ("MAX_RETRIES", "0")):
            monkeypatch.setenv(f"TASTEBUD_{name}", value)
        monkeypatch.setattr(factory, "build_tastebud", lambda settings, **kw: svc)
        assert cli.main(["ask", "--json", "hi"]) == 1
    out = capsys.readouterr()
    assert "error" in json.loads(out.out) and KEY not in out.out + out.err
    assert files_holding(_isolated_environment, KEY.encode()) == []
    assert files_holding(_isolated_environment, KEY[:8].encode()) == []


@pytest.mark.parametrize("text", [
    f"Incorrect API key provided: {KEY}",
    f"headers: {{'Authorization': 'Bearer {KEY}'}}",
    f"Authorization: Bearer {KEY}",
    f"key starts {KEY[:10]} and ends {KEY[-6:]}",
    "x-api-key: some-other-secret-value",
    "authorization=rawtokenwithoutbearer",
])
def test_scrub_blanks_every_form_of_the_key(text: str) -> None:
    clean = scrub(text, KEY)
    assert KEY not in clean and KEY[:8] not in clean and KEY[-6:] not in clean
    assert "some-other-secret-value" not in clean and "rawtokenwithoutbearer" not in clean


def test_log_records_are_scrubbed_even_from_libraries(caplog: pytest.LogCaptureFixture) -> None:
    from agent.secrets import install_log_scrubbing

    install_log_scrubbing(KEY)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx2.somewhere").warning("response body: %s", {"echo": KEY})
    assert KEY not in caplog.text and "***" in caplog.text
