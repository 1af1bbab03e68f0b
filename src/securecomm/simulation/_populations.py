"""The mixes of people a synthetic world can have: the published mix (calibrated to the
program's published national figures, the default) and the dense mix (many more people
with an immigration record, to exercise the federal side in a small world)."""

from __future__ import annotations

from securecomm.simulation.world import PersonKind

# The dense mix: two in five people have an immigration record, so a small world
# exercises the federal side (status queries, priorities, detainers, custody) heavily.
# Plausible, not measured.
DENSE_SHARES: dict[PersonKind, float] = {
    PersonKind.US_BORN: 0.59,
    PersonKind.NATURALISED: 0.06,
    PersonKind.DERIVED: 0.02,
    PersonKind.LPR: 0.10,
    PersonKind.OTHER_LAWFUL: 0.05,
    PersonKind.OVERSTAY: 0.06,
    PersonKind.EWI: 0.06,
    PersonKind.REMOVED_REENTERED: 0.02,
    PersonKind.FINAL_ORDER: 0.02,
    PersonKind.IN_PROCEEDINGS: 0.01,
    PersonKind.INSUFFICIENT_RECORD: 0.01,
}

# The published mix: calibrated so that the share of submissions matching an immigration
# record, the level mix of removals and the share of non-criminal removals land near the
# program's published national figures for 2009-2011 (DOMAIN.md section 7; see
# simulation/published.py, which prints both side by side).
PUBLISHED_SHARES: dict[PersonKind, float] = {
    PersonKind.US_BORN: 0.904,
    PersonKind.NATURALISED: 0.008,
    PersonKind.DERIVED: 0.002,
    PersonKind.LPR: 0.012,
    PersonKind.OTHER_LAWFUL: 0.006,
    PersonKind.OVERSTAY: 0.02,
    PersonKind.EWI: 0.026,
    PersonKind.REMOVED_REENTERED: 0.008,
    PersonKind.FINAL_ORDER: 0.007,
    PersonKind.IN_PROCEEDINGS: 0.004,
    PersonKind.INSUFFICIENT_RECORD: 0.003,
}

POPULATIONS: dict[str, dict[PersonKind, float]] = {
    "published": PUBLISHED_SHARES,
    "dense": DENSE_SHARES,
}
