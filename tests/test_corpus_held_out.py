"""The intent model's training corpus never contains a sentence of the frozen test sets.

The frozen sets (tests/data/*_test.jsonl) are scored as held-out data, so a training
utterance equal to one of their sentences would inflate the reported numbers. Turns of one to three words ("hello", "funnier", "who's in
it") are left out of the check: they are the whole of what a person types there, and no
paraphrase exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from agent.offline.corpus import generate

DATA = Path(__file__).parent / "data"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower()).split())


def _test_sentences() -> set[str]:
    out: set[str] = set()
    for line in (DATA / "nlu_single_test.jsonl").read_text().splitlines():
        out.add(_norm(json.loads(line)["text"]))
    for line in (DATA / "dialogues_test.jsonl").read_text().splitlines():
        out.update(_norm(t["user"]) for t in json.loads(line)["turns"])
    for line in (DATA / "plot_search_test.jsonl").read_text().splitlines():
        out.add(_norm(json.loads(line)["query"]))
    return {s for s in out if len(s.split()) >= 4}


def test_no_training_utterance_is_a_test_sentence() -> None:
    held_out = _test_sentences()
    assert len(held_out) > 250  # the sets are really there
    leaked = sorted({_norm(text) for text, _ in generate()} & held_out)
    assert leaked == [], leaked
