"""Ground truth that follows from a person's history: removability and what an
immigration judge would decide."""

from __future__ import annotations

from collections.abc import Iterable

from securecomm.domain import CourtOutcome
from securecomm.simulation._draw import Draw
from securecomm.simulation._offences import makes_deportable
from securecomm.simulation.world import PersonKind

# Out of status whatever their record: removable on immigration grounds alone.
_REMOVABLE_BY_STATUS = frozenset(
    {
        PersonKind.OVERSTAY,
        PersonKind.EWI,
        PersonKind.REMOVED_REENTERED,
        PersonKind.FINAL_ORDER,
        PersonKind.IN_PROCEEDINGS,
    }
)
# Lawfully present: removable only after a deportable conviction.
_REMOVABLE_BY_CONVICTION = frozenset({PersonKind.LPR, PersonKind.OTHER_LAWFUL})

_O = CourtOutcome
_Choices = tuple[tuple[CourtOutcome, ...], tuple[float, ...]]
# (outcomes, weights) a judge reaches, by the person's situation.
_OUTCOMES_LAWFUL_NOT_REMOVABLE: _Choices = (
    (_O.PROCEEDINGS_TERMINATED, _O.RELIEF_GRANTED),
    (0.6, 0.4),
)
_OUTCOMES_LAWFUL_CONVICTED: _Choices = (
    (_O.REMOVED, _O.RELIEF_GRANTED, _O.RELEASED_ON_BOND),
    (0.55, 0.3, 0.15),
)
_OUTCOMES_PRIOR_ORDER: _Choices = (
    (_O.REMOVED, _O.RELIEF_GRANTED, _O.RELEASED_ON_BOND),
    (0.9, 0.05, 0.05),
)
_OUTCOMES_OUT_OF_STATUS: _Choices = (
    (
        _O.REMOVED,
        _O.VOLUNTARY_RETURN,
        _O.RELEASED_ON_BOND,
        _O.RELIEF_GRANTED,
        _O.PROCEEDINGS_TERMINATED,
    ),
    (0.58, 0.2, 0.1, 0.1, 0.02),
)


def is_removable(kind: PersonKind, convictions: Iterable[tuple[str, int | None]]) -> bool:
    """Removable by the world's end. ``convictions`` are the NCIC code and custodial
    sentence of every conviction in the person's history, before and during the world's
    range.

    Citizens never are; a person whose records cannot establish a status
    (INSUFFICIENT_RECORD) is not treated as removable either.
    """
    if kind in _REMOVABLE_BY_STATUS:
        return True
    if kind in _REMOVABLE_BY_CONVICTION:
        return any(makes_deportable(code, sentence) for code, sentence in convictions)
    return False


def court_outcome(kind: PersonKind, *, citizen: bool, removable: bool, draw: Draw) -> CourtOutcome:
    """What an immigration judge decides if the person is put before one.

    A citizen's case is always terminated; nobody who is not removable is removed.
    """
    if citizen:
        return CourtOutcome.PROCEEDINGS_TERMINATED
    if not removable:
        outcomes, weights = _OUTCOMES_LAWFUL_NOT_REMOVABLE
    elif kind in _REMOVABLE_BY_CONVICTION:
        outcomes, weights = _OUTCOMES_LAWFUL_CONVICTED
    elif kind in (PersonKind.REMOVED_REENTERED, PersonKind.FINAL_ORDER):
        outcomes, weights = _OUTCOMES_PRIOR_ORDER
    else:
        outcomes, weights = _OUTCOMES_OUT_OF_STATUS
    return draw.weighted(outcomes, weights)
