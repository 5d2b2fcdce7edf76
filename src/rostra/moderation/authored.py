"""Hand-written training sentences for what the public corpora under-represent.

The corpora rarely show swearing at nobody, condemnation that quotes the hate it
condemns, or negated stereotypes, so a bag-of-n-grams model learns "swear word
or group name = abuse". These templates come in contrasting pairs (the bare
attack labelled 1, the same words framed as condemnation, negation or aimed at
a thing labelled 0), which pushes weight onto the framing words instead.

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
)  # fmt: skip

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
)  # fmt: skip
MISHAPS = (
    "broke down again", "is late again", "ruined my morning", "cost me a fortune",
    "kept me up all night", "stopped working", "is driving me crazy", "made me miss the meeting",
)  # fmt: skip
HAPPY = (
    "our team won the final", "the bakery reopened", "I passed my exam", "the bridge is finally open",
    "my daughter got the scholarship", "the festival was a success", "the rain finally stopped",
)  # fmt: skip

INSULT_ADJ = ("stupid", "idiotic", "pathetic", "moronic", "useless", "dumb", "ridiculous", "lame")
INSULT_NOUN = (
    "idiot", "moron", "loser", "clown", "fool", "imbecile", "jerk", "coward", "hack", "dope",
    "airhead", "simpleton", "nincompoop", "dunce", "blockhead", "creep",
)  # fmt: skip
PLANS = (
    "plan", "bylaw", "zoning rule", "headline", "timetable", "design", "proposal", "policy",
    "update", "decision", "layout", "budget", "ruling", "redesign", "website",
)  # fmt: skip
PEOPLE = ("you", "the councillor", "the reporter", "your husband", "the commenter above", "he")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _identity(rng: random.Random) -> Iterator[tuple[str, int]]:
    for g in GROUPS:
        for s in rng.sample(SMEARS, 6):
            claim = f"{g} are {s}"
            yield _cap(claim) + ".", 1
            yield rng.choice(CONDEMN).format(c=claim), 0
            yield _cap(rng.choice(NEGATE).format(g=g, s=s)), 0
        for t in rng.sample(NEUTRAL, 4):
            yield _cap(t.format(g=g)), 0


def _profanity(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(220):
        swear, adj = rng.choice(SWEARS), rng.choice(SWEAR_ADJ)
        thing, mishap = rng.choice(THINGS), rng.choice(MISHAPS)
        yield f"{_cap(swear)}, the {thing} {mishap}.", 0
        yield f"The {adj} {thing} {mishap}.", 0
        yield f"{_cap(swear)} yes, {rng.choice(HAPPY)}!", 0
        person, noun = rng.choice(PEOPLE), rng.choice(INSULT_NOUN)
        verb = "are" if person == "you" else "is"
        yield f"{_cap(person)} {verb} a {adj} {noun}.", 1


def _things(rng: random.Random) -> Iterator[tuple[str, int]]:
    for _ in range(220):
        adj, plan = rng.choice(INSULT_ADJ), rng.choice(PLANS)
        yield f"The {plan} is {adj}.", 0
        yield f"What a {adj} {plan}, honestly.", 0
        person = rng.choice(PEOPLE)
        verb = "are" if person == "you" else "is"
        yield f"{_cap(person)} {verb} {adj}.", 1
        yield f"{_cap(person)} {verb} a {rng.choice(INSULT_NOUN)}.", 1


def authored_examples(seed: int = 7) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    rows = [*_identity(rng), *_profanity(rng), *_things(rng)]
    # the random draws repeat some sentences; keep the first of each
    return list(dict.fromkeys(rows))
