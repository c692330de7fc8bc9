"""Which conversation is current for each user, kept in the data dir.

Successive `tastebud ask` calls are separate processes; they continue the
same conversation (so "the second one" means the last list shown) because
the current thread id of each user is stored in `threads.json`. A new thread
is a new id; the old conversation stays in the checkpointer.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path


class ThreadRegistry:
    """user id -> current thread id, in one small JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def current(self, user_id: str) -> str | None:
        return self._read().get(user_id)

    def set(self, user_id: str, thread_id: str) -> None:
        data = self._read()
        data[user_id] = thread_id
        self._write(data)

    def new(self, user_id: str) -> str:
        thread_id = f"{user_id}-{uuid.uuid4().hex[:12]}"
        self.set(user_id, thread_id)
        return thread_id

    def current_or_new(self, user_id: str) -> str:
        return self.current(user_id) or self.new(user_id)
