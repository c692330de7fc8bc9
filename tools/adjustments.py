"""The adjustment terms of a score: what the user's stated and learned preferences add.

Every term is an `Adjustment(name, value, reason)` on the item's breakdown, so
"why is this here" always shows the preference that moved it, in words.

- learned affinities (profile.affinities) and stated soft preferences
  (profile.soft), both "<facet>:<value>" -> [-1, 1], fire on the genres,
  decade, people and keywords the item carries. Per facet the terms are capped
  at the facet's scale, so a film with five liked actors is not boosted five times;
- a film on the user's watchlist gets a small fixed lift (it is never excluded);
- popularity_bias / novelty_bias lean toward popular or obscure, familiar or surprising;
- a request's words gate the list: an item far from what was asked for loses
  up to `query_gate`, so a warm user's taste cannot bury the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from memory.items import Item, normalize_genre
from tools.filters import fold, item_keys
from tools.profile import Profile, split_key
from tools.scoring import Adjustment


@dataclass(frozen=True)
class AdjustmentScales:
    affinity: float = 0.2  # a learned affinity of +-1 moves a film by +-0.2 (of a ~1.0 scale)
    soft: float = 0.8  # "less horror" (-0.5) costs horror films 0.4: fewer, not none
    popularity_bias: float = 0.15
    novelty_bias: float = 0.15
    query_gate: float = 0.25
    watchlist: float = 0.05  # a film the user wants to see (imported watchlist): a mild lift, a guess


def canonical_key(key: str) -> str:
    """One spelling per key: "genre:sci fi" -> "genre:Sci-Fi", "person:Bong Joon-ho" folded."""
    facet, value = split_key(key)
    if facet == "genre":
        return f"genre:{normalize_genre(value) or value}"
    if facet == "decade":
        digits = value.rstrip("s")
        return f"decade:{int(digits) // 10 * 10}" if digits.isdigit() else key
    return f"{facet}:{fold(value)}"


def canonical_map(prefs: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in prefs.items():
        if value:
            ck = canonical_key(key)
            out[ck] = out.get(ck, 0.0) + float(value)
    return out


def _item_canonical(item: Item) -> dict[str, list[tuple[str, str]]]:
    """Per facet: (canonical key, display value) of everything the item carries."""
    out: dict[str, list[tuple[str, str]]] = {}
    for facet, keys in item_keys(item).items():
        out[facet] = [(canonical_key(k), split_key(k)[1]) for k in keys]
    return out


def preference_terms(item: Item, affinities: Mapping[str, float], soft: Mapping[str, float],
                     scales: AdjustmentScales) -> list[Adjustment]:
    """Affinity and soft-preference terms for one item (both maps already canonical)."""
    if not affinities and not soft:
        return []
    carried = _item_canonical(item)
    out: list[Adjustment] = []
    for source, prefs, scale in (("affinity", affinities, scales.affinity),
                                 ("soft", soft, scales.soft)):
        if not prefs:
            continue
        for facet, keys in carried.items():
            fired = [(key, shown, prefs[key]) for key, shown in dict.fromkeys(keys) if key in prefs]
            if not fired:
                continue
            total = sum(scale * v for _, _, v in fired)
            shrink = scale / abs(total) if abs(total) > scale else 1.0
            for key, shown, v in fired:
                out.append(Adjustment(f"{source}:{key}", scale * v * shrink,
                                      _reason(source, facet, shown, v)))
    return out


def _reason(source: str, facet: str, shown: str, v: float) -> str:
    what = {"genre": f"{shown} films", "decade": f"films from the {shown}s",
            "person": f"films with {shown}", "keyword": f"'{shown}' films"}.get(facet, shown)
    if source == "soft":
        return f"you asked for {'more' if v > 0 else 'less'} {what}"
    return f"you have {'liked' if v > 0 else 'disliked'} {what} (affinity {v:+.2f})"


def watchlist_term(scales: AdjustmentScales) -> Adjustment:
    return Adjustment("watchlist", scales.watchlist, "it is on your watchlist")


def bias_terms(profile: Profile, pop_z: float | None, novelty: float | None,
               scales: AdjustmentScales) -> list[Adjustment]:
    out: list[Adjustment] = []
    if profile.popularity_bias and pop_z is not None:
        value = scales.popularity_bias * profile.popularity_bias * (2.0 * pop_z - 1.0)
        lean = "more popular" if profile.popularity_bias > 0 else "more obscure"
        out.append(Adjustment("popularity_bias", value,
                              f"you asked for {lean} films (popularity {pop_z:.2f} of 1)"))
    if profile.novelty_bias and novelty is not None:
        value = scales.novelty_bias * profile.novelty_bias * (2.0 * novelty - 1.0)
        lean = "more surprising" if profile.novelty_bias > 0 else "more familiar"
        out.append(Adjustment("novelty_bias", value,
                              f"you asked for {lean} picks (novelty {novelty:.2f} of 1)"))
    return out


def query_gate(query: str, query_z: float, raw: float, scales: AdjustmentScales) -> Adjustment | None:
    value = -scales.query_gate * (1.0 - query_z)
    if value > -0.005:
        return None
    return Adjustment("query_match", value,
                      f"only a loose match for {query!r} (similarity {raw:.2f})")
