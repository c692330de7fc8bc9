"""Plot search: what is left of "what's that film where a guy ..." once the question is gone.

The frame ("what's the movie where", "I'm trying to remember a film about",
"can't recall the name but") says nothing about the film, yet embedded with
the description it pulls every query toward the same generic neighbours. Only
the remembered content is searched for, against synopses and keywords alone.
"""

from __future__ import annotations

import re

_FRAME = re.compile(
    r"^\W*(?:(?:hey|hi|ok|so|um+|uh+|hmm+|please|help)\W+)*"
    r"(?:(?:i'?m |i am )?(?:trying to|can'?t|cannot|could you help me|help me)\s+"
    r"(?:remember|recall|find|think of|name)\s*(?:the name of\s*|the title of\s*|the name\s*|"
    r"the title\s*)?(?:of\s*)?(?:it\W*)?(?:but\W+)?)?"
    r"(?:(?:do you know |does anyone know |what'?s |what is |what was |whats |which is |which was |"
    r"name |search for |look up |find |looking for |i'?m looking for |i want |there'?s |there is |"
    r"there was |it'?s |it was |i forgot |i remember |remember )?"
    r"(?:the |that |this |a |an )?(?:name of |title of |title\W+)?(?:the |that |this |a |an )?"
    r"(?:old |new |classic |animated |french |japanese |black and white |cartoon |claymation |"
    r"hitchcock |kids |\w+ )?"
    r"(?:movie|film|one|flick|cartoon|picture|show|claymation one|animated one|thing)s?"
    r"(?:\s+(?:called|named|titled))?"
    r"(?:\s+(?:where|in which|with|about|that has|that had|that is about|that was about|that|which|"
    r"when|set in|has|had|is|was|has a|had a|of)\b)?)"
)
_TAIL = re.compile(r"\W*(?:what'?s it called|what was it called|do you know it|any idea|\?|"
                   r"can you find it|please|thanks)+\W*$")
_LEAD = re.compile(r"^\W*(?:on the tip of my tongue|forgot the (?:name|title)|can'?t remember the "
                   r"(?:name|title)|i can'?t remember|no idea what it'?s called)\W*")


def strip_frame(text: str) -> str:
    """The description inside a "which film is it" question (the text itself if no frame)."""
    out = text.strip()
    for _ in range(3):
        before = out
        out = _LEAD.sub("", out)
        m = _FRAME.match(out.lower())
        if m and m.end() > 0 and len(out) - m.end() >= 12:
            out = out[m.end() :]
        out = _TAIL.sub("", out).strip(" ,.:;-")
        if out == before:
            break
    return out or text.strip()
