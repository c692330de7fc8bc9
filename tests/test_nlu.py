"""The offline parser: the issue's example turns, the pattern slots, and the measured targets.

The labelled set is the contract: if a change to a cue list drops intent
accuracy below 90 % or slot F1 below 85 %, this fails and names the misses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.offline import slots
from agent.offline.lexicon import Vocabulary
from agent.offline.nlu import parse, query_text
from bench.eval_dialogues import DATA, check_turn, load_jsonl, score_dialogues, score_single
from bench.eval_nlu import DEFAULT_DATA, evaluate, format_report, load_examples
from bench.eval_world import EvalWorld
from memory.bootstrap import demo_items
from tests.fakes import WordHashEmbedder
from tools.titles import TitleIndex


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    items = demo_items()
    return Vocabulary.from_items(items, resolve=TitleIndex(items).resolve)


def test_issue_examples(vocab: Vocabulary) -> None:
    p = parse("something like Alien but funnier", vocab)
    assert p.intent == "recommend"
    assert p.actions[0].slots["titles"] == ["Alien"]
    assert "funny" in query_text(p.actions[0])
    p = parse("I loved the second one", vocab)
    assert (p.intent, p.actions[0].slots["refs"], p.actions[0].slots["signal"]) == (
        "feedback", [2], "love")
    assert parse("why the first?", vocab).actions[0].targets() == ["#1"]
    assert parse("why Heat?", vocab).actions[0].slots["titles"] == ["Heat"]


def test_compound_feedback_then_request(vocab: Vocabulary) -> None:
    p = parse("loved it, now something scarier", vocab)
    assert p.intent == "feedback+recommend"
    assert p.actions[0].targets() == ["it"]
    assert p.actions[1].slots["keywords"] == ["scary"]


def test_negations_become_exclusions(vocab: Vocabulary) -> None:
    act = parse("show me some 80s horror without gore", vocab).actions[0]
    assert act.slots["genres"] == ["Horror"]
    assert act.slots["exclude_keywords"] == ["gory"]
    assert (act.slots["year_min"], act.slots["year_max"]) == (1980, 1989)
    assert parse("something scary but not horror", vocab).actions[0].slots["exclude_genres"] == [
        "Horror"
    ]


def test_common_word_titles_need_evidence(vocab: Vocabulary) -> None:
    """"heat" in a sentence is not the film unless it is capitalised or cued."""
    assert "titles" not in parse("I can't stand the heat in summer", vocab).actions[0].slots
    assert parse("I really liked Heat", vocab).actions[0].slots["titles"] == ["Heat"]
    assert parse("i loved heat", vocab).actions[0].slots["titles"] == ["Heat"]


def test_typos_go_through_the_fuzzy_matcher(vocab: Vocabulary) -> None:
    assert parse("I loved the godfathr", vocab).actions[0].slots["titles"] == ["The Godfather"]
    assert "titles" not in parse("why the third one?", vocab).actions[0].slots


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80s", (1980, 1989)), ("from the nineties", (1990, 1999)), ("late 90s", (1995, 1999)),
     ("after 2000", (2001, None)), ("before 1990", (None, 1989)), ("recent", (2010, None)),
     ("nothing before 1960", (1960, None)), ("between 1980 and 1995", (1980, 1995))],
)
def test_decades(text: str, expected: tuple[int | None, int | None]) -> None:
    assert slots.decade_range(text, recent_from=2010) == expected


def test_ratings_refs_counts() -> None:
    assert slots.rating("3/5") == 3.0
    assert slots.rating("rate the first one 8/10") == 4.0
    assert slots.rating("give me 5 comedies") is None
    assert slots.refs("#3 and the last one") == [3, -1]
    assert slots.refs("last night i watched it") == []
    assert slots.count("top 3 comedies") == 3


def test_labelled_set_meets_targets(vocab: Vocabulary) -> None:
    examples = load_examples()
    assert len(examples) >= 150
    report = evaluate(examples, vocab)
    assert report.intent_accuracy >= 0.90, format_report(report)
    assert report.slot_f1 >= 0.85, format_report(report)
    assert set(report.splits) == {"dev", "heldout", "blind"}


def test_labelled_set_is_well_formed() -> None:
    intents = {"recommend", "search", "similar", "explain", "details", "feedback",
               "adjust_preferences", "show_profile", "greeting", "help", "chitchat"}
    for line in DEFAULT_DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) >= {"text", "intent", "slots"}
        assert set(row["intent"].split("+")) <= intents, row


def test_acceptance_sets_are_scored_through_the_session(tmp_path: Path) -> None:
    """The scorer on two dev conversations, one plot query and one single turn (fast embedder)."""
    world = EvalWorld(tmp_path / "world", embedder=WordHashEmbedder())
    try:
        convs = [c for c in load_jsonl(DATA / "dialogues_dev.jsonl")
                 if c["id"] in ("compound-arrival-01", "pref-never-01")]
        score = score_dialogues(world, convs, "dev", keep_failures=True)
        assert score.n == 2 and score.passed == 2, score.failures
        single = [{"text": "rate Groundhog Day 5 stars", "intents": ["give_feedback"],
                   "slots": {"titles": ["Groundhog Day"], "signal": "rate"}}]
        s1 = score_single(world, single, "dev", keep_failures=True)
        assert s1.extra["intent_accuracy"] == 1.0 and s1.extra["slot_f1"] == 1.0, s1.failures
    finally:
        world.close()


def test_a_failed_expectation_is_named() -> None:
    from bench.eval_world import Turn

    turn = Turn(tools=["give_feedback"], calls=[], shown=[], feedback=[("Heat", "like", None)],
                rules_added=1, reply="ok")
    bad = check_turn({"tools": ["recommend"], "no_feedback": True, "rules_added": 0,
                      "list": {"min_count": 1}}, turn, [])
    assert len(bad) == 4 and bad[0].startswith("tools")
