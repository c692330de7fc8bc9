"""The MiniLM onnxruntime session: built at first use, cached in the data dir, checked by hash.

The graph is written from the pinned safetensors weights (`memory.onnx_graph`),
so nothing is downloaded and torch is never needed. Building takes a few seconds,
so the result is kept in `<data dir>/models/` next to a manifest holding its
sha256, the graph version and the weights' hash. Every load hashes the bytes it
is about to run: a truncated or edited file is rebuilt, never executed. The int8
variant is only written after it passed its quality gate against fp32
(`memory.onnx_gate`), and the gate's numbers are kept in its manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from memory.minilm import load_tokenizer, padded_batches, read_max_seq_length, tokenize
from memory.onnx_graph import GRAPH_VERSION

Variant = Literal["fp32", "int8"]
F32 = NDArray[np.float32]
Gate = Callable[[Callable[[Sequence[str]], F32]], dict[str, Any]]


def model_file(cache_dir: Path, variant: Variant) -> Path:
    return cache_dir / f"minilm-l6-v2.{variant}.onnx"


def _manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _expected(variant: Variant, weights_sha256: str) -> dict[str, Any]:
    return {"variant": variant, "graph_version": GRAPH_VERSION, "weights_sha256": weights_sha256}


def read_cached(cache_dir: Path, variant: Variant, weights_sha256: str) -> bytes | None:
    """The cached model's bytes if its manifest is current and its sha256 matches, else None."""
    path = model_file(cache_dir, variant)
    try:
        manifest = json.loads(_manifest_path(path).read_text())
        data = path.read_bytes()
    except (OSError, ValueError):
        return None
    want = _expected(variant, weights_sha256)
    if any(manifest.get(k) != v for k, v in want.items()):
        return None
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        return None
    return data


def write_cached(cache_dir: Path, variant: Variant, weights_sha256: str, data: bytes,
                 extra: dict[str, Any] | None = None) -> None:
    """Model first, manifest last, each by atomic rename: a killed build leaves no valid pair.

    Best effort: a read-only data dir only means the next start builds again.
    """
    path = model_file(cache_dir, variant)
    manifest = {**_expected(variant, weights_sha256), "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data), **(extra or {})}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for target, payload in ((path, data), (_manifest_path(path),
                                               json.dumps(manifest, indent=1).encode())):
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(payload)
            tmp.replace(target)
    except OSError:
        pass


def build_fp32(model_dir: Path) -> bytes:
    from memory.onnx_graph import build_graph

    return bytes(build_graph(model_dir).SerializeToString())


def build_int8(fp32: bytes) -> bytes:
    import onnx

    from memory.onnx_int8 import quantize_int8

    return bytes(quantize_int8(onnx.load_from_string(fp32)).SerializeToString())


def cpu_threads() -> int:
    """The cores this process may run on (both, on the target machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def new_session(model: bytes, threads: int | None = None) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or cpu_threads()
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


class OnnxMiniLM:
    """Tokenise, batch by length, run the session: the same contract as `memory.minilm.MiniLM`."""

    dim = 384

    def __init__(self, model_dir: Path, model: bytes, threads: int | None = None) -> None:
        self.max_seq_length = read_max_seq_length(model_dir)
        self.tokenizer = load_tokenizer(model_dir, self.max_seq_length)
        self.session = new_session(model, threads)

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return tokenize(self.tokenizer, texts)

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               pad_to: int | None = None) -> F32:
        """L2-normalised rows in input order; the graph pools and normalises."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for idx, tok, mask in padded_batches(self.tokenize(texts), batch_size, pad_to):
            out[idx] = self.session.run(None, {"input_ids": tok, "attention_mask": mask})[0]
        return out
