"""The offline parser's vocabulary: what it can recognise, built from the catalog itself.

Titles, people and mood keywords come from the catalog's items, so the parser
understands exactly the names the engine can rank. The few hand-written word
lists here (genre nouns, mood synonyms, ordinal words) are small and closed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from memory.items import GENRES, Item

# Genre nouns (and noun phrases). Adjectives that are also catalog moods
# ("scary", "romantic", "musical" as in style) are deliberately left to the
# keyword vocabulary, so "something scary" is a mood and "horror" a genre.
GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "action": ("Action",), "adventure": ("Adventure",), "adventures": ("Adventure",),
    "animation": ("Animation",), "animated": ("Animation",), "cartoon": ("Animation",),
    "cartoons": ("Animation",), "anime": ("Animation",), "kids": ("Children",),
    "children": ("Children",), "childrens": ("Children",), "comedy": ("Comedy",),
    "comedies": ("Comedy",), "crime": ("Crime",), "documentary": ("Documentary",),
    "documentaries": ("Documentary",), "docs": ("Documentary",), "drama": ("Drama",),
    "dramas": ("Drama",), "fantasy": ("Fantasy",), "noir": ("Film-Noir",),
    "noirs": ("Film-Noir",), "film noir": ("Film-Noir",), "horror": ("Horror",),
    "horrors": ("Horror",), "musicals": ("Musical",), "mystery": ("Mystery",),
    "mysteries": ("Mystery",), "whodunit": ("Mystery",), "romance": ("Romance",),
    "romances": ("Romance",), "romcom": ("Romance", "Comedy"), "rom com": ("Romance", "Comedy"),
    "romcoms": ("Romance", "Comedy"), "romantic comedy": ("Romance", "Comedy"),
    "romantic comedies": ("Romance", "Comedy"), "sci fi": ("Sci-Fi",), "scifi": ("Sci-Fi",),
    "science fiction": ("Sci-Fi",), "thriller": ("Thriller",), "thrillers": ("Thriller",),
    "war": ("War",), "western": ("Western",), "westerns": ("Western",),
}

# Mood words people say -> the catalog keyword they mean (kept only if the catalog has it).
MOOD_SYNONYMS: dict[str, str] = {
    "funny": "funny", "funnier": "funny", "funniest": "funny", "hilarious": "funny",
    "laugh": "funny", "laughs": "funny", "lighthearted": "funny", "light hearted": "funny",
    "scarier": "scary", "scariest": "scary", "creepy": "scary", "creepier": "scary",
    "spooky": "scary", "frightening": "scary", "terrifying": "scary", "darker": "dark",
    "darkest": "dark", "grim": "bleak", "depressing": "bleak", "sad": "melancholic",
    "sadder": "melancholic", "gore": "gory", "gorey": "gory", "bloody": "gory", "blood": "gory",
    "violence": "violent", "brutal": "violent", "tenser": "tense", "suspense": "suspenseful",
    "exciting": "action-packed", "explosions": "action-packed", "cozy": "heartwarming",
    "wholesome": "heartwarming", "sweet": "heartwarming", "weird": "quirky", "quirkier": "quirky",
    "trippy": "mind-bending", "twisty": "twist-ending", "twist": "twist-ending",
    "twists": "twist-ending", "smart": "thought-provoking", "clever": "witty",
    "true story": "based-on-true-story", "true stories": "based-on-true-story",
    "robot": "robots", "ai": "artificial-intelligence", "alien": "aliens", "zombie": "zombies",
    "vampire": "vampires", "ghost": "ghosts", "monster": "monsters", "dinosaur": "dinosaurs",
    "pirate": "pirates", "gangster": "gangsters", "mob": "mafia", "heists": "heist",
    "romantic": "romantic", "feelgood": "feel-good", "uplifting": "uplifting",
    "gorgeous": "visually-stunning", "beautiful": "visually-stunning", "slow": "slow-burn",
    "superheroes": "superhero", "time travel": "time-travel", "spies": "spy",
    "martial arts": "martial-arts", "kung fu": "kung-fu", "serial killer": "serial-killer",
    "serial killers": "serial-killer", "road movie": "road-trip", "satire": "satirical",
    "stylish": "stylish", "atmospheric": "atmospheric", "epic": "epic", "cult": "cult",
}

ORDINALS: dict[str, int] = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "top": 1, "last": -1, "final": -1,
}

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "a couple": 2, "a few": 3,
}

def words(text: str) -> frozenset[str]:
    """A closed word list written as one string, for readability."""
    return frozenset(text.split())


STOPWORDS = words(
"a an the i me my we you your it its it's this that these those is are was were be been am "
    "do does did of to in on at for from by with and or but so if as not no up out about into "
    "over than then there here what which who whom why how when where all any some one ones "
    "her him his she he they them their our us just very really too also more most less much "
    "something anything movie movies film films please can could would should will shall want "
    "like love show give tell find get see watch watched seen saw have has had now"
)



def fold(text: str) -> str:
    """Accent-free lowercase, so "Amélie" and "amelie" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*['’]?|&|[,.;:!?]", re.UNICODE)


@dataclass
class Tok:
    norm: str
    orig: str
    start: int
    end: int

    @property
    def word(self) -> bool:
        return self.norm[0].isalnum()

    @property
    def cap(self) -> bool:
        return self.orig[:1].isupper()


def tokenize(text: str) -> list[Tok]:
    """Words (folded, possessive 's and apostrophes dropped, "&" as "and") and punctuation."""
    toks: list[Tok] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        norm = re.sub(r"['’]", "", re.sub(r"['’]s$", "", fold(raw))) or raw
        toks.append(Tok(norm="and" if raw == "&" else norm, orig=raw, start=m.start(), end=m.end()))
    return toks


def norm_words(text: str) -> list[str]:
    """The word sequence used for matching, exactly as a message is tokenized."""
    return [t.norm for t in tokenize(text) if t.word]


def norm_key(text: str) -> str:
    return " ".join(norm_words(text))


@dataclass
class Vocabulary:
    """Everything the offline parser recognises, derived from a catalog's items.

    `resolve` is the facade's fuzzy title matcher (`svc.resolve`); it is used
    for spans after cue words ("like alein") that no exact title matched.
    """

    titles: dict[str, list[str]] = field(default_factory=dict)  # key -> canonical titles
    common_titles: set[str] = field(default_factory=set)  # keys that are ordinary words
    people: dict[str, str] = field(default_factory=dict)  # key (full or unique surname) -> name
    surnames: set[str] = field(default_factory=set)  # keys that are surnames only
    moods: dict[str, str] = field(default_factory=dict)  # phrase key -> catalog keyword
    genres: dict[str, tuple[str, ...]] = field(default_factory=dict)
    common_words: frozenset[str] = frozenset()
    latest_year: int = 2020
    years: dict[str, int] = field(default_factory=dict)  # title -> year (relative refinements)
    runtimes: dict[str, int] = field(default_factory=dict)  # title -> minutes
    countries: frozenset[str] = frozenset()  # the production countries the catalog has
    resolve: Callable[[str], Any] | None = None

    @property
    def recent_from(self) -> int:
        """What "recent" means: the last eight years of the catalog."""
        return self.latest_year - 8

    @classmethod
    def from_items(
        cls, items: Iterable[Item], resolve: Callable[[str], Any] | None = None
    ) -> Vocabulary:
        items = list(items)
        words: Counter[str] = Counter()
        for it in items:  # lower-case occurrences only: proper names are not common words
            words.update(fold(w) for w in re.findall(r"\b[a-z]+\b", it.description))
        common = frozenset(w for w, n in words.items() if n >= 2) | STOPWORDS
        titles: dict[str, list[str]] = defaultdict(list)
        for it in items:
            for name in (it.title, *it.aka):
                for key in _title_keys(name):
                    if it.title not in titles[key]:
                        titles[key].append(it.title)
        # One-word titles are words first ("heat", "gravity", "rope"): they need evidence.
        common_titles = {k for k in titles if " " not in k or all(w in common for w in k.split())}
        people, surnames = _people(items, common)
        keywords = {k for it in items for k in it.keywords}
        moods = {norm_key(k): k for k in keywords}
        moods.update({norm_key(s): k for s, k in MOOD_SYNONYMS.items() if k in keywords})
        genres = dict(GENRE_WORDS)
        genres.update({g.lower(): (g,) for g in GENRES})
        years = [it.year for it in items if it.year]
        return cls(
            titles=dict(titles), common_titles=common_titles, people=people, surnames=surnames,
            moods=moods, genres={norm_key(k): v for k, v in genres.items()},
            common_words=common, latest_year=max(years, default=2020), resolve=resolve,
            years={it.title: it.year for it in items if it.year},
            runtimes={it.title: it.runtime for it in items if it.runtime},
            countries=frozenset(c.strip() for it in items if it.country
                                for c in it.country.split(",") if c.strip()),
        )


def _title_keys(title: str) -> list[str]:
    """A title's match keys: whole, without a leading article, and the part before a colon."""
    keys = [norm_key(title)]
    main = title.split(":")[0]
    if main != title and len(norm_words(main)) >= 2:
        keys.append(norm_key(main))
    for k in list(keys):
        parts = k.split(" ", 1)
        if len(parts) == 2 and parts[0] in ("the", "a", "an") and len(parts[1].split()) >= 2:
            keys.append(parts[1])
    return [k for k in keys if k]


def _people(items: list[Item], common: frozenset[str]) -> tuple[dict[str, str], set[str]]:
    people: dict[str, str] = {}
    by_surname: dict[str, set[str]] = defaultdict(set)
    for it in items:
        for name in it.people:
            key = norm_key(name)
            if len(key.split()) < 2:
                continue
            people[key] = name
            by_surname[key.split()[-1]].add(name)
    surnames = set()
    for surname, names in by_surname.items():
        if len(names) == 1 and len(surname) >= 4 and surname not in common:
            people.setdefault(surname, next(iter(names)))
            surnames.add(surname)
    return people, surnames
