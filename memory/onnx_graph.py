"""all-MiniLM-L6-v2 as an ONNX graph, written op by op from the safetensors weights.

No torch and no exporter: the graph is assembled with `onnx.helper` from the
same tensors the numpy reference (`memory.minilm`) uses. The per-layer work uses
onnxruntime's fused CPU kernels (`com.microsoft` Attention, SkipLayerNormalization,
BiasGelu), which is what makes the graph faster than numpy; `memory.onnx_int8`
rewrites its matmuls for the int8 variant.

Inputs: `input_ids` int64 (batch, seq) and `attention_mask` int64 (batch, seq).
Output: `embedding` float32 (batch, 384), mean-pooled over the mask and L2-normalised,
the same as sentence-transformers' `encode(..., normalize_embeddings=True)`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

GRAPH_VERSION = 1
"""Bump when the graph changes, so cached models built by older code are rebuilt."""
OPSET = 18  # LayerNormalization is standard from 17, reductions take axes as inputs from 18
MS = "com.microsoft"


def build_graph(model_dir: Path, *, check: bool = False) -> Any:
    """The fp32 model (an `onnx.ModelProto`); the weights are verified by the caller.

    `check` runs onnx's checker, which re-serialises all 90 MB: the tests do it once,
    a user's first query should not pay for it.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    cfg = json.loads((model_dir / "config.json").read_text())
    dim, heads = int(cfg["hidden_size"]), int(cfg["num_attention_heads"])
    eps = float(cfg["layer_norm_eps"])
    w = load_file(str(model_dir / "model.safetensors"))
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], out: str, domain: str = "", **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, domain=domain, **attrs))
        return out

    def residual_norm(x: str, skip: str, prefix: str, name: str) -> str:
        """LayerNorm(x + dense bias + skip) in one fused kernel; `prefix` names the weights."""
        return node("SkipLayerNormalization", [
            x, skip, const(f"{name}_w", w[prefix + "LayerNorm.weight"]),
            const(f"{name}_b", w[prefix + "LayerNorm.bias"]),
            const(f"{name}_bias", w[prefix + "dense.bias"])], name, domain=MS, epsilon=eps)

    # Embeddings: token type is always 0 for one sentence, so it folds into positions.
    word = const("word_embeddings", w["embeddings.word_embeddings.weight"])
    pos = const("position_embeddings", w["embeddings.position_embeddings.weight"]
                + w["embeddings.token_type_embeddings.weight"][0])
    shape = node("Shape", ["input_ids"], "ids_shape")
    seq = node("Slice", [shape, const("one_1d", np.array([1], np.int64)),
                         const("two_1d", np.array([2], np.int64))], "seq_len")
    zero = const("zero_1d", np.array([0], np.int64))
    pos_rows = node("Slice", [pos, zero, seq, zero], "pos_rows")
    tokens = node("Gather", [word, "input_ids"], "tok_emb")
    summed = node("Add", [tokens, pos_rows], "emb_sum")
    h = node("LayerNormalization", [summed, const("emb_ln_w", w["embeddings.LayerNorm.weight"]),
                                    const("emb_ln_b", w["embeddings.LayerNorm.bias"])],
             "emb_out", axis=-1, epsilon=eps)
    mask_i32 = node("Cast", ["attention_mask"], "mask_i32", to=TensorProto.INT32)
    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)

    for i in range(int(cfg["num_hidden_layers"])):
        p, a = f"encoder.layer.{i}.", f"encoder.layer.{i}.attention.self."
        wqkv = np.concatenate([w[a + "query.weight"], w[a + "key.weight"],
                               w[a + "value.weight"]]).T
        bqkv = np.concatenate([w[a + "query.bias"], w[a + "key.bias"], w[a + "value.bias"]])
        att = node("Attention", [h, const(f"l{i}_wqkv", wqkv), const(f"l{i}_bqkv", bqkv),
                                 mask_i32], f"l{i}_att", domain=MS, num_heads=heads)
        proj = node("MatMul", [att, const(f"l{i}_wo", w[p + "attention.output.dense.weight"].T)],
                    f"l{i}_att_proj")
        h = residual_norm(proj, h, p + "attention.output.", f"l{i}_ln1")
        up = node("MatMul", [h, const(f"l{i}_w1", w[p + "intermediate.dense.weight"].T)],
                  f"l{i}_ffn_up")
        act = node("BiasGelu", [up, const(f"l{i}_b1", w[p + "intermediate.dense.bias"])],
                   f"l{i}_gelu", domain=MS)
        down = node("MatMul", [act, const(f"l{i}_w2", w[p + "output.dense.weight"].T)],
                    f"l{i}_ffn_down")
        h = residual_norm(down, h, p + "output.", f"l{i}_ln2")

    # Mean pooling as one batched matmul: (b, 1, t) @ (b, t, d) -> (b, 1, d).
    axis1 = const("axis_1", np.array([1], np.int64))
    mask3 = node("Unsqueeze", [mask_f, axis1], "mask_b1t")
    pooled = node("Squeeze", [node("MatMul", [mask3, h], "pool_sum3"), axis1], "pool_sum")
    count = node("ReduceSum", [mask_f, axis1], "mask_count", keepdims=1)
    count = node("Max", [count, const("min_count", np.array(1e-9, np.float32))], "mask_count_c")
    mean = node("Div", [pooled, count], "pool_mean")
    norm = node("ReduceL2", [mean, const("axis_m1", np.array([-1], np.int64))], "norm",
                keepdims=1)
    norm = node("Max", [norm, const("min_norm", np.array(1e-12, np.float32))], "norm_c")
    node("Div", [mean, norm], "embedding")

    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                    helper.make_opsetid(MS, 1)],
                              producer_name="tastebud", producer_version=str(GRAPH_VERSION))
    model.ir_version = 8  # readable by every onnxruntime >= 1.14
    if check:
        onnx.checker.check_model(model)
    return model
