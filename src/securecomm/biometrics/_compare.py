"""One-to-one comparison: the public ``compare`` over the private matcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

from securecomm.biometrics._descriptors import features_of, second_features_of
from securecomm.biometrics._knobs import knobs
from securecomm.biometrics._match import match, match_score
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._template import Template

DEFAULT_PARAMETERS = MatchParameters()


@dataclass(frozen=True)
class Comparison:
    """A score with the minutiae it rests on: ``pairs`` are (row in a, row in b)."""

    score: float
    pairs: list[tuple[int, int]]


@overload
def compare(
    a: Template,
    b: Template,
    *,
    params: MatchParameters | None = None,
    explain: Literal[False] = False,
) -> float: ...


@overload
def compare(
    a: Template, b: Template, *, params: MatchParameters | None = None, explain: Literal[True]
) -> Comparison: ...


def compare(
    a: Template, b: Template, *, params: MatchParameters | None = None, explain: bool = False
) -> float | Comparison:
    """Similarity of two fingers in [0, 100]: 100 * e^2 / (overlapping a * overlapping b),
    ``e`` the paired minutiae weighted by local similarity and closeness (see ``_match``).
    Where both templates carry a second minutiae set (the skeleton finder's, from an
    image), the score is the mean of that and the same score of the second sets paired
    under the first sets' alignment (``second_set_weight``); the pairs are the first's.

    Synthetic impressions: impostors score below 6 (median 0.9), mated fingers 25-100
    (median 66). Real prints: ``securecomm biometrics evaluate`` measures them. With
    ``explain=True`` the one-to-one pairs of minutiae behind the score come back too,
    for examiners.
    """
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, Template):
            raise TypeError(f"{name} must be a Template, got {type(value).__name__}")
    chosen = params if params is not None else DEFAULT_PARAMETERS
    features = (features_of(a, chosen), features_of(b, chosen))
    seconds = (second_features_of(a, chosen), second_features_of(b, chosen))
    if not explain:
        return match_score(*features, knobs(chosen), *seconds)
    score, pairs = match(*features, knobs(chosen), *seconds)
    return Comparison(score, [(int(i), int(p)) for i, p in pairs])
