"""Quality and usability of a template.

Until image extraction arrives the quality of a template built from minutiae alone is an
honest proxy on the NFIQ2-like 0-100 scale: it grows with the number of minutiae (a full
rolled print holds about 40-70) and with their mean reliability.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._template import RELIABILITY, Template

FULL_PRINT_MINUTIAE = 45  # count at which the count part of the proxy saturates


def estimate_quality(minutiae: npt.NDArray[np.float32]) -> int:
    """0-100 from minutiae count (saturating at a full print) and mean reliability."""
    count = int(minutiae.shape[0])
    if count == 0:
        return 0
    coverage = math.sqrt(min(1.0, count / FULL_PRINT_MINUTIAE))
    reliability = float(np.mean(minutiae[:, RELIABILITY]))
    return round(100.0 * coverage * reliability)


def unusable_reason(template: Template, params: MatchParameters) -> str | None:
    """Why ``template`` cannot be matched, or None when it can."""
    if len(template) < params.min_minutiae:
        return f"{len(template)} minutiae, fewer than the minimum {params.min_minutiae}"
    if template.quality < params.min_quality:
        return f"quality {template.quality} is below the minimum {params.min_quality}"
    return None


# --- image quality (NFIQ 2, computed during extraction)

# NFIQ 2's orientation-map coherence inside the region of interest: real fingerprints
# (FVC 2002 DB1_B/DB2_B, 160 impressions) span 0.31-0.9, uniform noise about 0.05.
MIN_RIDGE_COHERENCE = 0.15
_COHERENCE_FEATURE = "OrientationMap_ROIFilter_CoherenceRel"


def is_fingerprint_like(nfiq2_features: dict[str, float]) -> bool:
    """Whether NFIQ 2's features show a coherent ridge flow, as any fingerprint has."""
    return nfiq2_features.get(_COHERENCE_FEATURE, 0.0) >= MIN_RIDGE_COHERENCE
