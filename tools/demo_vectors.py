"""Build `memory/demo/vectors.npz`: the demo catalog's MiniLM embeddings.

Run `python -m tools.demo_vectors` (or `make demo-vectors`) after changing the
demo films or the embedding graph; `tests/test_demo_vectors.py` fails until you
do. It runs the same ingest a first start without the file would run (the fp32
MiniLM), in a scratch data dir, and keeps the vectors that stored.
"""

from __future__ import annotations

import argparse
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

from memory.bootstrap import DEMO_CATALOG, demo_parsed, open_memory
from memory.demo_vectors import FILE, ShippedVectors, save
from memory.embedder import MiniLMEmbedder
from memory.ingest.pipeline import ingest
from memory.settings import Settings


def build(models_dir: Path | None = None) -> ShippedVectors:
    """What a first start computes, computed here; `models_dir` caches the onnx model."""
    with tempfile.TemporaryDirectory(prefix="tastebud-demo-") as tmp:
        settings = Settings(data_dir=Path(tmp), catalog=DEMO_CATALOG)
        embedder = MiniLMEmbedder(cache_dir=models_dir or settings.models_dir)
        memory = open_memory(settings, embedder=embedder)
        parsed = demo_parsed()
        ingest(parsed, catalog=DEMO_CATALOG, client=memory.client, store=memory.store,
               embedder=embedder)
        memory.catalog.refresh()
        ids, vectors = memory.catalog.all_content_vectors()
        row = {i: n for n, i in enumerate(ids)}
        items = parsed.items
        content = np.stack([vectors[row[i.id]] for i in items])
        return ShippedVectors(
            embedder=embedder.name, ids=[i.id for i in items],
            ehash=[i.embedding_hash() for i in items], content=content.astype(np.float16))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path,
                        default=Path(str(resources.files("memory") / "demo" / FILE)))
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="where to cache the onnx model (default: a scratch dir)")
    args = parser.parse_args(argv)
    vectors = build(args.models_dir)
    save(args.out, vectors)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {len(vectors.ids)} films")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
