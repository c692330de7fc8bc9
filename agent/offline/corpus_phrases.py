"""Hand-written phrasings for the intent corpus (agent.offline.corpus fills and multiplies them).

{t} is a film title, {g} a genre word, {m} a mood, {d} a decade, {p} a person,
{c} a country or language word, {n} a count, {r} a runtime phrase, {ref} a
reference to the list just shown. Written to cover how people ask, not any
evaluation set.
"""

from __future__ import annotations

SLOTS: dict[str, tuple[str, ...]] = {
    "g": ("horror", "comedy", "comedies", "thriller", "thrillers", "sci-fi", "western", "westerns",
          "drama", "romance", "romcom", "animated", "animation", "documentary", "war", "crime",
          "mystery", "fantasy", "musical", "musicals", "action", "adventure", "noir", "kids"),
    "m": ("funny", "scary", "dark", "feel-good", "tense", "heartwarming", "quirky", "gory",
          "mind-bending", "slow-burn", "violent", "romantic", "uplifting", "weird", "cozy", "epic"),
    "d": ("80s", "90s", "70s", "60s", "2000s", "eighties", "nineties", "50s", "2010s", "1990s"),
    "p": ("kurosawa", "hitchcock", "tom hanks", "meryl streep", "spielberg", "nolan",
          "denis villeneuve", "miyazaki", "cary grant", "scorsese", "bong joon-ho"),
    "c": ("japanese", "french", "korean", "italian", "british", "spanish", "indian", "swedish",
          "german", "mexican", "chinese", "iranian"),
    "n": ("two", "three", "2", "3", "4", "a couple", "five", "one"),
    "r": ("under two hours", "under 90 minutes", "less than 100 minutes", "nothing past the two hour mark",
          "at least 3 hours long", "shorter than 100 mins", "under an hour and a half"),
    "ref": ("the second one", "#3", "the last one", "the first one", "number 2", "the third",
            "that one", "it", "#1", "the fourth one"),
}

RECOMMEND = (
    "recommend a {g} for me", "got any {d} {g}?", "something {m} please", "i want a {m} {g} tonight",
    "what should i put on this evening", "suggest some {g} films", "any good {g} from the {d}?",
    "show me {g} movies", "in the mood for something {m}", "give me {n} {g} films",
    "something like {t}", "films like {t} but more {m}", "anything with {p}?", "{p} films",
    "a {c} {g}", "something {c}", "{c} films from the {d}", "i'd like a {g} {r}",
    "need a movie for date night", "whats good to watch", "hit me with some {g}",
    "looking for a {m} {g} from the {d}", "can you suggest a film", "movie ideas?",
    "i feel like watching a {g}", "best {g} you have?", "pick something for me",
    "surprise me", "what's a good {m} movie", "{m} {g} pls", "need something {m} to watch",
    "got anything {m}?", "what would you recommend for a rainy sunday", "a {g} with {p}",
    "something like {t} and {t}", "top {n} {g}", "a {g} {r}", "{n} {c} films please",
    "i'm bored, entertain me", "find me a good film", "what do you suggest", "recs?",
    "any recommendations for tonight?", "i want something to watch with popcorn",
    "show me some {d} classics", "a film from {c} cinema", "old school {g}",
    "something recent and {m}", "a {m} film {r}", "what's worth watching from the {d}",
    "let's see some {g}", "give me your best {g} picks", "could you find me a {g} movie",
    "i wanna watch a {g}", "yo any {g} recs", "new request: {m} {g}", "ok, totally new thing: {g}",
)
REFINE = (
    "make these older", "older ones", "something older", "newer please", "newer stuff",
    "same again but from the 2000s on", "same but from the {d}", "but from the {d}", "only from the {d}",
    "but no {g}", "without {g}", "no {g} though", "but not {m}", "less {m}", "more {m}",
    "funnier", "scarier", "darker", "lighter please", "something lighter", "shorter ones",
    "shorter", "longer ones", "{r}", "but {r}", "only ones {r}", "and make it {c}", "{c} ones",
    "only {c} ones", "what about {g} instead", "make that {g} instead", "actually {g}",
    "switch to {g}", "and {g} too", "any decade is fine", "any year is fine", "any length",
    "just {n}", "only {n} please", "just {n} of them", "with {p}", "only the ones with {p}",
    "same but {m}", "same thing but {c}", "now the {d}", "ok now {g}", "and from the {d}?",
    "but newer", "not so old", "from before 1970", "after 2000 only", "before 1980",
    "drop the year", "forget the {g} part", "more like the {d}", "but more {m}",
    "hmm, {m}-er", "less violent please", "less dark", "a bit shorter", "not that long",
    "earlier ones", "go back further", "more modern ones", "the {d} instead",
    "start over", "clear the filters", "same again but {g}", "but in {c}",
)
REJECT = (
    "none of those", "none of them appeal", "not feeling any of these", "nah, others?",
    "show me different ones", "something else", "other options?", "nope, none of them",
    "meh", "not these", "can you show me others", "i don't like any of those",
    "none of them appeal", "next", "more options please", "another batch", "give me others",
    "not really, something else", "these ones aren't doing it", "none of those work",
    "seen them all, others?", "nothing there for me", "hmm no, different ones please",
    "none of the above", "try again", "not impressed with these, more?", "other ones",
    "different picks please", "any others?", "no, show me more", "pass on all of these",
)
GROUP = (
    "my partner loves {g}, i prefer {g}, something for us both",
    "watching with my kids, they like {g} and i like {g}",
    "friends coming over: one wants {g}, the other wants {g}",
    "something my wife and i will both enjoy, she likes {g} and i like {g}",
    "movie for the whole family tonight", "we can't agree: {g} or {g}? find a middle ground",
    "my boyfriend wants {g} but i want {g}", "a film for me and my dad, he's into {g}",
    "something for a group of friends who like {g} and {g}",
    "date night: she loves {g}, i love {g}", "what can my parents and i watch together",
    "film night with my roommate, he likes {m} stuff and i like {g}",
    "my son likes {g}, my daughter likes {g}, help", "both of us like {g} and {g}",
    "something we'll all like, mix of {g} and {g}", "for the two of us: {g} meets {g}",
)
PLOT = (
    "what's the movie where a guy loses his memory", "the one with the shark",
    "what's that film where toys come to life", "looking for a movie about a heist in a casino",
    "there's a film where a man lives the same day over and over",
    "can't remember the name of the movie with the robot who cleans up earth",
    "the film where a girl falls into a magical world", "what was that movie about a boxer",
    "trying to find a film about astronauts stranded on a planet",
    "what's the name of the film where a family lives in a basement",
    "the one where a detective hunts a serial killer in the rain",
    "movie about a man who trains to become a samurai", "what movie has a talking rat who cooks",
    "film where the dead come back and people hide in a house",
    "it's on the tip of my tongue: a movie about a cab driver at night",
    "which film has a kid befriending an alien", "the one about two lovers on a sinking ship",
    "i forgot the title: a woman starts a cafe in paris", "search for the movie with the killer doll",
    "whats the film where a dad drives across the country with his kids",
    "what film had a pianist hiding during the war", "the movie where robots fight giant monsters",
    "the one with the guy who wakes up with tattoos and no memory",
    "a film in which a town is terrorized by birds", "movie where a boy grows up in front of the camera",
    "that movie about a spelling bee", "that old film where a man sells his soul",
)
SIMILAR = (
    "more like {t}", "more like {ref}", "anything similar to {t}?", "films similar to {ref}",
    "something in the same vein as {t}", "like {ref} but different", "more of that",
    "more like that one", "others like {t}", "what else is like {ref}", "similar ones to {t}",
    "stuff like {t}", "find me films like {ref}", "same kind of movie as {t}",
)
EXPLAIN = (
    "why {ref}?", "why did you pick {t}", "why that one", "explain {ref}", "how come {t}?",
    "what made you suggest {ref}", "why is {t} on the list", "reasoning for {ref}?",
    "why would i like {t}", "score breakdown for {ref}", "why the first?", "explain your picks",
    "why this one", "what's the reason for {ref}",
)
DETAILS = (
    "tell me about {t}", "tell me more about {ref}", "what's {t} about?", "who directed {t}",
    "how long is {t}", "who's in {ref}", "is {t} worth watching?", "is {ref} any good?",
    "is {t} good", "what year is {t}", "plot of {ref}?", "details on {t}", "what is {ref} about",
    "is {t} scary?", "should i watch {t}?", "is {t} worth it", "what genre is {t}",
    "who stars in {t}", "give me the synopsis of {ref}", "what kind of film is {t}",
    "is {ref} for kids?", "info on {t}", "runtime of {ref}?", "would you say {t} is worth my time?",
)
FEEDBACK = (
    "i loved {t}", "loved {ref}", "{t} was great", "i hated {t}", "{ref} was boring",
    "already seen {t}", "seen {ref}", "i've watched {t}", "{t} 4/5", "rate {t} 3 stars",
    "i'd give {ref} 8/10", "{t} is one of my favourites", "didn't like {t}", "not a fan of {ref}",
    "{t} was meh", "finished {t} last night, adored it", "watched {t} yesterday, really enjoyed it",
    "{ref} looks great", "i liked {ref}", "{t} was a masterpiece", "{t} was terrible",
    "fell asleep during {t}", "{ref}: seen it", "already watched {ref}", "{t} - 2/5",
    "i enjoyed {t} a lot", "thumbs up for {ref}", "{t} blew me away", "{t} was overrated",
    "saw {t} last week, it was solid", "{t} wasn't for me", "love {ref}",
)
REQUEST_TAILS = (
    "what should i see next?", "give me more {g}", "something lighter?", "anything else like it?",
    "now some {d} {g} please", "more like that", "recommend something similar",
    "what's next?", "what else?", "got anything {m}?", "show me something different",
    "suggest a {g}", "what now", "any {c} films?",
)
PREFERENCE = (
    "never show me {g} again", "stop suggesting {g}", "from now on only films after 1990",
    "no more {g} ever", "always include {c} films", "i never want to see {g}",
    "don't recommend {g} anymore", "from now on, less {g}", "in general i prefer {g}",
    "going forward, more {m} stuff", "stop showing me {m} films", "trust people like me more",
    "more obscure picks from now on", "less mainstream stuff in general", "undo that",
    "undo", "reset my preferences", "forget my preferences", "take that back",
    "i'm done with {g} for good", "never recommend anything with {p}", "always avoid {m} movies",
    "stop recommending {d} films", "from now on no {g}", "trust the plot similarity more",
    "i want more hidden gems in general", "no {g} ever again please", "clear my preferences",
)
PROFILE = (
    "what do you know about me", "show my profile", "what have you learned about me",
    "what's my taste", "my preferences?", "how do you see me", "what have you learned recently?",
    "show me my taste profile", "what do i like according to you", "my stats",
    "what rules do i have", "what have you figured out about my taste so far",
)
GREETING = ("hi", "hello", "hey there", "good evening", "yo", "hiya", "hey!", "hello tastebud",
            "morning", "howdy")
HELP = ("help", "what are you able to do?", "how does this work", "what can i ask you", "commands?",
        "how do i use this", "what are you", "?", "instructions please")
CHITCHAT = (
    "thanks", "thanks, that's all", "cool", "ok", "lol", "haha nice", "hmm", "interesting",
    "i'm tired", "what's the weather like", "you're funny", "bye", "good night", "that's it for now",
    "nice one", "ok thanks", "sure", "whatever", "asdfgh", "hmm let me think", "brb",
    "tell me a joke", "how are you", "who made you", "i had pizza tonight", "great, cheers",
    "no thanks", "maybe later", "wow", "ok cool, bye",
)
