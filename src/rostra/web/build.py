"""Minify the widget for readers: `python -m rostra.web.build`.

`embed.js` and `embed.css` are the readable sources; readers download
`embed.min.js` and `embed.min.css` (served as `/embed.js` and `/embed.css`),
and `extras.min.js` (`/extras.js`): signing in and reporting, which the
widget fetches only when a reader needs them.
The built files are committed, so an installed package needs no build step;
`tests/web/test_assets.py` fails when they are out of date.

Run with `--check` to only compare. The minifiers (`rjsmin`, `rcssmin`) are
development tools from the `test` extra; the server never imports this module.
"""

import re
import sys
from pathlib import Path

STATIC = Path(__file__).parent / "static"
# Short: every byte here is downloaded by every reader.
BANNER = "/* Rostra (AGPL-3.0-or-later), built from {source} */\n"
# built file -> its source
BUILDS = {
    "embed.min.js": "embed.js",
    "embed.min.css": "embed.css",
    "extras.min.js": "extras.js",
}


# A zero before a decimal point that starts a number ("0.5rem", not "10.5" or "#00.").
_LEADING_ZERO = re.compile(r"(?<![\w.#-])0\.(?=\d)")


def minify(name: str, text: str) -> str:
    """The built text of one source file."""
    if name.endswith(".js"):
        import rjsmin

        body = rjsmin.jsmin(text)
    else:
        import rcssmin

        # rcssmin keeps the zero of "0.5rem"; every byte here is downloaded by every reader.
        body = _LEADING_ZERO.sub(".", rcssmin.cssmin(text))
    return BANNER.format(source=name) + body.strip() + "\n"


def built(static: Path = STATIC) -> dict[str, str]:
    """What each built file should hold, from the sources as they are now."""
    return {
        target: minify(source, (static / source).read_text(encoding="utf-8"))
        for target, source in BUILDS.items()
    }


def stale(static: Path = STATIC) -> list[str]:
    """The built files that differ from a fresh build."""
    return [
        target
        for target, text in built(static).items()
        if not (static / target).exists() or (static / target).read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        out_of_date = stale()
        for target in out_of_date:
            print(f"{target} is out of date: run python -m rostra.web.build")
        return 1 if out_of_date else 0
    if args:
        print("usage: python -m rostra.web.build [--check]", file=sys.stderr)
        return 2
    for target, text in built().items():
        (STATIC / target).write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
