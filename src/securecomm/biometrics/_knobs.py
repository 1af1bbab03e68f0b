"""The matcher's parameters as the float vector its Numba kernels read.

Numba takes one array cheaply where a dataclass would need boxing on every call; the
positions below name its entries. :func:`knobs` caches the vector per parameters object.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._params import MatchParameters

F64 = npt.NDArray[np.float64]

# Positions in the knobs vector passed to the kernels (Numba takes arrays cheaply).
(
    K_MIN_BITS,
    K_SEEDS,
    K_DIST,
    K_ANGLE,
    K_ROUNDS,
    K_MARGIN,
    K_FLOOR,
    K_WEIGHTED,
    K_GROWTH,
    K_MATED_WEIGHT,
    K_REFINED,
    K_SECOND,
    K_SECOND_FROM,
) = range(13)

_KNOBS_BY_ID: dict[int, tuple[MatchParameters, F64]] = {}


def knobs(params: MatchParameters) -> F64:
    """The parameters the kernels read, as one float array, cached per parameters object
    (by identity: hashing the frozen dataclass on every comparison costs microseconds)."""
    found = _KNOBS_BY_ID.get(id(params))
    if found is not None and found[0] is params:
        return found[1]
    if len(_KNOBS_BY_ID) > 64:
        _KNOBS_BY_ID.clear()
    vector = _knob_vector(params)
    _KNOBS_BY_ID[id(params)] = (params, vector)
    return vector


@lru_cache(maxsize=32)
def _knob_vector(params: MatchParameters) -> F64:
    return np.array(
        [
            params.descriptor_min_bits,
            params.seed_pairs,
            params.pair_distance_tolerance,
            params.pair_angle_tolerance,
            params.refinement_rounds,
            params.overlap_margin,
            params.overlap_floor,
            params.pair_weighting,
            params.tolerance_growth,
            params.mated_pair_weight,
            params.refined_seeds,
            params.second_set_weight,
            params.second_set_from,
        ],
        dtype=np.float64,
    )
