"""DET curves (FNMR against FMR on log axes) of one or several evaluations, as PNG.

One database: ours, NIST's pipeline, bozorth3 on our minutiae and afis's combinations
where they ran. Several databases: one chart, a colour per database, ours solid, NIST's
pipeline dashed and afis's best combination on that database dotted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from securecomm.biometrics.evaluation import Evaluation, MatcherResult


def det_curve(
    genuine: npt.NDArray[np.float64], impostor: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(FMR, FNMR) at every distinct score threshold, zeros lifted to plot on log axes."""
    gen = np.sort(genuine)
    imp = np.sort(impostor)
    scores = np.concatenate([gen, imp])
    thresholds = np.unique(scores[np.isfinite(scores)])
    fnmr = np.searchsorted(gen, thresholds, side="left") / gen.size
    fmr = 1.0 - np.searchsorted(imp, thresholds, side="left") / imp.size
    tiny = 0.5 / max(imp.size, gen.size)
    return np.maximum(fmr, tiny), np.maximum(fnmr, tiny)


def _matchers(evaluation: Evaluation, *, several: bool) -> list[MatcherResult]:
    found = [evaluation.ours]
    if evaluation.nist is not None:
        found.append(evaluation.nist)
    if not several:
        return [*found, evaluation.bozorth3, *evaluation.peers]
    if evaluation.peers:
        found.append(min(evaluation.peers, key=lambda peer: peer.rates.eer))
    return found


_STYLES = {"securecomm": "-", "nist": "--"}


LABELS = {"securecomm": "ours", "nist": "NIST mindtct+bozorth3", "bozorth3": "bozorth3 on ours"}


def write_det_plot(evaluations: Evaluation | Sequence[Evaluation], path: Path) -> None:
    """One chart: every matcher of one evaluation, or ours and NIST's for several."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    several = list(evaluations) if isinstance(evaluations, Sequence) else [evaluations]
    figure, axes = pyplot.subplots(figsize=(11, 5.5) if len(several) > 1 else (7, 5.5))
    colours = pyplot.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, evaluation in enumerate(several):
        for result in _matchers(evaluation, several=len(several) > 1):
            fmr, fnmr = det_curve(result.genuine, result.impostor)
            name = LABELS.get(result.name, result.name)
            label = f"{name} (EER {100 * result.rates.eer:.2f} %)"
            if len(several) > 1:
                label = f"{_database(evaluation)}: {label}"
            style = _STYLES.get(result.name, ":")
            colour = colours[k % len(colours)] if len(several) > 1 else None
            axes.plot(fmr, fnmr, style, color=colour, label=label)
    smallest = min(e.impostor_pairs for e in several)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(0.5 / max(smallest, 1), 1.0)
    axes.set_ylim(0.5 / max(min(e.genuine_pairs for e in several), 1), 1.0)
    axes.set_xlabel("false match rate")
    axes.set_ylabel("false non-match rate")
    title = _database(several[0]) if len(several) == 1 else "DET: every database"
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the curves
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def _database(evaluation: Evaluation) -> str:
    parent = evaluation.dataset.resolve().parent.name
    return f"{parent}/{evaluation.dataset.name}" if parent else evaluation.dataset.name
