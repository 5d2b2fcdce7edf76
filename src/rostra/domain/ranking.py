"""Ordering of comments by votes."""

import math

# z for a 95% two-sided confidence interval: the usual choice for "best" ordering.
_Z = 1.959963984540054


def wilson_lower_bound(upvotes: int, downvotes: int) -> float:
    """Lower bound of the Wilson score interval for the share of upvotes.

    A comment with 5 up and 0 down ranks below one with 100 up and 5 down,
    because we are less sure of the first; the raw difference gets that wrong.
    """
    total = upvotes + downvotes
    if total <= 0:
        return 0.0
    share = upvotes / total
    z2 = _Z * _Z
    centre = share + z2 / (2 * total)
    spread = _Z * math.sqrt((share * (1 - share) + z2 / (4 * total)) / total)
    return (centre - spread) / (1 + z2 / total)
