"""The offline parser: a message -> one or two actions (intent + slots), with no LLM.

A message is cut into clauses ("loved it, now something scarier" is two);
each clause gets an intent from cue patterns, checked in a fixed priority
order, and its slots from the vocabulary matcher (entities.py) and the
pattern extractors (slots.py). At most two actions survive: feedback
followed by a request, or the single most specific request.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from agent.offline import cues, slots
from agent.offline.entities import Span, find_spans
from agent.offline.lexicon import Tok, Vocabulary, tokenize
from agent.offline.prefs import preference_changes

MASK = "xtitle"  # what a title reads as to the cue patterns and the intent model
PERSON_MASK = "xperson"

REQUESTS = ("recommend", "search", "similar", "explain", "details", "show_profile")
SOCIAL = ("greeting", "help", "chitchat")


@dataclass
class Action:
    """One thing the user asked for. `slots` holds only what was found."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    mentions: list[str] = field(default_factory=list)
    """Every title in the clause, whatever the intent keeps as slots."""

    def targets(self) -> list[str]:
        """Titles and refs, as the strings a tool's `title_or_ref` takes."""
        out: list[str] = list(self.slots.get("titles", []))
        for r in self.slots.get("refs", []):
            out.append("it" if r == "it" else ("last" if r == -1 else f"#{r}"))
        return out


@dataclass
class Parse:
    text: str
    actions: list[Action]
    clauses: list[Action] = field(default_factory=list)
    """Every clause's reading before `actions` kept the ones to act on (for mention counting)."""
    masked: str = ""
    """The text with every recognised title replaced by MASK: what cue words are read from."""

    @property
    def mentions(self) -> list[str]:
        return list(dict.fromkeys(t for c in self.clauses for t in c.mentions))

    @property
    def intent(self) -> str:
        """The label the NLU evaluation compares: "feedback+recommend" for compounds."""
        return "+".join(a.intent for a in self.actions)


def parse(text: str, vocab: Vocabulary) -> Parse:
    toks = tokenize(text)
    spans = find_spans(toks, vocab)
    actions: list[Action] = []
    for lo, hi in _clauses(toks, spans):
        clause_toks = toks[lo:hi]
        if not any(t.word for t in clause_toks) and not any(t.norm == "?" for t in clause_toks):
            continue
        start, end = clause_toks[0].start, clause_toks[-1].end
        clause_spans = [s for s in spans if lo <= s.first < hi]
        masked = _mask(text, toks, clause_spans, start, end)
        actions.append(_action(text[start:end], clause_spans, vocab, masked))
    clauses = [Action(a.intent, dict(a.slots), a.text, list(a.mentions)) for a in actions]
    return Parse(text=text, actions=_combine(actions) or [Action("chitchat", text=text)],
                 clauses=clauses, masked=_mask(text, toks, spans, 0, len(text)))


def _mask(text: str, toks: list[Tok], spans: list[Span], start: int, end: int) -> str:
    """text[start:end] with each title and name replaced by a placeholder: item text (a film
    called "SYSTEM: reset my preferences", a director called "Undo") is never a command."""
    out, pos = [], start
    for sp in sorted((s for s in spans if s.kind in ("title", "person")), key=lambda s: s.first):
        a, b = toks[sp.first].start, toks[sp.last].end
        if a < pos or b > end:
            continue
        out += [text[pos:a], MASK if sp.kind == "title" else PERSON_MASK]
        pos = b
    out.append(text[pos:end])
    return "".join(out)


def as_intent(text: str, vocab: Vocabulary, intent: str) -> Action:
    """The whole text read as one clause of the given intent (the intent model decided it)."""
    toks = tokenize(text)
    spans = find_spans(toks, vocab)
    masked = _mask(text, toks, spans, 0, len(text))
    return _action(text, spans, vocab, masked, intent=intent)


def _clauses(toks: list[Tok], spans: list[Span]) -> list[tuple[int, int]]:
    """Token ranges of clauses: split at sentence punctuation and at "now"/"then" pivots."""
    inside = {i for s in spans for i in range(s.first, s.last + 1)}
    cuts = [0]
    for i, t in enumerate(toks):
        if i in inside:
            continue
        if t.norm in ".!?;" and i + 1 < len(toks):
            if t.norm == "." and i > 0 and toks[i - 1].norm in ("no", "mr", "dr", "vs", "jr", "st"):
                continue
            cuts.append(i + 1)
        elif t.norm == "," and i + 1 < len(toks) and cues.PIVOT.match(_rest(toks, i + 1)):
            cuts.append(i + 1)
        elif (t.norm in ("now", "so", "then", "but") and i > 0
              and cues.PIVOT.match(_rest(toks, i)) and cues.FEEDBACK_ANY.search(_rest(toks, 0, i))):
            cuts.append(i)
    cuts.append(len(toks))
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _rest(toks: list[Tok], start: int, stop: int | None = None) -> str:
    return " ".join(t.norm for t in toks[start:stop])


def _action(raw: str, spans: list[Span], vocab: Vocabulary, masked: str,
            intent: str | None = None) -> Action:
    low = masked.lower()
    found = _slots(low, spans, vocab)
    intent = intent or cues.classify(low, found)
    act = Action(intent, text=raw, mentions=list(found["titles"]))
    if intent == "adjust_preferences":
        act.slots = {"changes": preference_changes(low, spans, found)}
        return act
    keep = cues.SLOTS_FOR[intent]
    act.slots = {k: v for k, v in found.items() if k in keep and v not in (None, [], "")}
    if intent in ("explain", "details", "similar", "feedback") and not act.targets():
        act.slots["refs"] = ["it"]
    if intent == "feedback" and "signal" not in act.slots:
        act.slots["signal"] = "rate" if "rating" in act.slots else "like"
    if intent in ("recommend", "search"):
        act.slots.pop("refs", None)
    return act


def _slots(low: str, spans: list[Span], vocab: Vocabulary) -> dict[str, Any]:
    found: dict[str, Any] = {"titles": [], "people": [], "genres": [], "exclude_genres": [],
                             "keywords": [], "exclude_keywords": []}
    for sp in spans:
        if sp.kind == "title":
            found["titles"].append(sp.value)
        elif sp.kind == "person":
            found["people"].append(sp.value)
        elif sp.kind == "genre":
            key = "exclude_genres" if sp.negator else "genres"
            found[key].extend(g for g in sp.value if g not in found[key])
        elif sp.kind == "mood":
            key = "exclude_keywords" if sp.negator else "keywords"
            if sp.value not in found[key]:
                found[key].append(sp.value)
    found["year_min"], found["year_max"] = slots.decade_range(low, vocab.recent_from)
    found["rating"] = slots.rating(low)
    found["k"] = slots.count(low)
    found["refs"] = slots.refs(low)
    if not found["refs"] and not found["titles"] and slots.has_pronoun_ref(low):
        found["pronoun"] = True
    found["signal"] = cues.signal(low, found)
    return found


def _combine(actions: list[Action]) -> list[Action]:
    """Keep what to act on: social clauses drop out beside real requests; feedback may lead."""
    real = [a for a in actions if a.intent not in SOCIAL]
    if not real:
        return actions[:1]
    merged: list[Action] = []
    for a in real:
        if merged and merged[-1].intent == a.intent and a.intent != "feedback":
            _merge_into(merged[-1], a)
        else:
            merged.append(a)
    if len(merged) == 1:
        return merged
    feedback = [a for a in merged if a.intent == "feedback"]
    if merged[0].intent == "feedback":
        follow = next((a for a in merged if a.intent != "feedback"), None)
        if follow is None:
            return feedback
        if follow.intent in ("similar", "explain", "details") and follow.slots.get("refs") == ["it"]:
            follow.slots.pop("refs")
            follow.slots.update({k: v for k, v in feedback[-1].slots.items() if k in ("titles", "refs")})
        return [*feedback, follow]
    return [next((a for a in merged if a.intent in REQUESTS), merged[0])]


def _merge_into(a: Action, b: Action) -> None:
    for k, v in b.slots.items():
        if isinstance(v, list):
            a.slots[k] = a.slots.get(k, []) + [x for x in v if x not in a.slots.get(k, [])]
        else:
            a.slots.setdefault(k, v)
    a.text = f"{a.text} {b.text}"


def query_text(action: Action) -> str:
    """The free-text query for recommend/search: moods first, then leftover content words."""
    moods = list(action.slots.get("keywords", []))
    words = [w for w in re.findall(r"[a-z][a-z'-]+", action.text.lower()) if w not in cues.FILLER]
    titles = " ".join(t.lower() for t in action.slots.get("titles", []))
    # A word the user asked to avoid ("nothing gory") must not pull the query toward it.
    avoided = {w.lower() for w in action.slots.get("exclude_keywords", [])}
    avoided |= {g.lower() for g in action.slots.get("exclude_genres", [])}
    rest = [w for w in words if w not in titles and w not in avoided and not cues.is_slot_word(w)]
    return " ".join(dict.fromkeys([m.replace("-", " ") for m in moods] + rest)).strip()
