"""The labelled corpus the intent model learns from: templates, hand-written variety, typos.

Every utterance is generated here, deterministically (a seeded RNG), so the
corpus hash names the trained model and a change to any template retrains it.
Titles are written as the parser sees them after masking (MASK), with a share
left as raw lower-case titles, the way a loosely typed one reaches the parser.
Labels are the offline model's decisions (understand.LABELS), not tool names:
"refine" and "reject" change the current request, "group" asks for several
people at once, "preference" is a lasting rule the user asked to keep.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterator

from agent.offline.corpus_phrases import (
    CHITCHAT,
    DETAILS,
    EXPLAIN,
    FEEDBACK,
    GREETING,
    GROUP,
    HELP,
    PLOT,
    PREFERENCE,
    PROFILE,
    RECOMMEND,
    REFINE,
    REJECT,
    REQUEST_TAILS,
    SIMILAR,
    SLOTS,
)
from agent.offline.nlu import MASK

_RAW_TITLES = ("alien", "heat", "arrival", "the matrix", "jaws", "up", "psycho", "amelie",
               "spirited away", "the godfather", "toy story", "casablanca", "rocky", "fargo")
_SLANG = {"something": ("smth", "sth", "somethin"), "you": ("u", "ya"), "please": ("pls", "plz"),
          "movie": ("flick", "movie"), "movies": ("flicks", "movies"), "really": ("rly", "realy"),
          "recommend": ("recomend", "reccomend"), "what": ("wat", "what"), "are": ("r",),
          "watch": ("wach", "watch"), "because": ("cuz", "bc"), "good": ("gud", "good"),
          "with": ("w/",), "tonight": ("tonite", "2night")}


def _fill(template: str, rng: random.Random) -> str:
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        name = out[start + 1 : end]
        if name == "t":
            value = MASK if rng.random() < 0.75 else rng.choice(_RAW_TITLES)
        else:
            value = rng.choice(SLOTS[name])
        out = out[:start] + value + out[end + 1 :]
    return out


def _noisy(text: str, rng: random.Random) -> str:
    """Slang, dropped apostrophes and one typo: how people type in a chat box."""
    words = text.split()
    for i, w in enumerate(words):
        if w in _SLANG and rng.random() < 0.5:
            words[i] = rng.choice(_SLANG[w])
    out = " ".join(words).replace("'", "" if rng.random() < 0.5 else "'")
    letters = [i for i, c in enumerate(out) if c.isalpha()]
    if len(letters) > 8 and rng.random() < 0.7:
        i = rng.choice(letters[1:-1])
        kind = rng.random()
        if kind < 0.4:
            out = out[:i] + out[i + 1 :]
        elif kind < 0.8:
            out = out[:i] + out[i + 1] + out[i] + out[i + 2 :]
        else:
            out = out[:i] + out[i] + out[i:]
    return out.lower() if rng.random() < 0.6 else out


def _compound(rng: random.Random) -> Iterator[str]:
    """Feedback then a request in one message, in the orders and joins people use."""
    joins = (", ", ". ", " - ", "! ", " and ", ", so ", ". now ", " ... ", " so ")
    for fb, tail in itertools.product(FEEDBACK, REQUEST_TAILS):
        if rng.random() < 0.3:
            yield _fill(fb, rng) + rng.choice(joins) + _fill(tail, rng)


def generate(seed: int = 7) -> list[tuple[str, str]]:
    """(utterance, label) pairs: every template, filled a few times, plus noisy copies."""
    rng = random.Random(seed)
    groups = {"recommend": RECOMMEND, "refine": REFINE, "reject": REJECT, "group": GROUP,
              "search": PLOT, "similar": SIMILAR, "explain": EXPLAIN, "details": DETAILS,
              "feedback": FEEDBACK, "preference": PREFERENCE, "show_profile": PROFILE,
              "greeting": GREETING, "help": HELP, "chitchat": CHITCHAT}
    out: list[tuple[str, str]] = []
    for label, templates in groups.items():
        for template in templates:
            fills = 5 if "{" in template else 1
            seen = {_fill(template, rng) for _ in range(fills)}
            out += [(text, label) for text in sorted(seen)]
    out += [(text, "feedback+recommend") for text in _compound(rng)]
    noisy = [(_noisy(text, rng), label) for _ in range(2) for text, label in out if rng.random() < 0.4]
    unique = dict.fromkeys(out + noisy)
    return list(unique)


def corpus_hash(rows: list[tuple[str, str]], version: str) -> str:
    digest = hashlib.sha256(version.encode())
    for text, label in rows:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]
