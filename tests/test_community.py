"""The synthetic demo community: labelled synthetic, deterministic, and faithful to its archetypes."""

from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest

from memory.community import (
    Archetype,
    Dislikes,
    Likes,
    affinity,
    generate_community,
    load_archetypes,
)
from memory.items import Interaction, Item

# (title, year, genres, keywords, directors, cast, country): a tiny catalog spanning every genre.
# fmt: off
_ROWS = [
    ("Night Shift", 1980, "Horror", "scary,slasher", "A. Dread", "Jamie Fright", "United States"),
    ("The Cellar", 1999, "Horror|Thriller", "scary,ghosts", "A. Dread", "", "Japan"),
    ("Howl", 1981, "Horror|Comedy", "funny,scary,werewolf", "B. Grin", "", "United Kingdom"),
    ("Possessed", 1973, "Horror", "possession,dark", "C. Priest", "", "United States"),
    ("Dead Weekend", 2004, "Horror|Comedy", "zombies,funny", "B. Grin", "", "United Kingdom"),
    ("Hush", 2016, "Horror|Thriller", "tense,scary", "D. Quiet", "", "United States"),
    ("Love in Paris", 2001, "Romance|Comedy", "romantic,paris", "E. Amour", "Ann Lee", "France"),
    ("Wedding Season", 1994, "Romance|Comedy", "wedding,feel-good", "F. Vows", "", "UK"),
    ("Summer Letters", 2004, "Romance|Drama", "romantic,tearjerker", "G. Pen", "", "USA"),
    ("Sing Out", 1952, "Musical|Comedy", "singing,dance", "H. Tap", "", "United States"),
    ("City Lights Song", 2016, "Musical|Romance", "jazz,dance", "I. Keys", "", "United States"),
    ("Star Drift", 1979, "Sci-Fi|Horror", "space,alien,monster", "J. Void", "", "United Kingdom"),
    ("Time Loop", 2010, "Sci-Fi|Thriller", "mind-bending,time-travel", "K. Clock", "", "USA"),
    ("Chrome City", 1982, "Sci-Fi|Action", "cyberpunk,dystopia", "J. Void", "", "United States"),
    ("Bullet Ballet", 1992, "Action|Crime", "hong-kong,gunfight", "L. Dove", "Chow Fat", "Hong Kong"),
    ("Iron Fist", 1973, "Action", "martial-arts,kung-fu", "M. Fist", "", "Hong Kong"),
    ("Seven Swords", 1954, "Action|Drama", "samurai,swordplay", "N. Blade", "", "Japan"),
    ("The Vault", 2001, "Crime|Thriller", "heist,caper", "O. Safe", "", "United States"),
    ("The Family Way", 1972, "Crime|Drama", "mafia,gangster", "P. Don", "", "United States"),
    ("Snow Ransom", 1996, "Crime|Comedy", "dark-comedy,kidnapping", "Q. Frost", "", "USA"),
    ("Shadow Street", 1946, "Film-Noir|Crime", "noir,femme-fatale", "R. Shade", "", "USA"),
    ("Vertigo Point", 1958, "Mystery|Thriller", "suspense,obsession", "S. Spiral", "", "USA"),
    ("Glass Mansion", 2003, "Mystery|Drama", "twist,detective", "T. Clue", "", "South Korea"),
    ("Beach Landing", 1998, "War|Drama", "war,world-war-ii", "U. Shore", "", "United States"),
    ("Jungle Line", 1979, "War", "vietnam,war", "V. Delta", "", "United States"),
    ("High Noon Again", 1966, "Western", "gunfight,revenge", "W. Dust", "Lee Cleef", "Italy"),
    ("Outlaw Trail", 1992, "Western|Drama", "outlaw,frontier", "X. Trail", "", "United States"),
    ("Toy Parade", 1995, "Animation|Children|Comedy", "heartwarming,family", "Y. Pix", "", "USA"),
    ("Forest Spirit", 1988, "Animation|Fantasy", "magical,whimsical", "Z. Mori", "", "Japan"),
    ("Dragon Quest", 2001, "Fantasy|Adventure", "epic,quest,dragons", "A. Ring", "", "New Zealand"),
    ("Temple Run", 1981, "Adventure|Action", "treasure,archaeology", "B. Whip", "", "United States"),
    ("Ocean Planet", 2005, "Documentary", "documentary,nature", "C. Lens", "", "United Kingdom"),
    ("The Trial", 2009, "Documentary|Crime", "true-story,investigative", "D. Fact", "", "USA"),
    ("Winter Light", 1963, "Drama", "meditative,existential", "E. Frost", "", "Sweden"),
    ("Mirror Zone", 1975, "Drama|Sci-Fi", "philosophical,slow-burn", "F. Still", "", "USSR"),
    ("Hotel Pastel", 2014, "Comedy|Drama", "quirky,whimsical", "G. Symm", "Bill Murr", "USA"),
    ("Prom Night Out", 1985, "Comedy|Romance", "teen,high-school", "H. Teen", "", "USA"),
    ("The Spoof", 1980, "Comedy", "slapstick,parody,funny", "I. Gag", "Les Niel", "USA"),
    ("Mask Man", 2008, "Action|Adventure|Sci-Fi", "superhero,comic-book", "J. Cape", "", "USA"),
    ("Revenge Road", 2003, "Action|Crime|Thriller", "revenge,violent", "K. Tara", "", "USA"),
]
# fmt: on


def _item(i: int, row: tuple[str, int, str, str, str, str, str], suffix: str = "") -> Item:
    title, year, genres, keywords, director, cast, country = row
    return Item(
        id=f"t{i:02d}{suffix}", title=title, year=year, genres=tuple(genres.split("|")),
        keywords=tuple(keywords.split(",")), directors=(director,),
        cast=tuple(c for c in [cast] if c), country=country,
    )


CATALOG = [_item(i, r) for i, r in enumerate(_ROWS)]
HORROR_FAN = Archetype(
    name="Horror lover",
    likes=Likes(genres=("Horror",), keywords=("scary", "slasher")),
    dislikes=Dislikes(genres=("Romance", "Musical"), keywords=("feel-good",)),
    weight=1.0,
    activity=15,
)


def _by_user(rows: list[Interaction]) -> dict[str, list[Interaction]]:
    out: dict[str, list[Interaction]] = defaultdict(list)
    for r in rows:
        out[r.user_id].append(r)
    return out


def test_archetypes_load_and_are_labelled_synthetic() -> None:
    archetypes = load_archetypes()
    assert len(archetypes) >= 30
    assert len({a.name for a in archetypes}) == len(archetypes)
    assert all(a.description and a.weight > 0 and a.likes.genres for a in archetypes)
    raw = resources.files("memory").joinpath("demo/archetypes.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert doc["synthetic"] is True
    assert "not real people" in doc["note"]


def test_generated_users_are_labelled_synthetic() -> None:
    rows = generate_community(CATALOG, seed=1, n_users=20)
    assert rows and all(r.source == "synthetic" and r.user_id.startswith("synth-") for r in rows)


def test_same_seed_same_output_and_different_seed_differs() -> None:
    a = generate_community(CATALOG, seed=11, n_users=50)
    b = generate_community(CATALOG, seed=11, n_users=50)
    c = generate_community(CATALOG, seed=12, n_users=50)
    assert [r.model_dump() for r in a] == [r.model_dump() for r in b]
    assert [r.model_dump() for r in a] != [r.model_dump() for r in c]


def test_ratings_are_half_stars_between_half_and_five() -> None:
    rows = generate_community(CATALOG, seed=2, n_users=100)
    assert all(0.5 <= r.value <= 5.0 and (r.value * 2).is_integer() for r in rows)
    assert max(r.value for r in rows) == 5.0 and min(r.value for r in rows) <= 2.5


def test_every_user_rates_at_least_five_known_films_once_in_time_order() -> None:
    ids = {it.id for it in CATALOG}
    users = _by_user(generate_community(CATALOG, seed=3, n_users=60))
    assert len(users) == 60
    for rows in users.values():
        assert len(rows) >= 5
        assert {r.item_id for r in rows} <= ids
        assert len({r.item_id for r in rows}) == len(rows)
        ts = [r.ts for r in rows]
        assert ts == sorted(ts) and len(set(ts)) == len(ts)


def test_horror_lover_rates_horror_above_everything_else() -> None:
    horror = {it.id for it in CATALOG if "Horror" in it.genres}
    rows = generate_community(CATALOG, seed=5, n_users=40, mix=0.0, archetypes=[HORROR_FAN])
    h = [r.value for r in rows if r.item_id in horror]
    other = [r.value for r in rows if r.item_id not in horror]
    assert h and other
    assert sum(h) / len(h) >= sum(other) / len(other) + 1.0
    assert len(h) / len(rows) > len(horror) / len(CATALOG)  # and seeks horror out


def test_well_known_films_get_more_ratings() -> None:
    items = [Item(id=f"d{p}", title=f"D{p}", genres=("Drama",), popularity=p) for p in range(30)]
    fan = Archetype(name="Drama fan", likes=Likes(genres=("Drama",)), activity=10)
    counts: dict[str, int] = defaultdict(int)
    for r in generate_community(items, seed=9, n_users=300, archetypes=[fan]):
        counts[r.item_id] += 1
    famous = sum(counts[f"d{p}"] for p in range(25, 30))
    obscure = sum(counts[f"d{p}"] for p in range(5))
    assert famous > 1.2 * obscure


def test_affinity_rewards_matches_and_punishes_dislikes() -> None:
    fan = Archetype(
        name="Bong fan",
        likes=Likes(genres=("Thriller",), directors=("Bong Joon-ho",), countries=("South Korea",)),
        dislikes=Dislikes(genres=("Musical",)),
    )
    film = Item(
        id="a", title="A", genres=("Thriller",), directors=("Bong Joon Ho",), country="Korea"
    )
    plain = Item(id="b", title="B", genres=("Thriller",))
    musical = Item(id="c", title="C", genres=("Musical",))
    assert affinity(fan, film) > affinity(fan, plain) > 0 > affinity(fan, musical)
    assert affinity(fan, Item(id="d", title="D", country="South Korea")) == 0  # country alone


def test_unknown_genre_in_an_archetype_is_rejected() -> None:
    with pytest.raises(ValueError):
        Likes(genres=("Space Opera",))


def test_scales_to_the_demo_size() -> None:
    items = [_item(i, r, suffix=f"-{k}") for k in range(12) for i, r in enumerate(_ROWS)][:450]
    rows = generate_community(items, seed=7, n_users=300)
    assert len(_by_user(rows)) == 300
    assert {r.item_id for r in rows} <= {i.id for i in items}


_DEMO = Path(__file__).resolve().parents[1] / "memory" / "demo"


def test_every_archetype_likes_enough_of_the_demo_catalog() -> None:
    files = [_DEMO / "films_a.jsonl", _DEMO / "films_b.jsonl"]
    if not all(f.exists() for f in files):
        pytest.skip("demo catalog (memory/demo/films_a.jsonl and films_b.jsonl) not written yet")
    items = [Item.from_json(line) for f in files for line in f.read_text().splitlines() if line]
    thin = {
        a.name: n for a in load_archetypes() if (n := sum(affinity(a, it) > 0 for it in items)) < 5
    }
    assert not thin, f"archetypes with under 5 liked demo films: {thin}"
