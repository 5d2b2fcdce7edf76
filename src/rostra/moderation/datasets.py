"""Readers for the labelled corpora under ``shared/data/moderation``.

Every reader maps its corpus onto one binary question, "would a news-site
moderator want to see this before it goes out?", and assigns each row to a
fixed split. Splits come from a hash of a stable row key, never from the row
order or a random generator's state, so they are identical on every machine.

TRAINED_ON are permissively licensed (MIT, Apache-2.0, CC0) and go into the
shipped model. EVALUATION_ONLY are read only to measure the model: ETHOS is
GPL-3.0 and the Stormfront set is CC BY-SA 3.0 ES, and a model derived from
them might have to carry those terms; the Jigsaw sample is 100 rows.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

TRAIN, VALID, TEST = "train", "valid", "test"

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
_RETWEET = re.compile(r"\bRT\b\s*:?")


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 1 = a moderator should see it
    dataset: str
    split: str


def split_for(key: str, test_share: int = 10, valid_share: int = 10) -> str:
    bucket = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % 100
    if bucket < test_share:
        return TEST
    if bucket < test_share + valid_share:
        return VALID
    return TRAIN


def _clean_social(text: str) -> str:
    """Strip Twitter/Gab furniture that a news-site comment never has, so the
    model does not learn handles or retweet markers as signals."""
    text = html.unescape(html.unescape(text))
    text = _RETWEET.sub("", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return text.replace("<user>", " ").replace("<number>", " 7 ").strip()


def read_davidson(root: Path) -> Iterator[Example]:
    with open(root / "davidson2017" / "labeled_data.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            # hate (0) and offensive (1) are both things a moderator reviews
            label = 1 if row["class"] in ("0", "1") else 0
            key = "davidson2017:" + row[""]
            yield Example(_clean_social(row["tweet"]), label, "davidson2017", split_for(key))


def read_hatexplain(root: Path) -> Iterator[Example]:
    # The folder's own split puts 85% hateful posts in train and 73% normal
    # ones in valid/test; pooling the three files and re-splitting by text
    # gives every split the same mix and keeps duplicates together.
    for name in ("train.tsv", "valid.tsv", "test.tsv"):
        path = root / "hatexplain_lfr" / name
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                label = 0 if row["label"] == "normal" else 1
                key = "hatexplain:" + row["text"]
                yield Example(_clean_social(row["text"]), label, "hatexplain", split_for(key))


def read_toxigen(root: Path) -> Iterator[Example]:
    path = root / "toxigen_demonstrations" / "toxigen_demonstrations.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            label = 1 if row["label"] == "hate" else 0
            key = "toxigen:" + row["text"]
            yield Example(row["text"], label, "toxigen", split_for(key, 20, 15))


def _civil_ballots(root: Path) -> Iterator[tuple[str, str, list[bool]]]:
    """(comment id, text, each annotator's "not toxic" vote in file order) per post."""
    folder = root / "civil_comments_toxic_spans"
    votes: dict[str, list[bool]] = defaultdict(list)
    with gzip.open(folder / "annotations.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            votes[row["comment_id"]].append(row["not toxic"] == "True")
    with gzip.open(folder / "comments.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ballot = votes.get(row["comment_id"])
            if ballot:
                yield row["comment_id"], row["comment_text"], ballot


def read_civil_spans(root: Path) -> Iterator[Example]:
    """Civil Comments posts were all pre-selected as possibly toxic; the
    annotators' "not toxic" votes separate real abuse from hard negatives."""
    for comment_id, text, ballot in _civil_ballots(root):
        civil_share = sum(ballot) / len(ballot)
        if civil_share == 0.5:
            continue
        label = 1 if civil_share < 0.5 else 0
        yield Example(text, label, "civil_comments", split_for("civil:" + comment_id))


@dataclass(frozen=True)
class SecondOpinion:
    """A post labelled as most are (by three annotators), with more annotators' view beside it."""

    text: str
    label: int  # 1 when at least two of the first three annotators found it toxic
    others_toxic: float  # the share of the remaining annotators who found it toxic
    split: str


def civil_second_opinions(root: Path, others: int = 3) -> Iterator[SecondOpinion]:
    """Civil Comments posts with at least 3 + `others` annotators.

    Most posts have three annotators, and their majority is the label the
    model is trained and tested on. Where a post has more, the later
    annotators (in file order) show how well people agree with that label:
    the ceiling a model can be expected to reach on it.
    """
    for comment_id, text, ballot in _civil_ballots(root):
        if len(ballot) < 3 + others:
            continue
        first, rest = ballot[:3], ballot[3:]
        label = 1 if sum(first) < 2 else 0
        toxic_share = 1 - sum(rest) / len(rest)
        yield SecondOpinion(text, label, toxic_share, split_for("civil:" + comment_id))


def read_ethos(root: Path) -> Iterator[Example]:
    path = root / "ethos" / "Ethos_Dataset_Binary.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            label = 1 if float(row["isHate"]) >= 0.5 else 0
            yield Example(row["comment"], label, "ethos", TEST)


def read_stormfront(root: Path) -> Iterator[Example]:
    path = root / "stormfront" / "stormfront_sentences.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["label"] not in ("hate", "noHate"):
                continue
            label = 1 if row["label"] == "hate" else 0
            yield Example(row["text"], label, "stormfront", TEST)


def read_jigsaw_sample(root: Path) -> Iterator[Example]:
    path = root / "jigsaw_toxic_sample100" / "test_examples.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            label = 1 if row["toxic"] == "1" else 0
            yield Example(row["comment_text"], label, "jigsaw_sample", TEST)


Reader = Callable[[Path], Iterator[Example]]

TRAINED_ON: dict[str, Reader] = {
    "davidson2017": read_davidson,
    "hatexplain": read_hatexplain,
    "toxigen": read_toxigen,
    "civil_comments": read_civil_spans,
}
EVALUATION_ONLY: dict[str, Reader] = {
    "ethos": read_ethos,
    "stormfront": read_stormfront,
    "jigsaw_sample": read_jigsaw_sample,
}


def load(root: Path, readers: dict[str, Reader]) -> list[Example]:
    out: list[Example] = []
    for reader in readers.values():
        out.extend(ex for ex in reader(root) if ex.text.strip())
    return out
