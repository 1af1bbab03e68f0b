"""A small synthetic world, built once per test session (template synthesis dominates)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from securecomm.simulation.generate import build_world
from securecomm.simulation.world import World


@lru_cache(maxsize=4)
def small_world(people: int = 120, seed: int = 11) -> World:
    return build_world(
        people=people,
        start=date(2008, 10, 1),
        end=date(2018, 12, 31),
        seed=seed,
        population="dense",
    )
