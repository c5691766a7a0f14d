"""Change points in a mean series (a dyad's weekly mean Goldstein score): binary segmentation.

Model: the series is piecewise constant plus noise. Binary segmentation (Scott & Knott 1974)
splits a segment where the split removes the most squared error, ``n1 n2 / n (m1 - m2)^2``,
if that saving exceeds a penalty, and recurses on both halves. The penalty is
``penalty * sigma^2 * log n`` (``penalty`` 1 is the Schwarz criterion for one new mean; the
default 3 is the modified BIC of Zhang & Siegmund 2007, which also pays for the split's
position), with sigma the noise level estimated robustly from the median absolute first
difference (a level shift moves one difference only, so the estimate ignores the breaks it
looks for). A segment has at least ``min_size`` points. Exact for a single break, O(n log n).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

MAD_TO_SIGMA = 1.4826  # the median absolute deviation of a normal variable is 0.6745 sigma


@dataclass(frozen=True)
class Segment:
    start: int  # index of the first point
    end: int  # index after the last point
    mean: float


def noise_sigma(x: np.ndarray) -> float:
    """The noise level: the MAD of first differences, over sqrt 2 (a difference of two
    independent points has twice the variance of one)."""
    if len(x) < 3:
        return float(np.std(x))
    d = np.diff(x)
    return float(MAD_TO_SIGMA * np.median(np.abs(d - np.median(d))) / np.sqrt(2))


def _best_split(csum: np.ndarray, a: int, b: int, min_size: int) -> tuple[int, float]:
    """The split of x[a:b] saving the most squared error, and the saving (-1 when none)."""
    n = b - a
    if n < 2 * min_size:
        return -1, -1.0
    ks = np.arange(a + min_size, b - min_size + 1)
    n1, n2 = ks - a, b - ks
    m1 = (csum[ks] - csum[a]) / n1
    m2 = (csum[b] - csum[ks]) / n2
    gain = n1 * n2 / n * (m1 - m2) ** 2
    i = int(np.argmax(gain))
    return int(ks[i]), float(gain[i])


def breaks(x, *, penalty: float = 3.0, min_size: int = 4, sigma: float | None = None) -> list[int]:
    """Indices where a new segment starts (sorted; empty when the series is one segment)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 2 * min_size:
        return []
    sigma = noise_sigma(x) if sigma is None else sigma
    threshold = penalty * max(sigma, 1e-9) ** 2 * np.log(n)
    csum = np.concatenate([[0.0], np.cumsum(x)])
    found, todo = [], [(0, n)]
    while todo:
        a, b = todo.pop()
        k, gain = _best_split(csum, a, b, min_size)
        if k >= 0 and gain > threshold:
            found.append(k)
            todo += [(a, k), (k, b)]
    return sorted(found)


def segments(x, **options: float) -> list[Segment]:
    """The segments between the breaks, with their means."""
    x = np.asarray(x, dtype=float)
    cuts = [0, *breaks(x, **options), len(x)]
    return [Segment(a, b, float(x[a:b].mean())) for a, b in itertools.pairwise(cuts) if b > a]
