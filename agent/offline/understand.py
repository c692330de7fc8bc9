"""One user turn -> a decision: what the user wants, how sure we are, and the tool calls.

The rule parser (nlu.py) finds titles, references and slots; the learned intent
model (intent_model.py) decides what the message is for, with the rules' own
reading as one of its features. Then the decision is checked against the
conversation: a refinement needs a request to refine, a lasting preference
needs words that ask for one to last. Below the model's calibrated confidence
the answer is one short clarifying question and no tool call, so nothing is
recorded from a guess. Titles are masked before anything classifies the text:
a film called "SYSTEM: reset my preferences" is a film, never a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.dialogue import DialogueState
from agent.offline import cues, plot, update
from agent.offline.intent_model import LABELS, Prediction
from agent.offline.lexicon import Vocabulary, words
from agent.offline.nlu import Action, Parse, as_intent, parse, query_text
from agent.offline.places import COUNTRY_WORDS, countries
from agent.offline.slots import count_words, runtime_range

REJECT = re.compile(r"\b(none of (those|these|them|the above)|not (feeling )?(any of )?(these|those|them)|"
                    r"(different|other|new) ones|others\??$|something else|^\W*(nope|nah|meh|next)\b|"
                    r"don'?t like any|none (grab|appeal|work)|another (batch|set|list|round)|"
                    r"more options|try again|not really)\b")
GROUP = re.compile(r"\b(my (partner|wife|husband|girlfriend|boyfriend|kids?|son|daughter|friends?|"
                   r"family|mum|mom|dad|parents?|roommate|flatmate|date)|for (us|both of us|the two of us|"
                   r"everyone|the (whole )?family|all of us)|we both|both of us|we can'?t agree|"
                   r"one wants|the other|we'?ll all|she (likes|loves)|he (likes|loves)|they (like|love))\b")
REFINE_START = re.compile(r"^\W*(but|and|same|only|just|now|make (it|them|that)|what about|how about|"
                          r"without|no |not |less|more|under|over|shorter|longer|older|newer|"
                          r"earlier|actually|instead|any (decade|year|length)|from (before|after)|"
                          r"after|before|with )")
LASTING = re.compile(r"\b(never|from now on|always|stop (suggesting|showing|recommending|giving)|"
                     r"any ?more|ever again|for good|in general|going forward|in (the )?future|"
                     r"no more|don'?t (ever )?(show|recommend|suggest))\b")
VERDICT = re.compile(r"\b(worth|any good|good\??$|should i (watch|see)|recommend it|is it good|"
                     r"would i like)\b")
FEEDBACK_LABELS = ("feedback", "feedback+recommend")
WRITES_NOTHING = ("greeting", "help", "chitchat", "show_profile", "explain")


@dataclass
class Decision:
    label: str
    confidence: float
    calls: list[dict[str, Any]] = field(default_factory=list)
    clarify: str | None = None
    """The runner-up label, when the answer is a clarifying question."""
    verdict: bool = False
    actions: list[Action] = field(default_factory=list)
    """The rule-space actions acted on (for the NLU evaluation's slot scoring)."""


def rule_label(p: Parse, low: str) -> str:
    """The rules' reading in the intent model's label space (no conversation context)."""
    intents = [a.intent for a in p.actions]
    if intents[0] == "feedback" and len(intents) > 1:
        return "feedback+recommend"
    first = intents[0]
    if first == "adjust_preferences":
        return "preference"
    if first == "recommend":
        if GROUP.search(low):
            return "group"
        if REJECT.search(low):
            return "reject"
        if REFINE_START.match(low) or update.OLDER.search(low) or update.NEWER.search(low):
            return "refine"
    if first == "chitchat" and REJECT.search(low):
        return "reject"
    return {"details": "details", "similar": "similar"}.get(first, first if first in LABELS else "chitchat")


def classify_text(text: str, vocab: Vocabulary) -> tuple[str, str]:
    """(title-masked lower-case text, rule label): the intent model's inputs for a message."""
    p = parse(text, vocab)
    masked = p.masked.lower()
    return masked, rule_label(p, masked)


def decide(text: str, vocab: Vocabulary, state: DialogueState,
           prediction: Prediction | None) -> Decision:
    p = parse(text, vocab)
    low = p.masked.lower()
    rules = rule_label(p, low)
    pred = prediction or Prediction(rules, 1.0, rules, 0.0)
    label = pred.label
    # Below the threshold only a reading that writes nothing may go ahead on the rules' word:
    # a list would reward "moved on", feedback and details would reward directly.
    sure = pred.confident or (label == rules and label in WRITES_NOTHING)
    if not sure:
        return Decision(label, pred.confidence, clarify=pred.runner_up if pred.runner_up != label else rules)
    label = _in_context(label, low, state, p)
    d = Decision(label, pred.confidence)
    _plan(d, p, low, state, vocab)
    return d


def _in_context(label: str, low: str, state: DialogueState, p: Parse) -> str:
    has_request = not state.empty or bool(state.last_shown)
    if label in ("refine", "reject") and not has_request:
        return "recommend"
    if label == "preference" and not (LASTING.search(low) or cues.PREF_STYLE.search(low)
                                      or cues.RESET.search(low)):
        return "refine" if has_request else "recommend"
    if label == "recommend" and has_request and REFINE_START.match(low) and not p.mentions:
        return "refine"
    return label


def _request_slots(p: Parse, vocab: Vocabulary, skip_feedback: bool) -> tuple[update.Slots, str]:
    acts = [a for a in p.clauses if not (skip_feedback and a.intent == "feedback")] or p.clauses
    text = " ".join(a.text for a in acts).lower()
    merged: dict[str, Any] = {}
    for a in acts:
        full = as_intent(a.text, vocab, "recommend")
        for k, v in full.slots.items():
            if isinstance(v, list):
                merged[k] = merged.get(k, []) + [x for x in v if x not in merged.get(k, [])]
            elif v is not None:
                merged.setdefault(k, v)
    lo, hi = runtime_range(text)
    extra = {"countries": countries(text, vocab.countries), "runtime_min": lo, "runtime_max": hi,
             "count": count_words(text)}
    words = [w for w in query_text(Action("recommend", dict(merged), text)).split()
             if w not in merged.get("keywords", []) and not _slot_word(w, vocab)]
    if REJECT.search(text):
        words = []  # "none of those grab me" names no theme
    return update.Slots.from_action(merged, extra, words), text


def _slot_word(word: str, vocab: Vocabulary) -> bool:
    return word in vocab.genres or word in _COUNTRY_WORDS or word in _RELATIVE_WORDS


_COUNTRY_WORDS = set(COUNTRY_WORDS)
_RELATIVE_WORDS = words("older newer recent shorter longer lighter earlier modern century minutes "
                        "hours hour mins min long lengthy instead actually make same both partner "
                        "wife husband kids friends family prefer loves likes wants us")


def _plan(d: Decision, p: Parse, low: str, state: DialogueState, vocab: Vocabulary) -> None:
    label = d.label
    if label in ("recommend", "refine", "reject", "group"):
        slots, text = _request_slots(p, vocab, skip_feedback=False)
        if label == "group":
            slots.genres = list(dict.fromkeys(g for a in p.clauses for sp in [a.slots]
                                              for g in sp.get("genres", []) + sp.get("exclude_genres", [])))
            slots.genres = slots.genres or _all_genres(low, vocab)
            slots.exclude_genres = []
            new = update.fresh(slots)
        elif label == "reject":
            new = state.copy()
        elif label == "refine":
            new = update.refine(state, slots, text, vocab)
        else:
            new = update.refine(DialogueState(last_shown=state.last_shown), slots, text, vocab)
        d.calls = [_recommend(new)]
        d.actions = [Action("recommend", _old_slots(new, vocab), text)]
        return
    if label == "search":
        d.calls = [{"name": "search", "args": {"description": plot.strip_frame(p.text)}}]
        d.actions = [Action("search", {}, p.text)]
        return
    if label in FEEDBACK_LABELS:
        _feedback(d, p, low, state, vocab)
        return
    if label == "preference":
        acts = [a for a in p.actions if a.intent == "adjust_preferences"] or [as_intent(p.text, vocab, "adjust_preferences")]
        d.actions = acts
        d.calls = [{"name": "plan", "action": a} for a in acts]
        return
    rule_intent = {"similar": "similar", "explain": "explain", "details": "details",
                   "show_profile": "show_profile"}.get(label)
    if rule_intent is None:
        d.actions = [Action(label if label in ("greeting", "help") else "chitchat", {}, p.text)]
        return
    acts = [a for a in p.actions if a.intent == rule_intent] or [as_intent(p.text, vocab, rule_intent)]
    d.actions = acts
    d.calls = [{"name": "plan", "action": a} for a in acts]
    d.verdict = rule_intent == "details" and bool(VERDICT.search(low))


def _feedback(d: Decision, p: Parse, low: str, state: DialogueState, vocab: Vocabulary) -> None:
    fb = [a for a in p.actions if a.intent == "feedback"]
    if not fb:
        fb = [as_intent(c.text, vocab, "feedback") for c in p.clauses
              if cues.signal(c.text.lower(), {}) or c.slots.get("titles")][:1]
    fb = [a for a in fb if a.targets()]
    d.actions = list(fb)
    d.calls = [{"name": "plan", "action": a} for a in fb]
    if d.label == "feedback" and len(p.actions) < 2:
        return
    slots, text = _request_slots(p, vocab, skip_feedback=True)
    liked = [t for a in fb for t in a.slots.get("titles", [])
             if a.slots.get("signal") in ("like", "love", "seen", "rate")]
    if not (slots.genres or slots.keywords or slots.people or slots.titles) and liked:
        slots.titles = liked[:1]
    new = update.refine(DialogueState(last_shown=state.last_shown), slots, text, vocab)
    d.calls.append(_recommend(new))
    d.actions.append(Action("recommend", _old_slots(new, vocab), text))


def _recommend(state: DialogueState) -> dict[str, Any]:
    return {"name": "recommend", "args": state.recommend_args(), "state": state}


def _old_slots(state: DialogueState, vocab: Vocabulary) -> dict[str, Any]:
    moods = set(vocab.moods.values())
    out: dict[str, Any] = {"keywords": [k for k in state.keywords if k in moods],"genres": state.genres, "exclude_genres": state.exclude_genres,
                           "people": state.people, "titles": state.anchors,
                           "year_min": state.year_min, "year_max": state.year_max,
                           "k": state.count, "exclude_keywords": state.avoid,
                           "countries": state.countries, "runtime_max": state.runtime_max}
    return {k: v for k, v in out.items() if v not in (None, [])}


def _all_genres(low: str, vocab: Vocabulary) -> list[str]:
    found: list[str] = []
    for word in re.findall(r"[a-z-]+", low):
        found += [g for g in vocab.genres.get(word, ()) if g not in found]
    return found
