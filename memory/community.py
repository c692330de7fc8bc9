"""A demo community of SYNTHETIC users, so collaborative filtering has something to learn from.

A fresh install has no rating history, and a recommender that only ever sees one user cannot
show what "people who liked this also liked" means. Instead of shipping real people's ratings,
we write taste archetypes by hand (`demo/archetypes.json`) and sample users from them. Every
interaction generated here has `source="synthetic"` and a `synth-` user id, so nothing
downstream can mistake it for a real person's history.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from memory.items import Interaction, Item, normalize_genre

# Weights of one match per facet. A director is the strongest single signal of taste, a
# genre the broadest; counts are capped so a film tagged with many genres does not win by volume.
_W_GENRE, _CAP_GENRE = 1.0, 2
_W_KEYWORD, _CAP_KEYWORD = 0.75, 3
_W_DIRECTOR = 2.0
_W_CAST, _CAP_CAST = 0.75, 2
_W_DECADE, _W_COUNTRY = 0.5, 0.5
_W_BAD_GENRE, _W_BAD_KEYWORD, _CAP_BAD_KEYWORD = 1.5, 1.0, 2

EPOCH = 1_600_000_000.0  # 2020-09-13 UTC; fixed so generated logs are reproducible
_COUNTRY_ALIASES = {
    "usa": "united states", "us": "united states", "united states of america": "united states",
    "america": "united states", "uk": "united kingdom", "gb": "united kingdom",
    "great britain": "united kingdom", "britain": "united kingdom", "england": "united kingdom",
    "korea": "south korea", "republic of korea": "south korea", "ussr": "soviet union",
    "west germany": "germany", "prc": "china",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    """Fold accents, case and punctuation so "Bong Joon-ho" matches "Bong Joon Ho"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


def _norm_keyword(text: str) -> str:
    """Like `_norm`, also dropping plural "s", so "aliens" in a catalog matches "alien"."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _norm(text).split())


def _norm_countries(text: str | None) -> frozenset[str]:
    """A country field may list several ("USA, UK"); map each onto one spelling."""
    parts = (_norm(p) for p in re.split(r"[,/;|]", text or ""))
    return frozenset(_COUNTRY_ALIASES.get(p, p) for p in parts if p)


class _Taste(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    genres: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @field_validator("genres")
    @classmethod
    def _known_genres(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        """Reject genres outside the vocabulary: a typo would otherwise silently never match."""
        out = []
        for g in v:
            n = normalize_genre(g)
            if n is None:
                raise ValueError(f"unknown genre {g!r}")
            out.append(n)
        return tuple(out)


class Likes(_Taste):
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    decades: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()


class Dislikes(_Taste):
    pass


class Archetype(BaseModel):
    """One written taste; `weight` is its share of users, `activity` their mean rating count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    likes: Likes = Likes()
    dislikes: Dislikes = Dislikes()
    weight: float = Field(default=1.0, gt=0)
    activity: float = Field(default=30.0, ge=1)


def load_archetypes() -> list[Archetype]:
    """The bundled archetypes. Read on call (never at import) and refuse unlabelled data."""
    return list(_load_archetypes())


@lru_cache(maxsize=1)
def _load_archetypes() -> tuple[Archetype, ...]:
    raw = resources.files("memory").joinpath("demo/archetypes.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    if doc.get("synthetic") is not True:
        raise ValueError("demo/archetypes.json must be labelled synthetic")
    return tuple(Archetype.model_validate(a) for a in doc["archetypes"])


@dataclass(frozen=True)
class _Facets:
    """Normalised sets for one archetype's likes/dislikes or one item, so matching is set math."""

    genres: frozenset[str]
    keywords: frozenset[str]
    directors: frozenset[str]
    cast: frozenset[str]
    decades: frozenset[int]
    countries: frozenset[str]
    bad_genres: frozenset[str] = frozenset()
    bad_keywords: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def _archetype_facets(a: Archetype) -> _Facets:
    lk, dk = a.likes, a.dislikes
    return _Facets(
        frozenset(lk.genres), frozenset(map(_norm_keyword, lk.keywords)),
        frozenset(map(_norm, lk.directors)), frozenset(map(_norm, lk.cast)),
        frozenset(lk.decades), frozenset(c for x in lk.countries for c in _norm_countries(x)),
        frozenset(dk.genres), frozenset(map(_norm_keyword, dk.keywords)),
    )


def _item_facets(item: Item) -> _Facets:
    return _Facets(
        frozenset(item.genres), frozenset(map(_norm_keyword, item.keywords)),
        frozenset(map(_norm, item.directors)), frozenset(map(_norm, item.cast)),
        frozenset([item.decade]) if item.decade else frozenset(), _norm_countries(item.country),
    )


def _score(a: _Facets, i: _Facets) -> float:
    """Content matches, then era and country only as a boost to a film that already matches.

    A fan of 90s Hong Kong action does not like every 90s film, so decade and country never
    make an otherwise unrelated film positive on their own.
    """
    core = (
        _W_GENRE * min(len(a.genres & i.genres), _CAP_GENRE)
        + _W_KEYWORD * min(len(a.keywords & i.keywords), _CAP_KEYWORD)
        + _W_DIRECTOR * bool(a.directors & i.directors)
        + _W_CAST * min(len(a.cast & i.cast), _CAP_CAST)
    )
    if core > 0:
        core += _W_DECADE * bool(a.decades & i.decades)
        core += _W_COUNTRY * bool(a.countries & i.countries)
    return (
        core
        - _W_BAD_GENRE * len(a.bad_genres & i.genres)
        - _W_BAD_KEYWORD * min(len(a.bad_keywords & i.keywords), _CAP_BAD_KEYWORD)
    )


def affinity(archetype: Archetype, item: Item) -> float:
    """How much `archetype` likes `item`: 0 is indifferent, above ~2 a strong match, below 0 a dislike."""
    return _score(_archetype_facets(archetype), _item_facets(item))


def _rank01(x: np.ndarray) -> np.ndarray:
    """Percentile ranks in [0, 1]; ties share a rank so equal films get equal fame."""
    if x.size < 2:
        return np.ones_like(x, dtype=float)
    uniq, inv = np.unique(x, return_inverse=True)
    return inv / max(len(uniq) - 1, 1)


def _fame(items: Sequence[Item], aff: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A base rate standing in for how well-known each film is.

    Real `popularity` is used when the catalog has it; otherwise broad appeal across archetypes
    (weighted by their share) is the proxy, since crowd-pleasers are the films most people saw.
    """
    pops = [it.popularity for it in items]
    if any(p is not None for p in pops):
        known = [math.log1p(max(p, 0.0)) for p in pops if p is not None]
        med = float(np.median(known))
        score = np.array([math.log1p(max(p, 0.0)) if p is not None else med for p in pops])
    else:
        score = (weights[:, None] / weights.sum() * (1 / (1 + np.exp(-aff)))).sum(axis=0)
    return 0.1 + _rank01(score) ** 2


def generate_community(
    items: Sequence[Item],
    *,
    seed: int = 7,
    n_users: int = 300,
    mix: float = 0.25,
    archetypes: Sequence[Archetype] | None = None,
    temperature: float = 0.8,
    base_rate: float = 0.2,
) -> list[Interaction]:
    """Sample synthetic users and their 0.5-5 star ratings over `items`; deterministic per seed.

    Each user gets a primary archetype (by weight) and, with probability `mix`, a secondary one
    blended in, plus private per-film noise so users of one archetype are similar, not clones.
    Films are drawn without replacement from softmax(affinity / temperature) mixed with a
    `base_rate` share of fame, so favourites dominate but famous films and the odd disliked
    one also get rated. Ratings follow affinity through tanh, giving liked films 4-5 stars.
    """
    arch = list(archetypes) if archetypes is not None else load_archetypes()
    if not arch:
        raise ValueError("need at least one archetype")
    if not items or n_users <= 0:
        return []
    rng = np.random.default_rng(seed)
    facets = [_item_facets(it) for it in items]
    aff = np.array([[_score(_archetype_facets(a), f) for f in facets] for a in arch])
    weights = np.array([a.weight for a in arch])
    fame = _fame(items, aff, weights)
    fame /= fame.sum()
    n_items = len(items)
    out: list[Interaction] = []
    for u in range(n_users):
        first = int(rng.choice(len(arch), p=weights / weights.sum()))
        taste = aff[first].copy()
        if len(arch) > 1 and rng.random() < mix:
            second = int(rng.choice(len(arch) - 1))
            second += second >= first  # any archetype but the primary
            share = rng.uniform(0.25, 0.45)
            taste = (1 - share) * taste + share * aff[second]
        taste = taste + rng.normal(0.0, 0.6, n_items)
        logits = taste / temperature
        soft = np.exp(logits - logits.max())
        p = (1 - base_rate) * soft / soft.sum() + base_rate * fame
        activity = arch[first].activity * rng.lognormal(0.0, 0.35)
        k = min(n_items, max(5, round(activity)))
        # Gumbel top-k: sampling k films without replacement, proportional to p, in one pass.
        keys = np.log(p) + rng.gumbel(size=n_items)
        chosen = rng.permutation(np.argpartition(-keys, k - 1)[:k])
        # Centred at affinity 0.5 so a lone genre match reads as fine (~3.5), not as loved.
        bias = rng.normal(0.0, 0.3)
        raw = 3.0 + 2.0 * np.tanh((taste[chosen] - 0.5) / 2.5) + bias + rng.normal(0.0, 0.5, k)
        stars = np.clip(np.round(raw * 2) / 2, 0.5, 5.0)
        ts = EPOCH + rng.uniform(0, 365 * 86400) + np.cumsum(rng.exponential(2 * 86400, k))
        uid = f"synth-{u + 1:04d}"
        out.extend(
            Interaction(
                user_id=uid, item_id=items[j].id, value=float(s), ts=float(t), source="synthetic"
            )
            for j, s, t in zip(chosen.tolist(), stars.tolist(), ts.tolist(), strict=True)
        )
    return out
