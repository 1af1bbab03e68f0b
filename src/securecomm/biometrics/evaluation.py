"""FVC-protocol evaluation of the engine on a folder of fingerprint images.

A dataset is a folder of ``FINGER_IMPRESSION.ext`` images (FVC naming, e.g.
``101_3.png``). Protocol (FVC 2000-2006):

* genuine: every pair of impressions of the same finger, each compared once;
* impostor: every pair of different fingers, each compared once; when that exceeds
  ``max_impostor_pairs`` the FVC rule applies instead: first impression of each finger
  against the first impression of every other finger. :attr:`Evaluation.impostor_rule`
  says which was used.

An impression whose extraction fails counts in the failure-to-extract rate (FTE) and, as
in FVC, every comparison involving it gets the lowest possible score (a genuine pair is
then falsely rejected, an impostor pair correctly rejected).

Beside ours, in the same run and on the same pairs (:mod:`.baselines`): NIST's pipeline
as its users run it (mindtct on the image as captured, then bozorth3), the baseline; and
bozorth3 on our own minutiae, a diagnosis. Where every pair is scored, 1:N rates come
too (:mod:`.identification`: every impression searched against the others). With
``compare_afis``, afis's combinations as well (:mod:`.peers`).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._compare import compare
from securecomm.biometrics._errors import TemplateError
from securecomm.biometrics._extract import ImageError, MinutiaeMethod, extract
from securecomm.biometrics._template import Template
from securecomm.biometrics.baselines import (
    FAILED_SCORE,
    Scorer,
    bozorth3_scorer,
    nist_minutiae,
    to_nbis_minutiae,
)
from securecomm.biometrics.identification import IdentificationRates, identification_rates
from securecomm.biometrics.peers import afis_peers

IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".bmp", ".wsq", ".jp2", ".j2k", ".jpg")
_FVC_NAME = re.compile(r"^(?P<finger>[^_]+)_(?P<impression>\d+)$")
DEFAULT_MAX_IMPOSTOR_PAIRS = 200_000
WEAKEST_GENUINE_SHOWN = 10  # genuine pairs listed in the report, lowest score first


class DatasetError(TemplateError):
    """A dataset folder that cannot be evaluated (missing, empty, misnamed)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__("dataset", "fvc_layout", f"{path}: {reason}")


@dataclass(frozen=True)
class Impression:
    finger: str
    impression: int
    path: Path


@dataclass(frozen=True)
class ErrorRates:
    """Error rates of one matcher, as fractions (0.012 = 1.2 %)."""

    eer: float
    fmr100: float  # lowest FNMR with FMR <= 1 %
    fmr1000: float  # lowest FNMR with FMR <= 0.1 %
    zero_fmr: float  # lowest FNMR with no false match at all


@dataclass(frozen=True)
class MatcherResult:
    name: str
    rates: ErrorRates
    comparisons_per_second: float
    genuine: npt.NDArray[np.float64] = field(repr=False)
    impostor: npt.NDArray[np.float64] = field(repr=False)
    identification: IdentificationRates | None = None  # 1:N, where every pair was scored
    fte: float = 0.0  # this matcher's extractor's failures to extract
    # a peer's own extraction time (ours is Evaluation.extraction_seconds_per_image)
    extraction_seconds_per_image: float | None = None

    def as_dict(self, fte: float | None = None) -> dict[str, Any]:
        found: dict[str, Any] = {
            "eer": self.rates.eer,
            "fmr100": self.rates.fmr100,
            "fmr1000": self.rates.fmr1000,
            "zero_fmr": self.rates.zero_fmr,
            "fte": self.fte if fte is None else fte,
            "comparisons_per_second": self.comparisons_per_second,
        }
        if self.identification is not None:
            found["identification"] = self.identification.as_dict()
        if self.extraction_seconds_per_image is not None:
            found["extraction_seconds_per_image"] = self.extraction_seconds_per_image
        return found


@dataclass(frozen=True)
class WeakPair:
    """A genuine pair and our score for it (None when an extraction failed)."""

    first: str
    second: str
    score: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"first": self.first, "second": self.second, "score": self.score}


@dataclass(frozen=True)
class Evaluation:
    dataset: Path
    images: int
    failures: dict[str, str]  # image name -> why extraction failed
    genuine_pairs: int
    impostor_pairs: int
    impostor_rule: str  # "all pairs of different fingers" or the FVC first-impression rule
    ours: MatcherResult
    bozorth3: MatcherResult  # bozorth3 on our minutiae (diagnosis)
    extraction_seconds_per_image: float
    # image names of each genuine pair, in the order of ``ours.genuine``
    genuine_names: tuple[tuple[str, str], ...] = ()
    minutiae: MinutiaeMethod = "mindtct"  # the finder run on the filtered images
    nist: MatcherResult | None = None  # mindtct on the images as captured, then bozorth3
    peers: tuple[MatcherResult, ...] = ()  # afis's combinations, with --compare-afis
    peers_unavailable: dict[str, str] = field(default_factory=dict)  # name -> why not run

    @property
    def fte(self) -> float:
        return len(self.failures) / self.images if self.images else 0.0

    def weakest_genuine(self, count: int = WEAKEST_GENUINE_SHOWN) -> list[WeakPair]:
        """The ``count`` lowest-scoring genuine pairs of our matcher, lowest first: the
        false non-matches behind the EER, named so they can be looked at."""
        if len(self.genuine_names) != self.ours.genuine.size:
            return []
        order = np.argsort(self.ours.genuine, kind="stable")[: max(count, 0)]
        pairs = []
        for k in order:
            first, second = self.genuine_names[k]
            pairs.append(WeakPair(first, second, _finite_or_none(self.ours.genuine[k])))
        return pairs

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = self.ours.as_dict(self.fte)
        result["bozorth3"] = self.bozorth3.as_dict(self.fte)
        if self.nist is not None:
            result["nist"] = self.nist.as_dict()
        if self.peers or self.peers_unavailable:
            result["peers"] = {peer.name: peer.as_dict() for peer in self.peers}
            result["peers_unavailable"] = dict(self.peers_unavailable)
        result.update(
            dataset=str(self.dataset),
            images=self.images,
            failures=dict(self.failures),
            genuine_pairs=self.genuine_pairs,
            impostor_pairs=self.impostor_pairs,
            impostor_rule=self.impostor_rule,
            extraction_seconds_per_image=self.extraction_seconds_per_image,
            minutiae=self.minutiae,
            weakest_genuine=[pair.as_dict() for pair in self.weakest_genuine()],
        )
        return result


def _finite_or_none(score: float) -> float | None:
    """A score for JSON: a failed extraction's -inf becomes None (JSON has no -inf)."""
    return float(score) if math.isfinite(score) else None


def load_dataset(directory: Path) -> list[Impression]:
    """The FVC-named images of ``directory``, sorted by finger then impression."""
    if not directory.is_dir():
        raise DatasetError(directory, "is not a folder")
    found: list[Impression] = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        named = _FVC_NAME.match(path.stem)
        if named is None:
            raise DatasetError(path, "image names must be FINGER_IMPRESSION, e.g. 101_1.png")
        found.append(Impression(named["finger"], int(named["impression"]), path))
    if not found:
        raise DatasetError(directory, f"holds no images ({', '.join(IMAGE_SUFFIXES)})")
    found.sort(key=lambda item: (item.finger, item.impression))
    return found


def genuine_pairs(impressions: Sequence[Impression]) -> list[tuple[int, int]]:
    """Every pair of impressions of the same finger (indices into ``impressions``)."""
    return [
        (i, j)
        for i in range(len(impressions))
        for j in range(i + 1, len(impressions))
        if impressions[i].finger == impressions[j].finger
    ]


def impostor_pairs(
    impressions: Sequence[Impression], max_pairs: int = DEFAULT_MAX_IMPOSTOR_PAIRS
) -> tuple[list[tuple[int, int]], str]:
    """All pairs of different fingers, or FVC's first-impression pairs beyond ``max_pairs``."""
    every = [
        (i, j)
        for i in range(len(impressions))
        for j in range(i + 1, len(impressions))
        if impressions[i].finger != impressions[j].finger
    ]
    if len(every) <= max_pairs:
        return every, "all pairs of different fingers"
    first: dict[str, int] = {}
    for index, item in enumerate(impressions):
        first.setdefault(item.finger, index)
    heads = sorted(first.values())
    pairs = [(a, b) for k, a in enumerate(heads) for b in heads[k + 1 :]]
    return pairs, "FVC rule: first impression of each finger against every other finger's first"


Scores = Sequence[float] | npt.NDArray[np.float64]


def error_rates(genuine: Scores, impostor: Scores) -> ErrorRates:
    """EER, FMR100, FMR1000 and ZeroFMR of higher-is-more-similar scores.

    A comparison is accepted when its score is >= the threshold. EER is where FNMR and
    FMR cross (the mean of the two at the threshold where they are closest, as in FVC).
    """
    gen = np.sort(np.asarray(genuine, dtype=np.float64))
    imp = np.sort(np.asarray(impostor, dtype=np.float64))
    if gen.size == 0 or imp.size == 0:
        raise ValueError("error rates need at least one genuine and one impostor score")
    finite = np.concatenate([gen, imp])
    thresholds = np.unique(finite[np.isfinite(finite)])
    thresholds = np.concatenate([thresholds, [np.inf]])
    # FNMR(t): genuine below t; FMR(t): impostors at or above t
    fnmr = np.searchsorted(gen, thresholds, side="left") / gen.size
    fmr = 1.0 - np.searchsorted(imp, thresholds, side="left") / imp.size
    gap = np.abs(fnmr - fmr)
    closest = int(np.argmin(gap))
    eer = float((fnmr[closest] + fmr[closest]) / 2.0)
    return ErrorRates(
        eer=eer,
        fmr100=_fnmr_at(fnmr, fmr, 0.01),
        fmr1000=_fnmr_at(fnmr, fmr, 0.001),
        zero_fmr=_fnmr_at(fnmr, fmr, 0.0),
    )


def _fnmr_at(fnmr: npt.NDArray[np.float64], fmr: npt.NDArray[np.float64], limit: float) -> float:
    allowed = fmr <= limit + 1e-12
    return float(fnmr[allowed].min())  # the +inf threshold always qualifies (FMR 0)


def evaluate(
    directory: Path,
    *,
    max_impostor_pairs: int = DEFAULT_MAX_IMPOSTOR_PAIRS,
    progress: Callable[[str], None] | None = None,
    minutiae: MinutiaeMethod = "mindtct",
    compare_afis: bool = False,
) -> Evaluation:
    """Extract every image once, then score the protocol's pairs with every matcher:
    ours, NIST's pipeline, bozorth3 on our minutiae and, with ``compare_afis``, afis."""
    say = progress or (lambda _message: None)
    impressions = load_dataset(directory)
    say(f"extracting {len(impressions)} images")
    started = time.perf_counter()
    templates: list[Template | None] = []
    failures: dict[str, str] = {}
    for item in impressions:
        try:
            templates.append(extract(item.path.read_bytes(), minutiae=minutiae))
        except ImageError as error:
            templates.append(None)
            failures[item.path.name] = error.reason
    extraction = (time.perf_counter() - started) / len(impressions)
    genuine = genuine_pairs(impressions)
    impostor, rule = impostor_pairs(impressions, max_impostor_pairs)
    fingers = [item.finger for item in impressions] if rule.startswith("all") else None
    say(f"{len(genuine)} genuine and {len(impostor)} impostor comparisons ({rule})")
    ours = _run_matcher("securecomm", _our_scorer(templates), genuine, impostor, fingers)
    say("NIST's pipeline: mindtct on the images as captured, then bozorth3")
    nist_found = [nist_minutiae(item.path.read_bytes()) for item in impressions]
    nist = _run_matcher("nist", bozorth3_scorer(nist_found), genuine, impostor, fingers)
    nist = replace(nist, fte=sum(found is None for found in nist_found) / len(impressions))
    say("bozorth3 on our minutiae")
    loaded = [None if t is None else to_nbis_minutiae(t) for t in templates]
    theirs = _run_matcher("bozorth3", bozorth3_scorer(loaded), genuine, impostor, None)
    peers: list[MatcherResult] = []
    unavailable: dict[str, str] = {}
    if compare_afis:
        report = afis_peers([item.path for item in impressions], say)
        unavailable = report.unavailable
        for peer in report.scorers:
            say(f"{peer.name}: scoring the same pairs")
            result = _run_matcher(peer.name, peer.score, genuine, impostor, fingers)
            peers.append(
                replace(
                    result,
                    fte=peer.fte,
                    extraction_seconds_per_image=peer.extraction_seconds_per_image,
                )
            )
    return Evaluation(
        dataset=directory,
        images=len(impressions),
        failures=failures,
        genuine_pairs=len(genuine),
        impostor_pairs=len(impostor),
        impostor_rule=rule,
        ours=replace(ours, fte=len(failures) / len(impressions)),
        bozorth3=theirs,
        extraction_seconds_per_image=extraction,
        genuine_names=tuple(
            (impressions[i].path.name, impressions[j].path.name) for i, j in genuine
        ),
        minutiae=minutiae,
        nist=nist,
        peers=tuple(peers),
        peers_unavailable=unavailable,
    )


def _our_scorer(templates: Sequence[Template | None]) -> Scorer:
    for template in templates:  # features are cached on the template: not timed below
        if template is not None:
            compare(template, template)

    def score(i: int, j: int) -> float:
        a, b = templates[i], templates[j]
        return FAILED_SCORE if a is None or b is None else compare(a, b)

    return score


def _run_matcher(
    name: str,
    score: Scorer,
    genuine: Sequence[tuple[int, int]],
    impostor: Sequence[tuple[int, int]],
    fingers: Sequence[str] | None,
) -> MatcherResult:
    """Score the pairs; with ``fingers`` (every pair scored) also the 1:N rates."""
    started = time.perf_counter()
    gen = np.array([score(i, j) for i, j in genuine], dtype=np.float64)
    imp = np.array([score(i, j) for i, j in impostor], dtype=np.float64)
    elapsed = time.perf_counter() - started
    rate = (len(genuine) + len(impostor)) / elapsed if elapsed > 0 else math.inf
    identification = None
    if fingers is not None:
        matrix = np.full((len(fingers), len(fingers)), -np.inf)
        for (i, j), value in zip([*genuine, *impostor], [*gen, *imp], strict=True):
            matrix[i, j] = matrix[j, i] = value
        identification = identification_rates(matrix, fingers)
    return MatcherResult(name, error_rates(gen, imp), rate, gen, imp, identification)
