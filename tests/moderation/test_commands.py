from __future__ import annotations

import json

from click.testing import CliRunner

from rostra.moderation.commands import moderation

TOXIC = "You are a pathetic idiot and a liar."
CIVIL = "Thank you for covering the school board meeting."


def _run(stdin: str, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(moderation, ["score", *args], input=stdin)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def test_plain_lines_keep_order() -> None:
    code, rows = _run(f"{TOXIC}\n{CIVIL}\n{TOXIC}\n")
    assert code == 0
    assert [r["verdict"] != "publish" for r in rows] == [True, False, True]
    assert all(0 <= r["score"] <= 1 for r in rows)


def test_json_lines_echo_ids() -> None:
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate([CIVIL, TOXIC, CIVIL])]
    code, rows = _run("\n".join(lines) + "\n")
    assert code == 0
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert [r["verdict"] for r in rows][0] == "publish"
    assert rows[1]["verdict"] in ("hold", "reject")


def test_bad_lines_get_error_records_in_place() -> None:
    stdin = "\n".join([CIVIL, '{"text": "unterminated', '{"body": "no text"}', "", TOXIC]) + "\n"
    code, rows = _run(stdin)
    assert code == 1
    assert len(rows) == 5
    assert rows[0]["verdict"] == "publish"
    assert rows[1]["line"] == 2 and "malformed JSON" in rows[1]["error"]
    assert rows[2]["line"] == 3 and "text" in rows[2]["error"]
    assert rows[3] == {"line": 4, "error": "empty line"}
    assert rows[4]["verdict"] != "publish"


def test_thresholds_decide_the_verdict() -> None:
    _, rows = _run(f"{CIVIL}\n", "--hold", "0", "--reject", "0")
    assert rows[0]["verdict"] == "reject"
    _, rows = _run(f"{TOXIC}\n", "--hold", "1", "--reject", "1")
    assert rows[0]["verdict"] == "publish"


def test_reject_below_hold_is_refused() -> None:
    result = CliRunner().invoke(moderation, ["score", "--hold", "0.9", "--reject", "0.1"], input="")
    assert result.exit_code == 2


def test_many_lines_stream_in_batches() -> None:
    texts = [CIVIL if k % 3 else TOXIC for k in range(700)]
    code, rows = _run("\n".join(texts) + "\n")
    assert code == 0
    assert len(rows) == 700
    assert [r["verdict"] != "publish" for r in rows] == [k % 3 == 0 for k in range(700)]


def test_lines_that_are_not_text_get_error_records_and_scoring_goes_on() -> None:
    stdin = b"\n".join(
        [
            CIVIL.encode(),
            b"caf\xe9 in Latin-1, not UTF-8",
            b'{"text": "half a pair \\ud800"}',
            TOXIC.encode(),
        ]
    )
    result = CliRunner().invoke(moderation, ["score"], input=stdin + b"\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert rows[0]["verdict"] == "publish"
    assert rows[1] == {"line": 2, "error": "the line is not UTF-8 text"}
    assert rows[2]["line"] == 3 and "surrogate" in rows[2]["error"]
    assert rows[3]["verdict"] != "publish"


def test_workers_give_the_same_lines_in_the_same_order_as_one_process() -> None:
    # Three batches and a part, bad lines among them, scored across processes.
    texts = [f"{CIVIL} Item {k}." if k % 4 else f"{TOXIC} Number {k}!" for k in range(1_700)]
    texts[5], texts[1_100] = '{"text": 3}', ""
    stdin = "\n".join(texts) + "\n"
    one = CliRunner().invoke(moderation, ["score", "--workers", "1"], input=stdin)
    several = CliRunner().invoke(moderation, ["score", "--workers", "3"], input=stdin)
    assert one.exit_code == several.exit_code == 1
    assert several.stdout == one.stdout
    rows = [json.loads(line) for line in several.stdout.splitlines()]
    assert len(rows) == 1_700 and rows[5]["line"] == 6 and rows[1_100]["line"] == 1_101
    assert [r["verdict"] != "publish" for r in rows[:5]] == [True, False, False, False, True]
