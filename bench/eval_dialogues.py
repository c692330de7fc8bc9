"""Scoring the offline model on the issue-10 acceptance sets, through the shipped path.

Three sets, each with a dev and a test part (format: docs in tests/data and the
shared contract): multi-turn conversations (a conversation passes when every
turn's expectations hold), plot-search descriptions (top-1 / top-3 on the list
shown), and single-turn utterances (intent = the ordered tool calls; slot F1 over
the contract's slot names, read from the tool arguments). For a test part only
aggregate numbers leave this module: `failures` is filled for dev parts alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.eval_world import EvalWorld, Turn

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SLOT_KEYS = ("genres", "exclude_genres", "year_min", "year_max", "countries", "runtime_max", "count",
             "titles", "people", "keywords", "signal")


@dataclass
class SetScore:
    name: str
    n: int = 0
    passed: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    passed_by_kind: Counter[str] = field(default_factory=Counter)
    extra: dict[str, float] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.n if self.n else 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "passed": self.passed, "rate": round(self.rate, 4),
                               **{k: round(v, 4) for k, v in self.extra.items()}}
        if self.by_kind:
            out["by_kind"] = {k: f"{self.passed_by_kind[k]}/{n}" for k, n in sorted(self.by_kind.items())}
        if self.failures:
            out["failures"] = self.failures
        return out


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
    return rows


# ---- multi-turn ---------------------------------------------------------------------------
def check_turn(expect: dict[str, Any], turn: Turn, previous: list[Any]) -> list[str]:
    """Every expectation of the turn that does not hold, in words (empty = the turn passes)."""
    bad: list[str] = []
    if turn.error:
        bad.append(f"error: {turn.error}")
    if "tools" in expect and turn.tools != expect["tools"]:
        bad.append(f"tools {turn.tools} != {expect['tools']}")
    if expect.get("clarify") and not ("?" in turn.reply and not turn.tools and not turn.feedback
                                      and turn.rules_added == 0):
        bad.append("no clarifying question")
    if "list" in expect:
        bad += check_list(expect["list"], turn.shown, previous)
    for want in expect.get("feedback", []):
        if not any(t == want["title"] and s == want["signal"]
                   and ("value" not in want or (v is not None and abs(v - want["value"]) < 0.01))
                   for t, s, v in turn.feedback):
            bad.append(f"feedback {want} not recorded (got {turn.feedback})")
    if expect.get("no_feedback") and turn.feedback:
        bad.append(f"feedback recorded: {turn.feedback}")
    if "rules_added" in expect and turn.rules_added != expect["rules_added"]:
        bad.append(f"rules_added {turn.rules_added} != {expect['rules_added']}")
    for text in expect.get("reply_contains", []):
        if text.lower() not in turn.reply.lower():
            bad.append(f"reply lacks {text!r}")
    return bad


def check_list(want: dict[str, Any], shown: list[Any], previous: list[Any]) -> list[str]:
    bad: list[str] = []
    if "count" in want and len(shown) != want["count"]:
        bad.append(f"{len(shown)} shown, wanted {want['count']}")
    if len(shown) < want.get("min_count", 1):
        bad.append(f"{len(shown)} shown, wanted at least {want.get('min_count', 1)}")
    for item in shown:
        g = set(item.genres)
        people = set(item.directors) | set(item.cast)
        tests = [
            ("genres_all", lambda v, g=g: set(v) <= g), ("genres_any", lambda v, g=g: bool(set(v) & g)),
            ("genres_none", lambda v, g=g: not set(v) & g),
            ("year_min", lambda v, i=item: i.year is not None and i.year >= v),
            ("year_max", lambda v, i=item: i.year is not None and i.year <= v),
            ("country_any", lambda v, i=item: any(c in (i.country or "") for c in v)),
            ("runtime_max", lambda v, i=item: i.runtime is not None and i.runtime <= v),
            ("runtime_min", lambda v, i=item: i.runtime is not None and i.runtime >= v),
            ("people_any", lambda v, p=people: bool(set(v) & p)),
        ]
        for key, ok in tests:
            if key in want and not ok(want[key]):
                bad.append(f"{item.title} ({item.year}) breaks {key}={want[key]}")
    if want.get("no_repeat_previous") and {i.id for i in shown} & {i.id for i in previous}:
        bad.append("repeats the previous list")
    titles = [i.title for i in shown]
    if "include_title" in want and want["include_title"] not in titles:
        bad.append(f"{want['include_title']!r} not shown")
    if "first_title" in want and (not titles or titles[0] != want["first_title"]):
        bad.append(f"first shown {titles[:1]}, wanted {want['first_title']!r}")
    return bad


def score_dialogues(world: EvalWorld, rows: Iterable[dict[str, Any]], name: str, *,
                    keep_failures: bool) -> SetScore:
    score = SetScore(name)
    for conv in rows:
        chat = world.conversation(conv["id"])
        problems: list[str] = []
        for n, t in enumerate(conv["turns"], start=1):
            turn = chat.turn(t["user"])
            problems += [f"turn {n} {t['user']!r}: {p}" for p in check_turn(t.get("expect", {}), turn, chat.previous)]
            if turn.shown:
                chat.previous = turn.shown
        score.n += 1
        score.by_kind[conv.get("kind", "?")] += 1
        if not problems:
            score.passed += 1
            score.passed_by_kind[conv.get("kind", "?")] += 1
        elif keep_failures:
            score.failures.append({"id": conv["id"], "problems": problems})
    return score


# ---- plot search --------------------------------------------------------------------------
def score_plot(world: EvalWorld, rows: Iterable[dict[str, Any]], name: str, *, keep_failures: bool) -> SetScore:
    score = SetScore(name)
    top3 = 0
    for row in rows:
        turn = world.conversation("plot").turn(row["query"])
        titles = [i.title for i in turn.shown]
        score.n += 1
        score.passed += bool(titles) and titles[0] == row["title"]
        top3 += row["title"] in titles[:3]
        if keep_failures and (not titles or titles[0] != row["title"]):
            score.failures.append({"query": row["query"], "want": row["title"], "got": titles[:3],
                                   "tools": turn.tools})
    score.extra = {"top1": score.rate, "top3": top3 / score.n if score.n else 0.0}
    return score


# ---- single turn --------------------------------------------------------------------------
def predicted_slots(world: EvalWorld, turn: Turn) -> set[tuple[str, str]]:
    """(slot, value) pairs read from the turn's tool arguments, in the contract's slot names."""
    out: set[tuple[str, str]] = set()
    moods = {k for item in world.service.memory.catalog.items.values() for k in item.keywords}
    for call in turn.calls:
        args = call["args"]
        for key in ("genres", "exclude_genres", "countries", "people"):
            out |= {(key, str(v).lower()) for v in args.get(key, [])}
        for key in ("year_min", "year_max", "runtime_max"):
            if args.get(key) is not None:
                out.add((key, str(args[key])))
        if call["name"] == "recommend" and args.get("k") not in (None, 5):
            out.add(("count", str(args["k"])))
        refs = [*args.get("like_titles", []), *([args["title_or_ref"]] if "title_or_ref" in args else [])]
        for ref in refs:
            title = world.title_of(ref) if not _is_ref(ref) else None
            if title:
                out.add(("titles", title.lower()))
        words = str(args.get("query") or "").split()
        out |= {("keywords", w.lower()) for w in words if w in moods}
        if "signal" in args:
            out.add(("signal", str(args["signal"])))
    return out


def _is_ref(text: str) -> bool:
    return text.strip().lower() in ("it", "last", "that", "this") or text.strip().startswith("#")


def gold_slots(slots: dict[str, Any]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for key, value in slots.items():
        for v in value if isinstance(value, list) else [value]:
            if v is not None:
                out.add((key, str(int(v) if isinstance(v, float) and v.is_integer() else v).lower()))
    return out


def score_single(world: EvalWorld, rows: Iterable[dict[str, Any]], name: str, *, keep_failures: bool) -> SetScore:
    score = SetScore(name)
    tp = fp = fn = 0
    for row in rows:
        chat = world.conversation("single")
        if row.get("shown"):
            chat.show(list(row["shown"]))
        turn = chat.turn(row["text"])
        gold = gold_slots(row.get("slots", {}))
        got = {p for p in predicted_slots(world, turn) if p[0] in SLOT_KEYS}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
        right = turn.tools == list(row["intents"])
        score.n += 1
        score.passed += right
        if keep_failures and (not right or gold != got):
            score.failures.append({"text": row["text"], "intents": [row["intents"], turn.tools],
                                   "missed": sorted(gold - got), "spurious": sorted(got - gold)})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    score.extra = {"intent_accuracy": score.rate, "slot_f1": f1}
    return score
