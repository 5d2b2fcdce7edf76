"""When two display names look the same to a reader.

A verified reader's name is reserved on their site, so nobody else can post as
"Anna Berg" by writing "Аnna Berg" with a Cyrillic А, "anna berg", "Anna Bérg",
"Anna\u200bBerg" or "AnnaBerg". Each name is folded to a key that is the same
for all of those; two names with the same key are taken to be the same name.
The folding follows the idea of Unicode's confusable skeletons (UTS #39),
with a table of the lookalikes that matter for names written in Latin script.
"""

import re
import unicodedata

# Letters from other scripts, digits and symbols that pass for Latin letters.
# Upper-case forms are listed where they differ from the lower-case ones
# (Cyrillic Н looks like H, its lower case н does not look like h).
_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "А": "a", "а": "a", "В": "b", "в": "b", "Е": "e", "е": "e", "ё": "e", "К": "k", "к": "k",
    "М": "m", "м": "m", "Н": "h", "О": "o", "о": "o", "Р": "p", "р": "p", "С": "c", "с": "c",
    "Т": "t", "т": "t", "У": "y", "у": "y", "Х": "x", "х": "x", "Ѕ": "s", "ѕ": "s",
    "І": "l", "і": "l", "Ї": "l", "ї": "l", "Ј": "j", "ј": "j", "һ": "h", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "Ԝ": "w", "ӏ": "l", "Ӏ": "l", "ь": "b", "г": "r", "п": "n",
    # Greek
    "Α": "a", "α": "a", "Β": "b", "β": "b", "Ε": "e", "ε": "e", "Ζ": "z", "Η": "h",
    "Ι": "l", "ι": "l", "Κ": "k", "κ": "k", "Μ": "m", "Ν": "n", "ν": "v", "Ο": "o",
    "ο": "o", "Ρ": "p", "ρ": "p", "Τ": "t", "τ": "t", "Υ": "y", "υ": "u", "Χ": "x",
    "χ": "x", "ϲ": "c", "Ϲ": "c",
    # Armenian and Cherokee letters seen in spoofed names
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "Ꭺ": "a", "Ꭼ": "e", "Ꮋ": "h", "Ꮃ": "w",
    # Latin letters and symbols that stand in for others. Capital I, small l,
    # the digit 1 and the bar are one shape in many fonts, so they share a key
    # (with small i, so that "Ian" and "ian" still match).
    "i": "l", "|": "l", "1": "l", "ı": "l", "ɩ": "l", "ℓ": "l", "0": "o",
    "$": "s", "@": "a", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
}  # fmt: skip

# Letter pairs that read as one letter in most fonts.
_DIGRAPHS = (("rn", "m"), ("vv", "w"), ("cl", "d"))

# Spaces, separators and punctuation do not make a name different:
# "Anna Berg", "Anna_Berg" and "Anna.Berg" are one name.
_SEPARATORS = re.compile(r"[\s\W_]+", re.UNICODE)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_invisible(ch: str) -> bool:
    # Format characters (zero-width joiners, bidi controls) and variation
    # selectors change nothing a reader sees.
    return unicodedata.category(ch) in ("Cf", "Mn", "Me") or "\ufe00" <= ch <= "\ufe0f"


def name_key(name: str) -> str:
    """The key of what `name` looks like: equal keys mean lookalike names."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not _is_invisible(ch))
    text = "".join(_LOOKALIKES.get(ch, ch) for ch in text)
    text = _strip_marks(text).casefold()
    text = "".join(_LOOKALIKES.get(ch, ch) for ch in text)
    text = _SEPARATORS.sub("", text)
    for pair, single in _DIGRAPHS:
        text = text.replace(pair, single)
    # Names made only of symbols or emoji have nothing left: keep them as they are.
    return text[:64] or unicodedata.normalize("NFC", name).strip()[:64]
