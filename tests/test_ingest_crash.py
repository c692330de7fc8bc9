"""A process killed mid-ingest leaves the previous catalog whole and usable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import read_catalog
from memory.settings import Settings
from tests.fakes import WordHashEmbedder

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time
from pathlib import Path
from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import read_catalog
from memory.settings import Settings
from tests.fakes import WordHashEmbedder

class Slow(WordHashEmbedder):
    def embed(self, texts):
        Path(sys.argv[2]).write_text("embedding")
        time.sleep(0.5)
        return super().embed(texts)

settings = Settings(data_dir=sys.argv[1], user="t")
mem = open_memory(settings, embedder=Slow())
ingest(read_catalog(Path(sys.argv[3])), catalog="demo", client=mem.client, store=mem.store,
       embedder=mem.embedder)
"""


def _catalog(path: Path, n: int, prefix: str) -> Path:
    rows = [{"id": f"{prefix}{i}", "title": f"{prefix} film {i}", "year": 1990} for i in range(n)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_killed_ingest_keeps_previous_catalog(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", user="t")
    mem = open_memory(settings, embedder=WordHashEmbedder())
    ingest(read_catalog(_catalog(tmp_path / "old.jsonl", 5, "old")), catalog="demo",
           client=mem.client, store=mem.store, embedder=mem.embedder)
    mem.store.close()

    marker = tmp_path / "marker"
    new = _catalog(tmp_path / "new.jsonl", 2000, "new")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.data_dir), str(marker), str(new)], env=env
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the embedding step"
    child.send_signal(signal.SIGKILL)
    child.wait()

    mem = open_memory(settings, embedder=WordHashEmbedder())
    assert sorted(mem.catalog.items) == [f"old{i}" for i in range(5)]
    vec = mem.embedder.embed(["old film 3"])[0]
    assert mem.catalog.content_query(vec, 1)[0][0].startswith("old")
    # The next ingest clears the half-built collection and succeeds.
    rep = ingest(read_catalog(_catalog(tmp_path / "small.jsonl", 3, "new")), catalog="demo",
                 client=mem.client, store=mem.store, embedder=mem.embedder)
    mem.catalog.refresh()
    assert rep.items == 3 and sorted(mem.catalog.items) == ["new0", "new1", "new2"]
    assert len(mem.client.list_collections()) == 1
