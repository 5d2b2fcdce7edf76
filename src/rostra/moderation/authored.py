"""Hand-written training sentences for what the public corpora under-represent.

The corpora rarely show swearing at nobody, condemnation that quotes the hate it
condemns, or negated stereotypes, so a bag-of-n-grams model learns "swear word
or group name = abuse". These templates come in contrasting pairs (the bare
attack labelled 1, the same words framed as condemnation, negation or aimed at
a thing labelled 0), which pushes weight onto the framing words instead.

A comment section also talks about itself ("see the first reply", "read the
article"), and every corpus is mostly abuse, so the words of that talk are
seen almost only in toxic rows: `_discussion` gives them plain examples, each
beside the same opening turned into an attack.

None of these sentences is in the functional suite: ``train.py`` refuses to run
if any of them normalises to a suite case.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

GROUPS = (
    "muslims", "jews", "immigrants", "refugees", "black people", "mexicans", "women",
    "gay men", "lesbians", "trans people", "asians", "arabs", "roma", "disabled people",
    "latinos", "catholics", "hindus", "sikhs", "africans", "migrants", "indians",
    "chinese people", "bisexual people", "native americans", "deaf people", "poles",
)  # fmt: skip

SMEARS = (
    "dirty", "stupid", "violent", "criminals", "liars", "thieves", "subhuman",
    "a disease", "animals", "rats", "scum", "savages", "evil", "worthless",
    "parasites", "filthy", "inferior", "a plague", "disgusting", "freaks",
    "vermin", "cockroaches", "a cancer", "an infestation", "mongrels", "beasts", "apes",
    "leeches", "trash", "rapists", "terrorists", "degenerates", "backward", "diseased",
)  # fmt: skip

# Attacks on a group that need no smear word to be hateful.
GROUP_ATTACKS = (
    "{g} should all be deported.",
    "{g} don't belong in this country.",
    "Get rid of every last one of the {g}.",
    "{g} ruin everything they touch.",
    "I can't stand {g}, they make me sick.",
    "{g} should not be allowed to have children.",
    "Keep {g} out of our schools.",
    "{g} only come here to take what is ours.",
    "{g} breed like insects.",
    "The world would be better without {g}.",
)  # fmt: skip

CONDEMN = (
    "It is bigoted to claim that {c}.",
    "Anyone who says {c} is spreading hate.",
    "My uncle insists that {c}, and I told him that is plain racism.",
    "The leaflet said {c}; the police are treating it as a hate crime.",
    "Teachers should explain why saying {c} is harmful.",
    "\"{c}\" is the kind of lie that fuels discrimination.",
    "I was shocked to hear a candidate say {c}.",
    "Comments claiming {c} should be removed.",
    "Stop repeating the myth that {c}.",
    "History shows where the idea that {c} leads.",
    "The report documents how often people hear that {c}.",
    "He was suspended for writing that {c}, which is the right call.",
    "Someone sprayed '{c}' on the school wall and parents are rightly upset.",
    "The troll replied '{c}', so I reported him.",
    "Why do people still say {c}? It is ugly prejudice.",
    "I grew up hearing that {c}, and unlearning it took years.",
    "The researchers counted how many posts claimed {c}.",
    "Quoting '{c}' in the headline without context was a poor choice by the paper.",
    "Let us be clear: saying {c} is hate speech.",
)  # fmt: skip
SLUR_REPORTS = (
    "My son was called a '{w}' at school and the teacher ignored it.",
    "Using the word '{w}' as an insult is not acceptable.",
    "The coach was fired after shouting '{w}' at a player.",
    "Kids keep saying '{w}' online and parents should talk to them about it.",
    "The article explains the history of the slur '{w}' and why it hurts.",
)  # fmt: skip
REPORTED_SLURS = ("retard", "faggot", "spastic", "tranny", "chink", "wetback", "dyke", "coon")

NEGATE = (
    "{g} are not {s}.",
    "I would never claim {g} are {s}.",
    "It is a lie that {g} are {s}.",
    "No decent person thinks {g} are {s}.",
    "{g} aren't {s}, and the evidence says so.",
    "I don't believe {g} are {s}.",
    "Nobody should call {g} {s}.",
)  # fmt: skip

NEUTRAL = (
    "{g} in our county opened a new community garden.",
    "The survey asked {g} about housing costs.",
    "Several {g} spoke at the town hall meeting on Tuesday.",
    "The documentary follows three {g} who run a bakery.",
    "Local {g} raised money for the children's hospital.",
    "The museum exhibit covers the history of {g} in the region.",
    "My colleagues include {g}, and the team works well together.",
    "The council met with {g} to discuss the new bus routes.",
    "Statistics on {g} in higher education were released today.",
    "A festival organised by {g} drew thousands of visitors.",
)  # fmt: skip

SWEARS = ("shit", "fuck", "damn", "crap", "hell", "bloody hell", "holy crap", "fucking hell")
SWEAR_ADJ = ("fucking", "damn", "shitty", "bloody", "goddamn", "crappy")
THINGS = (
    "printer", "traffic", "rain", "wifi", "train", "laptop", "budget", "parking meter",
    "heat", "ferry", "lawnmower", "elevator", "ticket machine", "internet", "oven",
    "snow", "dishwasher", "roadworks", "game", "phone", "boiler", "exam", "commute",
)  # fmt: skip
MISHAPS = (
    "broke down again", "is late again", "ruined my morning", "cost me a fortune",
    "kept me up all night", "stopped working", "is driving me crazy", "made me miss the meeting",
)  # fmt: skip
HAPPY = (
    "our team won the final", "the bakery reopened", "I passed my exam", "the bridge is finally open",
    "my daughter got the scholarship", "the festival was a success", "the rain finally stopped",
)  # fmt: skip

INSULT_ADJ = (
    "stupid", "idiotic", "pathetic", "moronic", "useless", "dumb", "ridiculous", "lame",
    "brainless", "garbage", "trash", "awful", "disgusting", "insane", "crap", "ignorant",
)  # fmt: skip
INSULT_NOUN = (
    "idiot", "moron", "loser", "clown", "fool", "imbecile", "jerk", "coward", "hack", "dope",
    "airhead", "simpleton", "nincompoop", "dunce", "blockhead", "creep",
)  # fmt: skip
PLANS = (
    "plan", "bylaw", "zoning rule", "headline", "timetable", "design", "proposal", "policy",
    "update", "decision", "layout", "budget", "ruling", "redesign", "website", "movie",
    "album", "menu", "app", "rule change", "sequel", "tax", "schedule", "detour", "font",
)  # fmt: skip
THING_FRAMES = (
    "The {p} is {a}.",
    "What a {a} {p}, honestly.",
    "This {p} is so {a} it hurts.",
    "Whoever approved this {a} {p} should rethink it.",
    "The new {p} looks {a} to me.",
    "Honestly the {p} was {a} from start to finish.",
)  # fmt: skip
PEOPLE = ("you", "the councillor", "the reporter", "your husband", "the commenter above", "he")


VIOLENCE = (
    "shoot", "stab", "beat up", "strangle", "hurt", "kill", "burn", "punch", "run over",
    "hang", "choke", "bury", "break the legs of", "smash the face of", "gut", "torch",
)  # fmt: skip
TARGETS = (
    "you", "the mayor", "that columnist", "your wife", "the judge", "every one of them",
    "the referee", "that reporter", "your kids", "the protesters", "the landlord",
)  # fmt: skip
THREAT_FRAMES = (
    "I will {v} {t}.",
    "I'm going to {v} {t} tonight.",
    "Someone needs to {v} {t}.",
    "We should {v} {t} and be done with it.",
    "Next time I see {t} I will {v} {t}.",
    "Give me an address and I'll {v} {t}.",
    "It's time to {v} {t}.",
)  # fmt: skip
REPORTED = (
    "Police said the suspect tried to {v} a shop owner.",
    "The trial heard how the gang planned to {v} a rival.",
    "Witnesses saw a man {v} a neighbour before officers arrived.",
    "The film is about a soldier ordered to {v} a prisoner.",
    "Prosecutors say he threatened to {v} his landlord, a serious crime.",
    "The article explains why people who {v} others get long sentences.",
)  # fmt: skip
HARASS = (
    "Go {x} yourself, nobody cares.",
    "Everyone would be happier if you were gone.",
    "We know where you live, {n}.",
    "Nobody would notice if you vanished, {n}.",
    "Log off and never come back, {n}.",
    "I'll message your employer about you, {n}.",
    "You should just {x} yourself.",
    "Do us a favour and {x} yourself.",
)  # fmt: skip
HARASS_X = ("kill", "hang", "shoot", "drown", "off", "hurt")
SUPPORT = (
    "Take care of yourself, {n}, and thanks for the reply.",
    "I'm glad you shared this, {n}.",
    "Hope you feel better soon, {n}.",
    "You made a fair point, {n}, I had not considered it.",
    "Welcome back, {n}, we missed your comments.",
)  # fmt: skip
NAMES = ("mate", "friend", "neighbour", "Sam", "Dave", "folks", "sir", "madam", "everyone")
IDIOMS = (
    "That exam hurt like a {w}.", "Parking here is a {w} on Saturdays.", "It's {a} cold outside.",
    "The commute was {a} awful.", "That was {a} brilliant of the council.",
    "My {a} knee is acting up again.", "This {a} heat, honestly.", "What the {w} happened at the game?",
    "Holy {w}, the cake was good.", "Well {w}, the ferry is cancelled.",
)  # fmt: skip
IDIOM_W = ("bitch", "hell", "shit", "fuck", "pain in the ass")
IDIOM_A = ("fucking", "bloody", "damn", "freaking", "goddamn")


# Talk about the thread itself: which comment, which reply, the article.
ORDINALS = ("first", "second", "last", "top", "earlier", "previous", "third", "original", "next")
POSTS = ("comment", "reply", "post", "response", "answer")
SOURCES = ("article", "story", "piece", "report", "column", "interview", "update", "live blog")
POINTERS = (
    "Read the {o} {p}", "See the {o} {p}", "Check the {o} {p}", "Look at the {o} {p}",
    "Scroll up to the {o} {p}", "Scroll down to the {o} {p}", "Go back to the {o} {p}",
    "Reply to the {o} {p}", "Replying to the {o} {p}", "About the {o} {p}",
    "Read the {s} again", "Read the whole {s}", "Read the {s} first", "Check the {s}",
    "Re-read the {s}", "Look at the end of the {s}", "Quoting the {s}",
    "As the {o} {p} says", "Like the {o} {p} said", "Same as my {o} {p}",
)  # fmt: skip
FRIENDLY_TAILS = (
    "it explains everything", "thanks", "it has the link",
    "the numbers are there", "worth a look", "good point", "same here", "it covers the timetable",
    "you'll find the answer", "it answers your question", "the quote is in there",
    "that settles it", "the date is in the second paragraph", "it makes the same point",
    "I think you will like it", "it has the source", "the map is at the bottom",
    "then tell me what you think", "it was updated this morning", "well said",
)  # fmt: skip
THREAD_NOTES = (
    "{O} {p} here, hello everyone.", "{O} {p} on this {s}, so here goes.",
    "{O}-time commenter, long-time reader.", "Just read the {s}.", "Reading the {p}s now.",
    "A {p} while I read the {s}.", "{O} {p}!", "My {o} {p} was about the budget.",
    "New {p} arriving as you read.", "Another {p} on the {s}, sorry for the flood.",
    "Still reading the {s}, back with a {p} later.", "Posting my {o} {p} from the train.",
)  # fmt: skip


def _discussion(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(320):
        o, p, s = rng.choice(ORDINALS), rng.choice(POSTS), rng.choice(SOURCES)
        pointer = rng.choice(POINTERS).format(o=o, p=p, s=s)
        yield f"{pointer}, {rng.choice(FRIENDLY_TAILS)}.", 0
        yield rng.choice(THREAD_NOTES).format(o=o, O=_cap(o), p=p, s=s), 0
        if rng.random() < 0.5:
            insult = f"you {rng.choice(INSULT_ADJ)} {rng.choice(INSULT_NOUN)}"
            yield f"{pointer}, {insult}.", 1


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _identity(rng: random.Random) -> Iterator[tuple[str, int]]:
    for g in GROUPS:
        for attack in rng.sample(GROUP_ATTACKS, 3):
            yield _cap(attack.format(g=g)), 1
        for s in rng.sample(SMEARS, 10):
            claim = f"{g} are {s}"
            yield _cap(claim) + ".", 1
            yield rng.choice(CONDEMN).format(c=claim), 0
            yield _cap(rng.choice(NEGATE).format(g=g, s=s)), 0
        for t in rng.sample(NEUTRAL, 4):
            yield _cap(t.format(g=g)), 0
    for w in REPORTED_SLURS:
        for frame in rng.sample(SLUR_REPORTS, 2):
            yield frame.format(w=w), 0


def _profanity(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(220):
        swear, adj = rng.choice(SWEARS), rng.choice(SWEAR_ADJ)
        thing, mishap = rng.choice(THINGS), rng.choice(MISHAPS)
        yield f"{_cap(swear)}, the {thing} {mishap}.", 0
        yield f"The {adj} {thing} {mishap}.", 0
        yield f"{_cap(swear)} yes, {rng.choice(HAPPY)}!", 0
        yield f"I'm so {adj} happy that {rng.choice(HAPPY)}.", 0
        person, noun = rng.choice(PEOPLE), rng.choice(INSULT_NOUN)
        verb = "are" if person == "you" else "is"
        yield f"{_cap(person)} {verb} a {adj} {noun}.", 1


def _things(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(220):
        adj, plan = rng.choice(INSULT_ADJ), rng.choice(PLANS)
        for frame in rng.sample(THING_FRAMES, 2):
            yield frame.format(p=plan, a=adj), 0
        person = rng.choice(PEOPLE)
        verb = "are" if person == "you" else "is"
        yield f"{_cap(person)} {verb} {adj}.", 1
        yield f"{_cap(person)} {verb} a {rng.choice(INSULT_NOUN)}.", 1


def _violence(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(260):
        v, t = rng.choice(VIOLENCE), rng.choice(TARGETS)
        yield rng.choice(THREAT_FRAMES).format(v=v, t=t), 1
        yield rng.choice(REPORTED).format(v=v), 0


def _harassment(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(200):
        n = rng.choice(NAMES)
        yield rng.choice(HARASS).format(x=rng.choice(HARASS_X), n=n), 1
        yield rng.choice(SUPPORT).format(n=n), 0


def _idioms(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(200):
        yield rng.choice(IDIOMS).format(w=rng.choice(IDIOM_W), a=rng.choice(IDIOM_A)), 0


def authored_examples(seed: int = 7) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    rows = [
        *_identity(rng),
        *_profanity(rng),
        *_things(rng),
        *_violence(rng),
        *_harassment(rng),
        *_idioms(rng),
        *_discussion(rng),
    ]
    # the random draws repeat some sentences; keep the first of each
    return list(dict.fromkeys(rows))
