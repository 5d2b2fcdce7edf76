"""The Civil Comments labels, and the second opinions that show how far people agree on them."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from rostra.moderation.datasets import TEST, civil_second_opinions, read_civil_spans, split_for
from rostra.moderation.evaluate import System, report_agreement


def _write_civil(root: Path, posts: dict[str, tuple[str, list[bool]]]) -> Path:
    """posts: comment id -> (text, each annotator's "not toxic" vote)."""
    folder = root / "civil_comments_toxic_spans"
    folder.mkdir(parents=True)
    with gzip.open(folder / "comments.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["comment_id", "comment_text"])
        writer.writerows((cid, text) for cid, (text, _) in posts.items())
    with gzip.open(folder / "annotations.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["annotation", "comment_id", "worker", "country", "all toxic", "not toxic"])
        number = 0
        for cid, (_, votes) in posts.items():
            for vote in votes:
                writer.writerow([number, cid, number, "USA", "False", str(vote)])
                number += 1
    return root


def test_a_civil_post_is_toxic_when_most_annotators_say_so_and_a_tie_is_dropped(tmp_path) -> None:
    root = _write_civil(
        tmp_path,
        {
            "1": ("You absolute clown.", [False, False, True]),
            "2": ("The budget vote is on Monday.", [True, True, False]),
            "3": ("Split down the middle.", [True, False]),
        },
    )
    labels = {ex.text: ex.label for ex in read_civil_spans(root)}
    assert labels == {"You absolute clown.": 1, "The budget vote is on Monday.": 0}


def test_second_opinions_set_the_first_three_annotators_against_the_rest(tmp_path) -> None:
    root = _write_civil(
        tmp_path,
        {
            # Two of the first three found it toxic; one of the other four did.
            "10": ("Seven people read this.", [False, False, True, True, True, False, True]),
            "11": ("Only four people read this.", [False, True, True, False]),
        },
    )
    (opinion,) = civil_second_opinions(root)
    assert opinion.text == "Seven people read this."
    assert opinion.label == 1
    assert opinion.others_toxic == 0.25
    assert opinion.split == split_for("civil:10")


def test_the_agreement_report_scores_the_other_annotators_beside_each_system(
    tmp_path, capsys
) -> None:
    held_out = [str(n) for n in range(1000, 5000) if split_for(f"civil:{n}") == TEST][:6]
    posts = {}
    for k, cid in enumerate(held_out):
        toxic = k % 2 == 0
        # The later annotators agree with the first three on every post.
        posts[cid] = (f"post {cid}", [not toxic] * 7)
    root = _write_civil(tmp_path, posts)
    undecided = System("undecided", lambda texts: [0.5] * len(texts), lambda text: 0.5, {})
    report_agreement([undecided], root)
    out = capsys.readouterr().out
    assert "6 held-out posts, 3 toxic" in out
    rows = {line.rsplit(None, 1)[0]: line.rsplit(None, 1)[1] for line in out.splitlines()[3:5]}
    assert rows == {"other annotators (share saying toxic)": "1.000", "undecided": "0.500"}
