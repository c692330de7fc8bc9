"""A numpy forward pass of all-MiniLM-L6-v2: the reference the onnxruntime graph is held to.

The app embeds with `memory.onnx_model` (faster); this module keeps the plain-numpy
model that the tests compare it with, and the tokenisation and length batching
both share. It reproduces sentence-transformers' `encode(...,
normalize_embeddings=True)`: BERT encoder, mean pooling over the attention mask, L2 normalisation. Integrity
checks and locating the weights live in `memory.embedder`; this module trusts
the directory it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]

# erf on [-4, 4] as an odd/even rational function (outside it erf is +-1 in float32).
# scipy's erf costs ~15 ns/element on float32 and the FFN needs 1536 of them per
# token per layer; this costs ~2 ns, max abs error < 5e-7 (checked in the tests).
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)
# The same polynomials in x instead of x/sqrt(2), with GELU's 0.5 folded into P,
# so 0.5 * (1 + erf(x / sqrt(2))) == 0.5 + x * P(x^2) / Q(x^2): fewer array passes.
_R2 = np.sqrt(2.0)
_GP = [np.float32(c / 2.0 ** (len(_ERF_P) - 1 - i) / _R2 / 2) for i, c in enumerate(_ERF_P)]
_GQ = [np.float32(c / 2.0 ** (len(_ERF_Q) - 1 - i)) for i, c in enumerate(_ERF_Q)]
_GLIM = np.float32(4.0 * _R2)
_GELU_ROWS = 64  # rows per block: the temporaries stay in L2 and numpy overhead stays small


def _horner(coefs: list[np.float32], x2: F32, out: F32) -> F32:
    np.multiply(x2, coefs[0], out=out)
    for c in coefs[1:-1]:
        out += c
        out *= x2
    out += coefs[-1]
    return out


def gelu_(h: F32) -> None:
    """Exact (erf) GELU as HF BERT uses, in place, one cache-sized block at a time."""
    z, x2, p, q = (np.empty((_GELU_ROWS, h.shape[1]), np.float32) for _ in range(4))
    for i in range(0, h.shape[0], _GELU_ROWS):
        x = h[i : i + _GELU_ROWS]
        n = x.shape[0]
        np.clip(x, -_GLIM, _GLIM, out=z[:n])
        np.multiply(z[:n], z[:n], out=x2[:n])
        _horner(_GP, x2[:n], p[:n])
        p[:n] *= z[:n]
        p[:n] /= _horner(_GQ, x2[:n], q[:n])
        p[:n] += np.float32(0.5)
        x *= p[:n]


class MiniLM:
    """Weights re-laid out once at load so each layer is four plain matmuls."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file

        cfg = json.loads((model_dir / "config.json").read_text())
        pool = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pool.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{model_dir}: only mean pooling is implemented")
        self.dim = int(cfg["hidden_size"])
        self.heads = int(cfg["num_attention_heads"])
        self.eps = np.float32(cfg["layer_norm_eps"])
        self.max_seq_length = read_max_seq_length(model_dir)

        self.tokenizer = load_tokenizer(model_dir, self.max_seq_length)

        w = load_file(str(model_dir / "model.safetensors"))
        self.word = w["embeddings.word_embeddings.weight"]
        # Token type is always 0 for single sentences: fold it into the positions.
        self.pos = w["embeddings.position_embeddings.weight"] + w[
            "embeddings.token_type_embeddings.weight"][0]
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        scale = np.float32(1.0 / np.sqrt(self.dim // self.heads))
        self.layers = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention.self."
            # One fused QKV matmul; the softmax scale is folded into Q.
            wqkv = np.concatenate([w[a + "query.weight"] * scale, w[a + "key.weight"],
                                   w[a + "value.weight"]]).T
            bqkv = np.concatenate([w[a + "query.bias"] * scale, w[a + "key.bias"],
                                   w[a + "value.bias"]])
            self.layers.append((
                np.ascontiguousarray(wqkv), bqkv,
                np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                w[p + "attention.output.dense.bias"],
                (w[p + "attention.output.LayerNorm.weight"],
                 w[p + "attention.output.LayerNorm.bias"]),
                np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                w[p + "intermediate.dense.bias"],
                np.ascontiguousarray(w[p + "output.dense.weight"].T),
                w[p + "output.dense.bias"],
                (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
            ))

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return tokenize(self.tokenizer, texts)

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               pad_to: int | None = None) -> F32:
        """Embed texts, L2-normalised rows in input order (see `padded_batches`).

        `pad_to` forces a fixed width; it exists so the bench can show what that costs.
        """
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for idx, tok, mask in padded_batches(self.tokenize(texts), batch_size, pad_to):
            out[idx] = self.forward(tok, mask.astype(np.float32))
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-12))
        return out

    def _layer_norm(self, h: F32, ln: tuple[F32, F32]) -> F32:
        h -= h.mean(axis=-1, keepdims=True)
        var = np.einsum("ij,ij->i", h, h)[:, None] / np.float32(h.shape[1])
        h *= 1.0 / np.sqrt(var + self.eps)
        h *= ln[0]
        h += ln[1]
        return h

    def forward(self, tok: NDArray[np.int64], mask: F32) -> F32:
        """Mean-pooled (not yet normalised) embeddings for one padded batch."""
        b, t = tok.shape
        nh, hd = self.heads, self.dim // self.heads
        h = self.word[tok.reshape(-1)]
        h += np.tile(self.pos[:t], (b, 1))
        h = self._layer_norm(h, self.emb_ln)
        # Additive key mask: padded keys get exp(-1e9) == 0 exactly.
        bias = None if mask.all() else ((mask - 1.0) * np.float32(1e9))[:, None, None, :]
        ctx = np.empty((b, t, nh, hd), dtype=np.float32)
        ctx_heads = ctx.transpose(0, 2, 1, 3)
        for wqkv, bqkv, wo, bo, ln1, w1, b1, w2, b2, ln2 in self.layers:
            qkv = h @ wqkv
            qkv += bqkv
            # (b, t, 3, nh, hd) -> views of shape (b, nh, t, hd); BLAS takes the strides.
            q, k, v = qkv.reshape(b, t, 3, nh, hd).transpose(2, 0, 3, 1, 4)
            s = q @ k.transpose(0, 1, 3, 2)
            if bias is not None:
                s += bias
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            # Normalise after multiplying by V: (t, hd) is smaller than (t, t).
            np.matmul(s, v, out=ctx_heads)
            ctx_heads /= s.sum(axis=-1, keepdims=True)
            a = ctx.reshape(b * t, self.dim) @ wo
            a += bo
            a += h
            h = self._layer_norm(a, ln1)
            f = h @ w1
            f += b1
            gelu_(f)
            o = f @ w2
            o += b2
            o += h
            h = self._layer_norm(o, ln2)
        h3 = h.reshape(b, t, self.dim)
        summed = np.matmul(mask[:, None, :], h3)[:, 0]
        counts = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        return summed / counts


def load_tokenizer(model_dir: Path, max_seq_length: int) -> Any:
    """The model's WordPiece tokenizer, truncating where sentence-transformers does."""
    from tokenizers import Tokenizer

    # tokenizer.json ships with truncation 128 and fixed padding 128; the model
    # card's 256 is what sentence-transformers applies, and we pad ourselves.
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_seq_length)
    return tokenizer


def read_max_seq_length(model_dir: Path) -> int:
    return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])


def tokenize(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    if len(texts) == 1:  # skips the Rust thread pool: cheaper for the hot query path
        return [tokenizer.encode(texts[0]).ids]
    return [e.ids for e in tokenizer.encode_batch(list(texts))]


def padded_batches(
    ids: Sequence[Sequence[int]], batch_size: int, pad_to: int | None = None
) -> Iterator[tuple[list[int], NDArray[np.int64], NDArray[np.int64]]]:
    """(row indices, token ids, attention mask) per batch of texts of similar length.

    Texts are sorted by token count and each batch is padded only to its own
    longest text, because padded tokens cost as much as real ones.
    """
    for idx in _length_batches([len(i) for i in ids], batch_size):
        width = max(pad_to or 0, len(ids[idx[0]]))
        tok = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            tok[row, : len(ids[i])] = ids[i]
            mask[row, : len(ids[i])] = 1
        yield idx, tok, mask


def _length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped longest first; a batch also ends where padding would be mostly waste.

    One 256-token text among short queries would otherwise make the whole batch
    10x as expensive; an extra batch costs only a few ms of per-call overhead.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        cur = batches[-1] if batches else None
        if cur is None or len(cur) >= batch_size or lengths[cur[0]] > 2 * lengths[i] + 16:
            batches.append([i])
        else:
            cur.append(i)
    return batches
