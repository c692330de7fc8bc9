"""The real ChatOpenAI wire path against a local stub server: JSON, SSE, retries, timeouts.

Nothing here touches the network: the stub listens on 127.0.0.1 on a free
port. The agent runs exactly as in production (create_agent, the toolkit,
the facade over the demo catalog); only the model server is fake.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.models import build_model
from agent.openai_backend import ModelConfigError, build_openai_model
from agent.session import ChatService, build_chat_service
from memory.bootstrap import open_memory
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tests.stub_openai import Hang, Reply, Status, StubOpenAI
from tools.service import Tastebud

KEY = "sk-test-DISTINCTIVE-key-0123456789abcdef"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Tastebud:
    settings = Settings(data_dir=tmp_path_factory.mktemp("oa"), user="tester")
    service = Tastebud(open_memory(settings, embedder=WordHashEmbedder()))
    service.prepare()
    return service


@pytest.fixture
def stub() -> Any:
    with StubOpenAI() as server:
        yield server


def openai_settings(tmp_path: Path, url: str, **kw: Any) -> Settings:
    base: dict[str, Any] = {"chat_backend": "openai", "model": "stub-model", "openai_base_url": url,
                            "openai_api_key": KEY, "max_retries": 2, "request_timeout": 5.0}
    return Settings(data_dir=tmp_path, user="oa_user", **{**base, **kw})


def test_factory_maps_the_settings(tmp_path: Path) -> None:
    s = openai_settings(tmp_path, "http://127.0.0.1:9/v1", max_retries=4, request_timeout=7.5)
    model = build_openai_model(s)
    assert (model.model_name, model.openai_api_base, model.max_retries) == (
        "stub-model", "http://127.0.0.1:9/v1", 0)  # the guard retries, counting, not the client
    assert (model.request_timeout.read, model.request_timeout.connect) == (7.5, 5.0)
    assert callable(model.http_client.abort)
    assert model.streaming and model.openai_api_key.get_secret_value() == KEY  # type: ignore[union-attr]
    assert KEY not in repr(model)
    with pytest.raises(ModelConfigError, match="OPENAI_API_KEY"):
        build_openai_model(Settings(data_dir=tmp_path, chat_backend="openai"))
    local = build_openai_model(Settings(data_dir=tmp_path, chat_backend="openai",
                                        openai_base_url="http://localhost:11434/v1"))
    assert local.openai_api_base == "http://localhost:11434/v1"


def test_streaming_tool_call_with_split_arguments(svc: Tastebud, stub: StubOpenAI, tmp_path: Path) -> None:
    stub.enqueue(Reply(tool_calls=[("recommend", {"query": "funny", "like_titles": ["Alien"], "k": 3})],
                       arg_pieces=5),
                 Reply(text="Here are three funny picks in the spirit of Alien."))
    s = openai_settings(tmp_path, stub.url)
    chat = build_chat_service(s, svc)
    assert chat.backend_label == "stub-model"
    tokens: list[str] = []
    result = chat.turn("something like Alien but funnier", on_token=tokens.append)
    assert result.error is None and result.reply.startswith("Here are three")
    assert len(tokens) > 3 and "".join(tokens).endswith("Alien.")
    assert result.tool_calls[0] == {"name": "recommend",
                                    "args": {"query": "funny", "like_titles": ["Alien"], "k": 3}}
    assert len(result.recommendations) == 3
    first, second = stub.requests
    assert first.body["stream"] is True and first.headers["authorization"] == f"Bearer {KEY}"
    assert {t["function"]["name"] for t in first.body["tools"]} >= {"recommend", "give_feedback"}
    tool_msg = next(m for m in second.body["messages"] if m["role"] == "tool")
    assert json.loads(tool_msg["content"])["data"]["list"][0]["id"] == result.recommendations[0].item.id


def test_plain_json_tool_call(svc: Tastebud, stub: StubOpenAI, tmp_path: Path) -> None:
    stub.enqueue(Reply(tool_calls=[("give_feedback", {"title_or_ref": "Heat", "signal": "love"})]),
                 Reply(text="Noted, you loved Heat."))
    s = openai_settings(tmp_path, stub.url)
    model = build_openai_model(s).model_copy(update={"streaming": False})
    result = ChatService(s, svc, model).turn("I loved Heat")
    assert result.error is None and result.reply == "Noted, you loved Heat."
    assert all(not r.body.get("stream") for r in stub.requests)
    assert svc.memory.store.feedback_events("oa_user")[-1].signal == "love"


@pytest.mark.parametrize("code", [429, 500, 503])
def test_retries_then_succeeds(svc: Tastebud, stub: StubOpenAI, tmp_path: Path, code: int) -> None:
    stub.enqueue(Status(code), Status(code), Reply(text="finally"))
    chat = build_chat_service(openai_settings(tmp_path, stub.url, max_retries=2), svc)
    assert chat.turn("hello").reply == "finally"
    assert len(stub.requests) == 3


def test_gives_up_with_a_clear_message_and_goes_on(svc: Tastebud, stub: StubOpenAI, tmp_path: Path) -> None:
    stub.enqueue(Status(429, message=f"rate limited for key {KEY}"), Status(429), Reply(text="ok now"))
    chat = build_chat_service(openai_settings(tmp_path, stub.url, max_retries=1), svc)
    bad = chat.turn("hello")
    assert bad.error and "429" in bad.error and "rate" in bad.error and KEY not in bad.error
    assert KEY not in json.dumps(bad.to_dict())
    assert chat.turn("hello again").reply == "ok now"


def test_server_error_message(svc: Tastebud, stub: StubOpenAI, tmp_path: Path) -> None:
    stub.enqueue(Status(500, message="boom"))
    chat = build_chat_service(openai_settings(tmp_path, stub.url, max_retries=0), svc)
    err = chat.turn("hello").error
    assert err and "HTTP 500" in err and "boom" in err and "etried" not in err
    assert len(stub.requests) == 1


def test_hanging_server_times_out(svc: Tastebud, stub: StubOpenAI, tmp_path: Path) -> None:
    stub.enqueue(Hang(10))
    chat = build_chat_service(openai_settings(tmp_path, stub.url, max_retries=0, request_timeout=0.4), svc)
    err = chat.turn("hello").error
    assert err and "did not answer within 0.4s" in err


def test_unreachable_server(svc: Tastebud, tmp_path: Path) -> None:
    chat = build_chat_service(openai_settings(tmp_path, "http://127.0.0.1:9/v1", max_retries=0), svc)
    err = chat.turn("hello").error
    assert err and "Cannot reach" in err


def test_key_never_leaks(svc: Tastebud, stub: StubOpenAI, tmp_path: Path,
                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    stub.enqueue(Status(401, message=f"Incorrect API key provided: {KEY}"))
    s = openai_settings(tmp_path, stub.url, max_retries=0)
    chat = build_chat_service(s, svc)
    result = chat.turn("hello")
    assert result.error and "rejected the API key" in result.error
    for text in (result.error, json.dumps(result.to_dict()), repr(chat), repr(chat.model),
                 repr(s), json.dumps(s.redacted()), caplog.text):
        assert KEY not in text
    assert isinstance(build_model(s, svc), type(chat.model))
