"""Turning "less horror", "never westerns", "trust people like me more" into structured changes.

Changes are first written as short strings ("soft:genre:Horror:-",
"hard:exclude:genre:Horror", "trust:collaborative:+", "popularity:-", "undo"),
which is what the NLU evaluation compares, then `to_change` turns one into
the `PreferenceChange` payload the adjust_preferences tool takes.
"""

from __future__ import annotations

import re
from typing import Any

from agent.offline import cues
from agent.offline.entities import Span

HARD_NEGATORS = frozenset({"never", "no more", "no", "stop", "exclude", "excluding", "zero", "but"})
_ONLY = re.compile(r"\bonly\b|\bjust\b.*\bfrom now on\b|\bexclusively\b")
_LOVE = re.compile(r"\bi (really )?(love|adore)\b")
_TRUST_CF = re.compile(r"\b(people like me|people with (similar|the same) tastes?|community|crowd|other users|similar users|critics?|"
                       r"others|other people|collaborative|users like me)\b")
_TRUST_CONTENT = re.compile(r"\b(plot|content|story|stories|descriptions?|themes?|"
                            r"what (the )?films? (is|are) about)\b")
_LESS = re.compile(r"\b(less|don'?t|do not|stop|fewer|not as much|lower)\b")
_OBSCURE = re.compile(r"\b(obscure|hidden gems?|lesser[- ]known|niche|less (mainstream|popular|"
                      r"famous)|deep cuts?|underrated|indie)\b")
_POPULAR = re.compile(r"\b(popular|mainstream|well[- ]known|blockbusters?|famous|crowd[- ]pleasers?)\b")
_SURPRISE = re.compile(r"\b(surprise me|surprising|variety|adventurous|more diverse|mix it up|"
                       r"out of my comfort zone|unexpected)\b")
_FAMILIAR = re.compile(r"\b(familiar|safer|predictable|comfort zone|what i know)\b")


def preference_changes(low: str, spans: list[Span], found: dict[str, Any]) -> list[str]:
    low = low.replace("’", "'")
    if cues.RESET.search(low):
        return ["undo"] if re.search(r"\b(undo|take (that|it) back|revert)\b", low) else ["reset"]
    out: list[str] = []
    persistent = bool(cues.PERSISTENT.search(low))
    for sp in spans:
        if sp.kind not in ("genre", "mood", "person"):
            continue
        facet = {"genre": "genre", "mood": "keyword", "person": "person"}[sp.kind]
        values = sp.value if isinstance(sp.value, tuple) else (sp.value,)
        for value in values:
            out.append(_facet_change(low, facet, str(value), sp.negator, persistent))
    out.extend(_year_changes(low, found))
    out.extend(_style_changes(low))
    return list(dict.fromkeys(out))


def _facet_change(low: str, facet: str, value: str, negator: str | None, persistent: bool) -> str:
    if negator:
        hard = negator in HARD_NEGATORS or (persistent and negator not in ("less", "fewer"))
        return f"hard:exclude:{facet}:{value}" if hard else f"soft:{facet}:{value}:-"
    if _ONLY.search(low):
        return f"hard:require:{facet}:{value}"
    return f"soft:{facet}:{value}:+"


def _year_changes(low: str, found: dict[str, Any]) -> list[str]:
    lo, hi = found.get("year_min"), found.get("year_max")
    if lo is None and hi is None:
        return []
    if lo is not None and hi is not None and hi - lo == 9 and lo % 10 == 0 and not _ONLY.search(low):
        sign = "-" if _LESS.search(low) or re.search(r"\b(no|never)\b", low) else "+"
        return [f"soft:decade:{lo}:{sign}"]
    out = []
    if lo is not None:
        out.append(f"hard:year_min:{lo}")
    if hi is not None:
        out.append(f"hard:year_max:{hi}")
    return out


def _style_changes(low: str) -> list[str]:
    out: list[str] = []
    if re.search(r"\b(trust|rely|weigh|listen to|count)\b", low):
        sign = "-" if re.search(r"\b(less|don'?t|do not|stop|not)\b", low) else "+"
        if _TRUST_CF.search(low):
            out.append(f"trust:collaborative:{sign}")
        elif _TRUST_CONTENT.search(low):
            out.append(f"trust:content:{sign}")
        elif re.search(r"\bpopular(ity)?\b", low):
            out.append(f"trust:popularity:{sign}")
    if not out:
        if _OBSCURE.search(low):
            out.append("popularity:-")
        elif _POPULAR.search(low):
            out.append("popularity:-" if _LESS.search(low) else "popularity:+")
        if _SURPRISE.search(low):
            out.append("novelty:+")
        elif _FAMILIAR.search(low):
            out.append("novelty:-" if not _LESS.search(low) else "novelty:+")
    return out


def to_change(code: str, love: bool = False) -> dict[str, Any] | None:
    """A change string -> a PreferenceChange payload (None for undo/reset, which are not changes)."""
    parts = code.split(":")
    head = parts[0]
    if head == "soft":
        facet, value, sign = parts[1], ":".join(parts[2:-1]), parts[-1]
        strength = (0.8 if love else 0.5) * (1 if sign == "+" else -1)
        return {"kind": "soft", "facet": facet, "value": value, "strength": strength}
    if head == "hard" and parts[1] in ("exclude", "require"):
        return {"kind": "hard", "rule": parts[1], "facet": parts[2], "value": ":".join(parts[3:])}
    if head == "hard":
        return {"kind": "hard", "rule": parts[1], "year": int(parts[2])}
    if head == "trust":
        return {"kind": "trust", "component": parts[1], "factor": 1.5 if parts[2] == "+" else 0.67}
    if head in ("popularity", "novelty"):
        return {"kind": "soft", "facet": head, "strength": 0.5 if parts[1] == "+" else -0.5}
    return None


def loves(low: str) -> bool:
    return bool(_LOVE.search(low))
