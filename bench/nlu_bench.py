"""`tastebud eval nlu`: how well the offline model understands people, dev and test parts apart.

Reports, all through the shipped path (the real agent session over the demo
catalog in a temp data dir, as `tastebud ask` runs it, intent model included):
- single-turn intent accuracy and slot F1: the old labelled set
  (tests/data/nlu_utterances.jsonl) by split, and nlu_single_{dev,test}.jsonl;
- multi-turn pass rate: dialogues_{dev,test}.jsonl;
- plot search top-1 / top-3: plot_search_{dev,test}.jsonl;
- parse latency: the model's per-message understanding, p50/p95 in ms.
Test parts report aggregates only; `--errors` lists dev failures, never test ones.
Run: `.venv/bin/python -m bench.nlu_bench [--json] [--errors N] [--only dev|test]`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.dialogue import DialogueState
from agent.models import build_offline_model
from agent.offline.nlu import Action, parse
from bench.eval_dialogues import DATA, load_jsonl, score_dialogues, score_plot, score_single
from bench.eval_nlu import DEFAULT_DATA, Reader, evaluate, load_examples
from bench.eval_world import EvalWorld

TARGETS = {"multi_turn": 0.90, "intent_accuracy": 0.95, "plot_top3": 0.80, "parse_ms_added": 20.0}


def model_reader(model: Any) -> Reader:
    """The shipped model's reading of a message to a new conversation, in the old label space."""

    def read(text: str) -> tuple[str, list[Action]]:
        d = model.understand(text, DialogueState())
        return "+".join(a.intent for a in d.actions) or ("clarify" if d.clarify else "chitchat"), d.actions

    return read


def parse_latency(model: Any, texts: list[str]) -> dict[str, float]:
    """Per-message understanding time (intent model + rules) against the rules alone, in ms of
    CPU (process time: on a shared machine wall time mostly measures the neighbours)."""
    vocab = model.vocabulary
    model.understand("warm up", DialogueState())
    new, old = [], []
    for text in texts:
        model.memo.clear()
        t0 = time.process_time()
        model.understand(text, DialogueState())
        t1 = time.process_time()
        parse(text, vocab)
        new.append((t1 - t0) * 1000)
        old.append((time.process_time() - t1) * 1000)
    def pct(xs: list[float], q: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]
    return {"p50_ms": pct(new, 0.5), "p95_ms": pct(new, 0.95), "rules_p50_ms": pct(old, 0.5),
            "added_p50_ms": pct(new, 0.5) - pct(old, 0.5)}


def run(data: Path, parts: Sequence[str], errors: int) -> dict[str, Any]:
    world = EvalWorld()
    try:
        model = build_offline_model(world.service)
        out: dict[str, Any] = {"targets": TARGETS}
        examples = load_examples(data / DEFAULT_DATA.name)
        old = evaluate(examples, model.vocabulary, model_reader(model))
        out["old_single"] = {"n": old.n, "intent_accuracy": round(old.intent_accuracy, 4),
                             "slot_f1": round(old.slot_f1, 4),
                             "splits": old.to_dict()["splits"]}
        if errors:
            out["old_single"]["errors"] = [e for e in old.errors][:errors]
        for part in parts:
            keep = part == "dev" and errors > 0
            scores = {}
            for name, loader in (("dialogues", score_dialogues), ("plot_search", score_plot),
                                 ("nlu_single", score_single)):
                path = data / f"{name}_{part}.jsonl"
                if path.is_file():
                    score = loader(world, load_jsonl(path), f"{name}_{part}", keep_failures=keep)
                    if keep:
                        score.failures = score.failures[:errors]
                    scores[name] = score.to_dict()
            out[part] = scores
        out["parse"] = {k: round(v, 2) for k, v in parse_latency(model, [e.text for e in examples]).items()}
        return out
    finally:
        world.close()


def format_report(out: dict[str, Any]) -> str:
    old = out["old_single"]
    lines = [f"single-turn, old labelled set: intent {old['intent_accuracy']:.1%}, slot F1 {old['slot_f1']:.1%} (n={old['n']})"]
    for name, sub in old["splits"].items():
        lines.append(f"  split {name:<8} n={sub['n']:<4} intent {sub['intent_accuracy']:.1%}  slot F1 {sub['slot_f1']:.1%}")
    for part in ("dev", "test"):
        for name, s in out.get(part, {}).items():
            extra = ", ".join(f"{k} {v:.1%}" for k, v in s.items() if k in ("top1", "top3", "intent_accuracy", "slot_f1"))
            kinds = f"  [{', '.join(f'{k} {v}' for k, v in s.get('by_kind', {}).items())}]" if s.get("by_kind") else ""
            lines.append(f"{part:<4} {name:<12} n={s['n']:<4} pass {s['rate']:.1%}" + (f" ({extra})" if extra else "") + kinds)
            lines += [f"    x {json.dumps(f, ensure_ascii=False)}" for f in s.get("failures", [])]
    p = out["parse"]
    lines.append(f"parse (CPU): p50 {p['p50_ms']:.1f} ms, p95 {p['p95_ms']:.1f} ms; rules alone p50 {p['rules_p50_ms']:.1f} ms"
                 f" (added p50 {p['added_p50_ms']:.1f} ms)")
    for e in old.get("errors", []):
        lines.append(f"    x old {json.dumps(e, ensure_ascii=False)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlu_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of the labelled sets")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", type=int, default=0, help="list this many dev failures per set")
    parser.add_argument("--only", choices=("dev", "test"), help="score one part only")
    parser.add_argument("--intent-cache", type=Path, help="a folder holding the trained intent "
                        "model (same corpus hash = same model); default: train it in the temp data dir")
    args = parser.parse_args(argv)
    if args.intent_cache:
        from agent.models import load_intent_model
        from memory.embedder import MiniLMEmbedder

        load_intent_model(args.intent_cache, MiniLMEmbedder())
    data = args.data if args.data.is_dir() else args.data.parent
    out = run(data, [args.only] if args.only else ["dev", "test"], args.errors)
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else format_report(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
