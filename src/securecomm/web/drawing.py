"""The examiner's side-by-side view of one finger: the probe beside the candidate, each
over its image where the booking file carried one, with the minutiae the matcher paired
joined by lines. Drawn as SVG from numbers only (nothing from the submission is echoed
as markup)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from securecomm.interop.views import FingerOut, Minutia

PANEL = 300.0  # the longer side of each panel, in CSS pixels
GAP = 40.0
TICK = 9.0  # length of a minutia's direction line
PAIR_COLOURS = ("#005ea2", "#8b0a03", "#00754a", "#6b2fa0", "#936f38", "#0b6b75")


@dataclass(frozen=True)
class Figure:
    finger: int
    svg: str
    description: str


def _scale(width: int, height: int) -> float:
    return PANEL / max(width, height)


def _mark(minutia: Minutia, scale: float, dx: float, colour: str, paired: bool) -> str:
    x, y = minutia.x * scale + dx, minutia.y * scale
    tx = x + TICK * math.cos(minutia.direction)
    ty = y - TICK * math.sin(minutia.direction)
    radius = 4.0 if paired else 3.0
    shape = (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" />'
        if minutia.kind == "ending"
        else f'<rect x="{x - radius:.1f}" y="{y - radius:.1f}" width="{2 * radius}" '
        f'height="{2 * radius}" />'
    )
    width = 2 if paired else 1
    return (
        f'<g stroke="{colour}" fill="none" stroke-width="{width}">{shape}'
        f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" /></g>'
    )


def side_by_side(review_id: int, finger: FingerOut) -> Figure:
    left_scale = _scale(finger.width, finger.height)
    right_scale = _scale(finger.candidate_width, finger.candidate_height)
    offset = PANEL + GAP
    parts = [
        f'<rect x="0" y="0" width="{PANEL}" height="{PANEL}" fill="#f7f7f7" />',
        f'<rect x="{offset}" y="0" width="{PANEL}" height="{PANEL}" fill="#f7f7f7" />',
    ]
    for side, shown, scale, dx, width, height in (
        ("probe", finger.probe_image, left_scale, 0.0, finger.width, finger.height),
        (
            "candidate",
            finger.candidate_image,
            right_scale,
            offset,
            finger.candidate_width,
            finger.candidate_height,
        ),
    ):
        if shown:
            href = f"/examiner/{review_id}/images/{side}/{finger.finger}.png"
            parts.append(
                f'<image href="{href}" x="{dx}" y="0" width="{width * scale:.1f}" '
                f'height="{height * scale:.1f}" opacity="0.55" />'
            )
    paired_left = {a: n for n, (a, _) in enumerate(finger.pairs)}
    paired_right = {b: n for n, (_, b) in enumerate(finger.pairs)}
    for n, (a, b) in enumerate(finger.pairs):
        colour = PAIR_COLOURS[n % len(PAIR_COLOURS)]
        left, right = finger.probe[a], finger.candidate[b]
        parts.append(
            f'<line x1="{left.x * left_scale:.1f}" y1="{left.y * left_scale:.1f}" '
            f'x2="{right.x * right_scale + offset:.1f}" y2="{right.y * right_scale:.1f}" '
            f'stroke="{colour}" stroke-opacity="0.35" stroke-width="1" />'
        )
    for index, minutia in enumerate(finger.probe):
        pair = paired_left.get(index)
        colour = "#555555" if pair is None else PAIR_COLOURS[pair % len(PAIR_COLOURS)]
        parts.append(_mark(minutia, left_scale, 0.0, colour, pair is not None))
    for index, minutia in enumerate(finger.candidate):
        pair = paired_right.get(index)
        colour = "#555555" if pair is None else PAIR_COLOURS[pair % len(PAIR_COLOURS)]
        parts.append(_mark(minutia, right_scale, offset, colour, pair is not None))
    description = (
        f"Finger {finger.finger}: {len(finger.pairs)} minutiae paired out of "
        f"{len(finger.probe)} in the probe and {len(finger.candidate)} in the candidate; "
        f"score {finger.score}."
    )
    title_id = f"finger-{finger.finger}-title"
    svg = (
        f'<svg role="img" aria-labelledby="{title_id}" viewBox="0 0 {2 * PANEL + GAP} {PANEL}" '
        f'width="{2 * PANEL + GAP:.0f}" height="{PANEL:.0f}" class="comparison">'
        f'<title id="{title_id}">{description}</title>{"".join(parts)}</svg>'
    )
    return Figure(finger.finger, svg, description)
