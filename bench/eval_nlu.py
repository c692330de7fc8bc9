"""Measuring the offline parser: intent accuracy and slot F1 on a labelled set.

The labelled set (tests/data/nlu_utterances.jsonl) has one utterance per line:
`{"text", "intent", "slots"}`. Conventions the labels follow:

- `intent` is one of recommend, search, similar, explain, details, feedback,
  adjust_preferences, show_profile, greeting, help, chitchat; a compound is
  joined with "+" ("feedback+recommend").
- `slots` is the union over the message's actions. Names: titles (catalog
  titles), refs (1-based positions, -1 for "the last one", "it" for a pronoun),
  genres, exclude_genres, keywords, exclude_keywords (catalog mood keywords),
  people, year_min, year_max ("recent" = the catalog's recent_from), k,
  signal, rating (five-star scale), changes (adjust_preferences, as strings).
- Slot F1 is micro-averaged over (slot, value) pairs, so a missed genre and
  a spurious one each cost one pair.

The vocabulary is the bundled demo catalog, so the numbers describe what a
user of `tastebud chat` gets.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.offline.lexicon import Vocabulary
from agent.offline.nlu import Action, parse

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "nlu_utterances.jsonl"
INTENT_TARGET = 0.90
SLOT_F1_TARGET = 0.85


@dataclass
class Example:
    text: str
    intent: str
    slots: dict[str, Any]
    split: str = "dev"


@dataclass
class NluReport:
    n: int
    intent_accuracy: float
    slot_precision: float
    slot_recall: float
    slot_f1: float
    per_intent: dict[str, tuple[int, int]] = field(default_factory=dict)  # intent -> (right, total)
    errors: list[dict[str, Any]] = field(default_factory=list)
    splits: dict[str, NluReport] = field(default_factory=dict)

    @property
    def meets_targets(self) -> bool:
        return self.intent_accuracy >= INTENT_TARGET and self.slot_f1 >= SLOT_F1_TARGET

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "intent_accuracy": round(self.intent_accuracy, 4),
            "slot_precision": round(self.slot_precision, 4),
            "slot_recall": round(self.slot_recall, 4), "slot_f1": round(self.slot_f1, 4),
            "targets": {"intent_accuracy": INTENT_TARGET, "slot_f1": SLOT_F1_TARGET},
            "meets_targets": self.meets_targets,
            "per_intent": {k: {"right": r, "total": t} for k, (r, t) in sorted(self.per_intent.items())},
            "splits": {k: {"n": r.n, "intent_accuracy": round(r.intent_accuracy, 4),
                           "slot_f1": round(r.slot_f1, 4)} for k, r in self.splits.items()},
            "errors": self.errors,
        }


def load_examples(path: Path = DEFAULT_DATA) -> list[Example]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(Example(row["text"], row["intent"], dict(row.get("slots", {})),
                               str(row.get("split", "dev"))))
        except (json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"{path}:{n}: not a labelled utterance ({exc})") from exc
    return out


def pairs(slots: dict[str, Any], vocab: Vocabulary) -> set[tuple[str, str]]:
    """(slot, value) pairs, with values canonicalised so 3 and 3.0 or "Sci-Fi" compare equal."""
    out: set[tuple[str, str]] = set()
    for name, value in slots.items():
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is None:
                continue
            if name == "year_min" and v == "recent":
                v = vocab.recent_from
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            out.add((name, str(v).lower()))
    return out


Reader = Callable[[str], tuple[str, list[Action]]]
"""A message -> (intent label, actions): the rule parser, or the shipped model's decision."""


def rules_reader(vocab: Vocabulary) -> Reader:
    def read(text: str) -> tuple[str, list[Action]]:
        result = parse(text, vocab)
        return result.intent, result.actions

    return read


def predicted_slots(text: str, vocab: Vocabulary, reader: Reader | None = None) -> tuple[str, dict[str, Any]]:
    intent, actions = (reader or rules_reader(vocab))(text)
    merged: dict[str, Any] = {}
    for action in actions:
        for k, v in action.slots.items():
            if isinstance(v, list):
                merged.setdefault(k, [])
                merged[k] += [x for x in v if x not in merged[k]]
            else:
                merged.setdefault(k, v)
    return intent, merged


def evaluate(examples: Iterable[Example], vocab: Vocabulary, reader: Reader | None = None) -> NluReport:
    """Score every example; with more than one split, each split is also scored on its own."""
    examples = list(examples)
    report = _score(examples, vocab, reader)
    names = sorted({ex.split for ex in examples})
    if len(names) > 1:
        report.splits = {n: _score([e for e in examples if e.split == n], vocab, reader) for n in names}
    return report


def _score(examples: list[Example], vocab: Vocabulary, reader: Reader | None = None) -> NluReport:
    right = tp = fp = fn = 0
    per: Counter[str] = Counter()
    per_right: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    for ex in examples:
        intent, slots = predicted_slots(ex.text, vocab, reader)
        gold, got = pairs(ex.slots, vocab), pairs(slots, vocab)
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
        per[ex.intent] += 1
        if intent == ex.intent:
            right += 1
            per_right[ex.intent] += 1
        if intent != ex.intent or gold != got:
            errors.append({"text": ex.text, "intent": [ex.intent, intent],
                           "missed": sorted(gold - got), "spurious": sorted(got - gold)})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return NluReport(
        n=len(examples), intent_accuracy=right / len(examples) if examples else 0.0,
        slot_precision=precision, slot_recall=recall, slot_f1=f1,
        per_intent={k: (per_right[k], per[k]) for k in per}, errors=errors,
    )


def demo_vocabulary() -> Vocabulary:
    """The bundled demo catalog's vocabulary, with a local fuzzy title matcher."""
    from memory.bootstrap import demo_items
    from tools.titles import TitleIndex

    items = demo_items()
    return Vocabulary.from_items(items, resolve=TitleIndex(items).resolve)


def format_report(report: NluReport, *, show_errors: int = 15) -> str:
    lines = [
        f"NLU on {report.n} labelled utterances",
        f"  intent accuracy {report.intent_accuracy:.1%} (target {INTENT_TARGET:.0%})",
        f"  slot F1         {report.slot_f1:.1%} (P {report.slot_precision:.1%}, "
        f"R {report.slot_recall:.1%}; target {SLOT_F1_TARGET:.0%})",
        "  per intent: " + ", ".join(f"{k} {r}/{t}" for k, (r, t) in sorted(report.per_intent.items())),
    ]
    for name, sub in report.splits.items():
        lines.append(f"  split {name:<8} n={sub.n:<4} intent {sub.intent_accuracy:.1%}  "
                     f"slot F1 {sub.slot_f1:.1%}")
    for err in report.errors[:show_errors]:
        lines.append(f"  x {err['text']!r}: intent {err['intent'][0]} -> {err['intent'][1]}; "
                     f"missed {err['missed']}; spurious {err['spurious']}")
    return "\n".join(lines)


def run(path: Path = DEFAULT_DATA, vocab: Vocabulary | None = None) -> NluReport:
    return evaluate(load_examples(path), vocab or demo_vocabulary())


__all__: Sequence[str] = ("Example", "NluReport", "evaluate", "format_report", "load_examples", "run")
