"""Client-server mode: ingest and query through TASTEBUD_CHROMA_URL against a real `chroma run`."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from memory.bootstrap import open_memory
from memory.catalog import CatalogError, open_chroma
from memory.ingest.pipeline import ingest
from memory.ingest.readers import read_catalog
from memory.settings import Settings
from tests.fakes import WordHashEmbedder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the `chroma` server binary from the chromadb wheel is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("chroma server did not start within 30 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_ingest_and_query_through_a_chroma_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASTEBUD_CHROMA_URL", chroma_url)
    settings = Settings()
    assert settings.chroma_url == chroma_url
    mem = open_memory(settings, embedder=WordHashEmbedder())
    assert not settings.chroma_path.exists()  # nothing embedded on local disk
    rows = [{"id": "alien", "title": "Alien", "description": "creature in space"},
            {"id": "heat", "title": "Heat", "description": "bank robbery in los angeles"}]
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows))
    rep = ingest(read_catalog(src), catalog="demo", client=mem.client, store=mem.store,
                 embedder=mem.embedder)
    mem.catalog.refresh()
    assert rep.items == 2
    hit = mem.catalog.content_query(mem.embedder.embed(["robbery los angeles"])[0], 1)
    assert hit[0][0] == "heat"
    mem.catalog.write_cf_factors(["alien", "heat"], __import__("numpy").eye(2, 4, dtype="float32"))
    assert mem.catalog.has_cf


def test_a_bad_chroma_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not an http"):
        open_chroma(Settings(data_dir=tmp_path, chroma_url="127.0.0.1:9"))
