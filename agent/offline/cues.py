"""Intent cues: which words make a clause a request, a question, feedback or a preference.

`classify` checks them in a fixed priority order, most specific first, so a
clause with both a "why" and a "like" is an explanation request. The order is
the documented behaviour of the offline model: see the README's table.
"""

from __future__ import annotations

import re
from typing import Any

from agent.offline.lexicon import STOPWORDS, words


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


GREETING = _rx(r"^\W*(hi|hello|hey|hiya|howdy|yo|hola|good (morning|afternoon|evening)|greetings|"
               r"sup|what'?s up)\b[\s\w]{0,12}[!.,\s]*$")
HELP = _rx(r"\b(help|what can you do|how does (this|it) work|what can i (ask|say|do)|what do you do|"
           r"how do i use|commands|who are you|what are you|how do you work)\b|^\W*\?+\W*$")
RESET = _rx(r"\b(undo|take (that|it) back|revert|reset (my |all |the )?(preferences|prefs|taste|"
            r"profile|settings|rules)|forget (my|all|everything)|start over from scratch|clear my "
            r"(preferences|profile|rules))\b")
EXPLAIN = _rx(r"\b(why|how come|explain|what made you|reasons?|reasoning|justify|what makes you "
              r"think|score breakdown|breakdown|come up with|how did you (pick|choose|get|find))\b")
SEARCH = _rx(
    r"\b(the (one|movie|film) (where|with|about|in which|that has|set in)|(movie|film|one) (where|in "
    r"which)|what'?s? (is |was )?(that|the) (movie|film|one)|what (movie|film) (is|was|has)|"
    r"what'?s the (name|title)|name of (the|that) (movie|film)|trying to (remember|find|think of)|"
    r"can'?t (remember|recall)|forgot the (name|title)|there'?s? (is |was )?(a|this) (movie|film) "
    r"(where|about|with|in which)|find (me )?(the|that) (movie|film)|which (movie|film|one) (has|had|"
    r"is|was)|search for|look up|a (movie|film) in which|what was it called|on the tip of my tongue)\b"
)
DETAILS = _rx(
    r"what'?s? (is |was )?.{0,40}\babout\W*$|\b(tell me (more )?about|more (info|information|"
    r"details) (on|about)|details|who (directed|made|stars|starred|is in|was in|plays|acts)|who'?s in|cast "
    r"of|the cast|plot|synopsis|how long is|runtime|running time|what year (was|is|did)|when was .{1,"
    r"40} (released|made)|info on|information on|describe|is (it|that|this|xtitle|the \w+|#\d)( one)? (good|any good|"
    r"worth)|what kind of (movie|film) is|what genre is|summary|what happens in|who is in)\b"
)
PROFILE = _rx(
    r"\b(my (tastes?|profile|preferences|prefs|weights|rules)|taste profile|what (do|did) you (know|"
    r"learn(ed|t)?) about me|what (have you|you'?ve) learn(ed|t)|what do i (like|enjoy|prefer)|how do you see "
    r"me|what'?s my taste|know about me so far|what you know about me|my stats)\b"
)
SIMILAR = _rx(
    r"\b(more like|similar|same vein|in the vein of|along the (same )?lines of|in the style of|reminds? me of|else "
    r"like|others like|other (movies|films|ones) like|things like|stuff like|more of (that|those|the "
    r"same)|like (that|this|it)\b|in the spirit of|same kind of|along those lines|lookalikes?|(else|anything|something) (is "
    r"|that'?s )like)"
)
LIKE_TITLE = _rx(r"(^|\b(something|anything|movies?|films?|stuff|more|others?|ones?|things|else|"
                 r"picks?|titles?|recommendations?|watch|one)\s+)(just\s+|a bit\s+|kind of\s+)?like\b")
REQUEST = _rx(
    r"\b(recommend|recommendation|suggest|suggestion|something|anything|show me|give me|what should "
    r"i|what (can|could) i watch|what to watch|i want|i'?d like|i wanna|in the mood|looking for|find "
    r"me|got any|ideas|options|picks|movie night|tonight|watch|more|another|else|different|instead|"
    r"how about|what about|any good|list|surprise me with|need a|hit me)\b"
)
REQUEST_STRONG = _rx(
    r"\b(recommend|recommendation|suggest|suggestion|something|anything|show me|give me|what should "
    r"i|what (can|could) i watch|what to watch|i want|i'?d like|i wanna|in the mood|looking for|find "
    r"me|got any|ideas|options|picks|movie night|tonight|watch|any good|need a|hit me)\b"
)
PERSISTENT = _rx(r"\b(never|no more|don'?t (show|recommend|suggest|give)|stop (showing|recommending|suggesting|giving)|from now on|in "
                 r"general|going forward|always|any ?more|ever again|for good|in future|"
                 r"in the future)\b")
PREF_STYLE = _rx(
    r"\b(trust|rely|weigh|obscure|mainstream|popular|hidden gems?|blockbusters?|well[- ]known|"
    r"lesser[- ]known|surpris(e|ing)|variety|adventurous|familiar|safer|niche|people like me|"
    r"people with (similar|the same) tastes?|community|critics?|crowd|other users|similar users|plot similarity|content)\b"
)
PREF_VERB = _rx(
    r"(^|\b)(less|fewer|more|only|tone down|cut (out|down)|sick of|tired of|enough|i (really )?(hate|"
    r"love|adore|like|prefer|enjoy|dislike|can'?t stand|don'?t (like|want|care for|enjoy)|do not "
    r"like|am (not )?into|'?m (not )?into|am a fan of|'?m a fan of|'?m not a fan of|am not a fan of)|"
    r"not (a fan of|into|big on)|i'?m over|no)\b"
)

_DISLIKE = (r"hated?|disliked|didn'?t (like|enjoy|love|care for)|did not (like|enjoy)|not (good|great"
            r"|my (thing|cup of tea|taste|type|style|kind of thing)|for me|a fan|that good|impressed|"
            r"worth it)|wasn'?t (good|great|for me|my thing|that good|impressed)|boring|bored|awful|"
            r"terrible|bad|meh|overrated|dull|fell asleep|couldn'?t finish|turned it off|skip it|"
            r"nope|nah|thumbs down|worst|waste of time|disappointing|disappointed|underwhelming|"
            r"👎|ugh|dreadful|pass on (it|that)")
_LOVE = (r"loved|love(d)? (it|that|this)|adored?|favou?rite|masterpiece|amazing|awesome|perfect|brilliant|"
         r"incredible|fantastic|outstanding|all[- ]time|blew me away|10/10|obsessed|stunning|"
         r"superb|phenomenal|one of the best|❤️|❤|♥")
_LIKE = (r"liked|like (it|that|this)|enjoyed|good|great|nice|fun|solid|not bad|decent|"
         r"thumbs up|👍|works for me|worth (it|watching)|entertaining|pretty good|"
         r"really liked|was good|loved|i like (it|that one)")
_SEEN = (r"(already )?(seen|watched|saw) (it|that|this|them|both|that one|this one|already)|"
         r"already (seen|watched|saw)|(i'?ve|i have|have) (seen|watched)|seen it|saw it|"
         r"watched it|been there|know (it|that one)|i saw|i watched|i'?ve already|"
         r"rewatched|(watched|seen|saw) .{1,40}? (already|before|last|yesterday)")
DISLIKE = _rx(rf"\b({_DISLIKE})(\b|(?=\W)|$)")
LOVE = _rx(rf"\b({_LOVE})(\b|(?=\W)|$)")
LIKE = _rx(rf"\b({_LIKE})\b")
SEEN = _rx(rf"\b({_SEEN})\b")
FEEDBACK_ANY = _rx(rf"\b({_DISLIKE}|{_LOVE}|{_LIKE}|{_SEEN})\b|\d\s*/\s*(5|10)")
PIVOT = _rx(
    r"^(and |so |but |ok |okay |well )?(now |then |next )?((can|could|would) you |please |maybe |"
    r"just )?(show|give|find|recommend|suggest|something|anything|what|whats|how about|any|more like|"
    r"why|tell|got|i want|id like|i d like|let|lets|search|look for|similar|other|another|got|"
    r"who|need)\b"
)

TRUST = _rx(r"\b(trust|rely|weigh|listen to)\b")
ACK = _rx(r"^\W*(ok|okay|alright|thanks|thank you|cool|fine|sure|got it)\b|\bthanks\b|\bthank you\b")
WANT = _rx(r"\b(i (want|need|prefer|like|would like|'?d like)|give me)\b")
I_STATEMENT = _rx(r"^\W*i (really |just |absolutely |totally |honestly )?(love|adore|like|hate|prefer|"
                  r"enjoy|dislike|can'?t stand|don'?t like|do not like|am into|'?m into|'?m not into|"
                  r"am not into)\b")
ASKING = _rx(r"\?|\b(recommend|suggest|show me|give me|find me|what should)\b")

TARGET_SLOTS = ("titles", "refs")
CONSTRAINT_SLOTS = ("genres", "exclude_genres", "keywords", "exclude_keywords", "people",
                    "year_min", "year_max")
SLOTS_FOR: dict[str, tuple[str, ...]] = {
    "recommend": ("titles", *CONSTRAINT_SLOTS, "k"),
    "search": (*CONSTRAINT_SLOTS, "k"),
    "similar": ("titles", "refs", "k"),
    "explain": ("titles", "refs"),
    "details": ("titles", "refs"),
    "feedback": ("titles", "refs", "signal", "rating"),
    "show_profile": (),
    "adjust_preferences": (),
    "greeting": (),
    "help": (),
    "chitchat": (),
}
FILLER = STOPWORDS | words(
"recommend suggest something anything show give want looking mood some good great tonight "
    "kind sort type maybe really bit little lot ones one else instead different another pick "
    "picks please thanks thank could would id i'd im i'm find me us new watch watching rather "
    "without no not less never avoid but funnier scarier darker gimme got any hey hi ok okay "
    "ideas options suggestions recommendations similar stuff things thing same vibe vibes "
    "feel feeling year years decade era yes yeah yep yup nope know think thought honestly totally "
    "sure pretty kinda lot lots alot probably definitely actually well hello awesome fun favorite "
    "favourite loved liked enjoy enjoyed heard hear remember time times today night day last first "
    "two everything nothing way guy guys people person lol haha wow omg thats dont doesnt didnt "
    "havent hasnt isnt wasnt cant wont ive youre theyre its whats lets been being done doing "
    "make made say said going got get gets let tell told ask asked mean means next see xtitle xperson"
)
_SLOT_WORD = re.compile(r"^('?\d0'?s|\d{4}s?|\d+|early|late|mid|recent|classic|classics|old|older|"
                        r"eighties|nineties|seventies|sixties|fifties|after|before|since)$")


def is_slot_word(word: str) -> bool:
    return bool(_SLOT_WORD.match(word))


def has_constraints(found: dict[str, Any]) -> bool:
    return any(found.get(k) for k in CONSTRAINT_SLOTS)


def signal(low: str, found: dict[str, Any]) -> str | None:
    """The feedback signal in a clause: rate, dislike, love, like or seen (in that precedence)."""
    if found.get("rating") is not None:
        return "rate"
    if DISLIKE.search(low):
        return "dislike"
    if LOVE.search(low):
        return "love"
    if LIKE.search(low):
        return "like"
    if SEEN.search(low):
        return "seen"
    return None


def classify(low: str, found: dict[str, Any]) -> str:
    """The clause's intent, checking cues from the most to the least specific."""
    low = low.replace("’", "'")
    has_target = bool(found["titles"] or found["refs"] or found.get("pronoun"))
    constrained = has_constraints(found)
    if GREETING.search(low) and not has_target and not constrained:
        return "greeting"
    if HELP.search(low) and not (found["titles"] or found["refs"]) and not constrained:
        return "help"
    if RESET.search(low):
        return "adjust_preferences"
    if EXPLAIN.search(low):
        return "explain"
    if SEARCH.search(low):
        return "search"
    if DETAILS.search(low) and (has_target or not REQUEST.search(low)):
        return "details"
    if PROFILE.search(low) and not constrained and not PREF_STYLE.search(low):
        return "show_profile"
    if TRUST.search(low) and PREF_STYLE.search(low):
        return "adjust_preferences"
    targets = len(found["titles"]) + len(found["refs"]) + (1 if found.get("pronoun") else 0)
    similar_cue = SIMILAR.search(low) or ((found["titles"] or found["refs"]) and LIKE_TITLE.search(low))
    if similar_cue and (targets >= 1 or SIMILAR.search(low)):
        if constrained or len(found["titles"]) > 1 or (found["titles"] and found["refs"]):
            return "recommend"
        return "similar"
    if _is_feedback(low, found, has_target):
        return "feedback"
    if _is_adjust(low, found, constrained):
        return "adjust_preferences"
    if REQUEST.search(low) or constrained or found["titles"] or found.get("k"):
        return "recommend"
    return "chitchat"


def _is_feedback(low: str, found: dict[str, Any], has_target: bool) -> bool:
    sig = found.get("signal")
    if sig is None:
        return False
    if found["titles"] or found["refs"]:
        return not (REQUEST.search(low) and sig in ("like", "love") and not found["refs"]
                    and not re.search(r"\b(loved|liked|enjoyed|hated|seen|watched|saw)\b", low))
    if sig == "rate":
        return not REQUEST_STRONG.search(low)
    if has_constraints(found) or ACK.search(low):
        return False
    if has_target:
        return not REQUEST.search(low) or sig in ("dislike", "seen", "rate")
    return len(re.findall(r"\w+", low)) <= 7 and not REQUEST.search(low)


def _is_adjust(low: str, found: dict[str, Any], constrained: bool) -> bool:
    if PREF_STYLE.search(low) and (PREF_VERB.search(low) or PERSISTENT.search(low) or WANT.search(low)):
        return True
    if not constrained:
        return False
    if PERSISTENT.search(low) or re.match(r"^\W*(only|nothing|no)\b", low):
        return True
    if I_STATEMENT.match(low) and not ASKING.search(low):
        return True
    return bool(PREF_VERB.search(low)) and not REQUEST_STRONG.search(low)
