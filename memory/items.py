"""The catalog's unit: one film (or any item) with the facts retrieval needs.

Genres are normalised to one vocabulary (MovieLens's names) so that a genre
said in chat, a genre in an imported file and a genre in a preference rule are
the same string.
"""

from __future__ import annotations

import hashlib
import json
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

GENRES: tuple[str, ...] = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary",
    "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
    "Sci-Fi", "Thriller", "War", "Western",
)

_GENRE_ALIASES: dict[str, str] = {
    "science fiction": "Sci-Fi", "science-fiction": "Sci-Fi", "scifi": "Sci-Fi", "sci fi": "Sci-Fi",
    "sci-fi": "Sci-Fi", "film noir": "Film-Noir", "noir": "Film-Noir", "film-noir": "Film-Noir",
    "animated": "Animation", "cartoon": "Animation", "family": "Children", "kids": "Children",
    "children's": "Children", "childrens": "Children", "music": "Musical", "musicals": "Musical",
    "romantic": "Romance", "romcom": "Romance", "war film": "War", "suspense": "Thriller",
    "documentaries": "Documentary", "doc": "Documentary", "biography": "Drama", "history": "Drama",
    "sport": "Drama", "sports": "Drama", "superhero": "Action", "martial arts": "Action",
    "scary": "Horror", "comedies": "Comedy", "dramas": "Drama", "westerns": "Western",
    "thrillers": "Thriller", "mysteries": "Mystery", "detective": "Mystery",
}


_BY_LOWER: dict[str, str] = {g.lower(): g for g in GENRES}


def normalize_genre(name: str) -> str | None:
    """Map a free-form genre name onto the vocabulary, or None if it has no place there."""
    key = name.strip().lower()
    return _BY_LOWER.get(key) or _GENRE_ALIASES.get(key) if key else None


_SPACE = re.compile(r"\s+")


class Item(BaseModel):
    """A catalog entry. `id` is stable across re-ingests; everything else may change."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int | None = None
    aka: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    description: str = ""
    popularity: float | None = None
    runtime: int | None = None
    country: str | None = None
    imdb_id: str | None = None

    @field_validator("title", "description", mode="before")
    @classmethod
    def _squash(cls, v: object) -> object:
        return _SPACE.sub(" ", v).strip() if isinstance(v, str) else v

    @field_validator("year")
    @classmethod
    def _year_range(cls, v: int | None) -> int | None:
        if v is not None and not 1870 <= v <= 2100:
            raise ValueError(f"year {v} is outside 1870-2100")
        return v

    @field_validator("genres", mode="before")
    @classmethod
    def _norm_genres(cls, v: object) -> object:
        if isinstance(v, str):
            v = [p for p in re.split(r"[|,]", v)]
        if isinstance(v, list | tuple):
            out: list[str] = []
            for g in v:
                n = normalize_genre(str(g))
                if n and n not in out:
                    out.append(n)
            return tuple(out)
        return v

    @property
    def people(self) -> tuple[str, ...]:
        return self.directors + self.cast

    @property
    def decade(self) -> int | None:
        return (self.year // 10) * 10 if self.year else None

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def embedding_text(self) -> str:
        """The text the content embedding is built from: title, genres, keywords, description."""
        parts = [self.label]
        if self.genres:
            parts.append("Genres: " + ", ".join(self.genres) + ".")
        if self.keywords:
            parts.append("Keywords: " + ", ".join(self.keywords) + ".")
        if self.description:
            parts.append(self.description)
        return " ".join(parts)

    def content_hash(self) -> str:
        """Changes when anything stored about the item changes."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    def embedding_hash(self) -> str:
        """Changes only when the embedded text changes, so other edits skip re-embedding."""
        return hashlib.sha256(self.embedding_text().encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, raw: str) -> Item:
        return cls.model_validate(json.loads(raw))


class Interaction(BaseModel):
    """One user-item event from an imported log or the synthetic community.

    `value` is on the source's own scale (a 0.5-5 star rating, or 1.0 for an
    implicit "watched/liked"); retrieval treats value >= 4 (or implicit 1.0) as
    positive. Chat feedback is not stored here: it goes to the feedback log.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(min_length=1)
    item_id: str = Field(min_length=1)
    value: float = Field(default=1.0, allow_inf_nan=False)  # NaN would reach SQLite as NULL
    ts: float = Field(default=0.0, allow_inf_nan=False)
    source: str = "import"
