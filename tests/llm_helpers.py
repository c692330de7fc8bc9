"""Shared set-up for the tests against scripted OpenAI-compatible servers (issue 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from memory.bootstrap import open_memory
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tools.service import Tastebud

KEY = "sk-issue11-ECHOED-key-5c4b3a2918"


def prepared_service(data_dir: Path) -> Tastebud:
    service = Tastebud(open_memory(Settings(data_dir=data_dir, user="tester"), embedder=WordHashEmbedder()))
    service.prepare()
    return service


def llm_settings(tmp_path: Path, url: str, **kw: Any) -> Settings:
    base: dict[str, Any] = {"chat_backend": "openai", "model": "stub-model", "openai_base_url": url,
                            "openai_api_key": KEY, "max_retries": 0, "request_timeout": 10.0,
                            "user": "llm_user"}
    return Settings(data_dir=tmp_path, **{**base, **kw})


def roles(messages: list[BaseMessage]) -> list[str]:
    out = []
    for m in messages:
        if isinstance(m, HumanMessage):
            out.append("user")
        elif isinstance(m, ToolMessage):
            out.append("tool")
        elif isinstance(m, AIMessage):
            out.append("assistant+tools" if m.tool_calls else "assistant")
    return out
