"""The one settings object.

It is built once, at the entry point (`tui.cli`), and handed down to everything
else. Nothing in the project reads environment variables or files at import
time; that is why every default below is a factory.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tastebud"


def _default_user() -> str:
    try:
        return getpass.getuser() or "me"
    except (KeyError, OSError):
        return "me"


class Settings(BaseSettings):
    """Everything a run of Tastebud can be told, from `TASTEBUD_*` variables.

    Nested values use `__` (for example `TASTEBUD_REWARDS__LIKE=0.8`). The two
    OpenAI settings also honour the standard `OPENAI_API_KEY` and
    `OPENAI_BASE_URL`, so a shell already set up for OpenAI, Ollama or vLLM
    works unchanged.
    """

    model_config = SettingsConfigDict(
        env_prefix="TASTEBUD_",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    user: str = Field(default_factory=_default_user)

    chat_backend: Literal["offline", "openai"] = "offline"
    model: str = "gpt-4o-mini"
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "TASTEBUD_OPENAI_BASE_URL", "OPENAI_BASE_URL", "openai_base_url"
        ),
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "TASTEBUD_OPENAI_API_KEY", "OPENAI_API_KEY", "openai_api_key"
        ),
    )
    connect_timeout: float = 5.0
    """Seconds to open a connection to the model server."""
    request_timeout: float = 30.0
    """Seconds to wait for the model server's first token (and between streamed chunks)."""
    turn_timeout: float = 90.0
    """Seconds one chat turn may take in all: every model call, retry and tool call."""
    max_retries: int = 2
    """Retries of a model call after 429, 5xx, a dropped connection or a timeout."""
    stream: bool = True
    """Stream replies token by token; false for servers that cannot stream (with tools)."""
    tool_calling: Literal["auto", "native", "none"] = "auto"
    """native: the model calls the tools; none: the offline parser plans the tool calls
    and the model only writes the reply; auto: native, falling back to none when the
    server refuses `tools`."""
    prompt_tokens: int = 3000
    """Estimated token budget of one prompt (system, tools, history); 3000 leaves room
    for the answer in a 4k-token context."""

    embedder: Literal["minilm", "minilm-int8", "openai"] = "minilm"
    """minilm-int8: faster integer matmuls, gated on quality against fp32 (memory.onnx_gate)."""
    openai_embedding_model: str = "text-embedding-3-small"

    chroma_url: str | None = None
    """`http://host:port` uses a Chroma server; unset means an embedded store in the data dir."""

    catalog: str | None = None
    """Catalog to use. Unset: the one last ingested or chosen (the bundled `demo` at first)."""

    rewards: dict[str, float] = Field(default_factory=dict)
    """Overrides for the reward table (signal name -> reward); see tools.rewards."""

    diversity: float | None = None
    """MMR trade-off: 0 ranks purely by score, 1 purely by novelty against the list so far.
    Unset: the value `tastebud train` chose for the catalog on its validation split."""

    history_messages: int = 24
    """How many recent messages a turn's prompt keeps; older ones are trimmed."""

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, v: object) -> object:
        if isinstance(v, str | Path) and not str(v).strip():
            # Path("") is the current directory: an empty value must not write there.
            raise ValueError("data_dir is empty; give a folder, or leave it unset for the default")
        if isinstance(v, str):
            return Path(v).expanduser()
        return v

    @field_validator("request_timeout", "connect_timeout", "turn_timeout")
    @classmethod
    def _positive_timeout(cls, v: float, info: ValidationInfo) -> float:
        if v <= 0:
            raise ValueError(f"{info.field_name} must be more than 0 seconds, got {v}")
        return v

    @field_validator("prompt_tokens")
    @classmethod
    def _budget(cls, v: int) -> int:
        if v < 1000:
            raise ValueError(f"prompt_tokens must be at least 1000 (the system prompt alone "
                             f"needs about 700), got {v}")
        return v

    @field_validator("max_retries")
    @classmethod
    def _retries(cls, v: int) -> int:
        if not 0 <= v <= 20:
            raise ValueError(f"max_retries must be between 0 and 20, got {v}")
        return v

    @field_validator("history_messages")
    @classmethod
    def _history(cls, v: int) -> int:
        if v < 2:
            raise ValueError(f"history_messages must be at least 2, got {v}")
        return v

    @field_validator("user")
    @classmethod
    def _user(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("user must not be empty")
        if any(not c.isprintable() for c in v):
            raise ValueError(f"user {v!r} contains control characters")
        return v.strip()

    @field_validator("diversity")
    @classmethod
    def _diversity_range(cls, v: float | None) -> float | None:
        if v is not None and not 0.0 <= v <= 1.0:
            raise ValueError(f"diversity must be between 0 and 1, got {v}")
        return v

    # Paths inside the data dir, in one place so the README's layout is true.
    @property
    def db_path(self) -> Path:
        return self.data_dir / "tastebud.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "conversations.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    def api_key_value(self) -> str | None:
        return self.openai_api_key.get_secret_value() if self.openai_api_key else None

    def redacted(self) -> dict[str, object]:
        """A view safe for logs and `--json`: the key is never shown."""
        data = self.model_dump(mode="json")
        data["openai_api_key"] = "***" if self.openai_api_key else None
        return data
