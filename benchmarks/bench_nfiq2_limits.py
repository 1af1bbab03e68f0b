"""NFIQ 2's size limit, and what scoring a large print costs.

    .venv/bin/python benchmarks/bench_nfiq2_limits.py [--image <a print, PNG>]
        [--rounds 8] [--json]

1. The limit: the print placed on pages of several sizes and greys; for each, whether
   NFIQ 2 (nbis-py's public call, with mindtct) scores the page whole or refuses it.
   NFIQ 2 trims a near-white margin first, so the size that counts is the print's.
2. The cost: a card-sized print (the image tiled to 900 x 800 px on a grey page of
   1,000 x 1,000, as a rolled print on a scanned card) through ``nfiq2()``, which scores
   a print beyond the limit on its central 800 x 1,000 px, beside the whole-page call it
   no longer makes first (it fails). Wall time per call, mean of ``--rounds``.
   Run it with PYTHONPATH pointing at an older tree to time that tree's ``nfiq2()``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from securecomm.biometrics._nbis import NativeCallError, nfiq2, run_mindtct

DEFAULT_IMAGE = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "fvc2002"
    / "DB1_B"
    / "101_1.png"
)
PAGES = [(790, 600), (820, 600), (600, 990), (600, 1020), (1200, 1200)]
GREYS = [255, 252, 245, 230]


def _on_page(
    print_: npt.NDArray[np.uint8], width: int, height: int, grey: int
) -> npt.NDArray[np.uint8]:
    page = np.full((height, width), grey, dtype=np.uint8)
    top, left = (height - print_.shape[0]) // 2, (width - print_.shape[1]) // 2
    page[top : top + print_.shape[0], left : left + print_.shape[1]] = print_
    return page


def _scored_whole(page: npt.NDArray[np.uint8]) -> bool:
    try:
        run_mindtct(page, quality=True)
    except NativeCallError:
        return False
    return True


def _card(print_: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    card = np.full((1000, 1000), 235, dtype=np.uint8)
    card[100:900, 50:950] = np.tile(print_, (3, 3))[:800, :900]
    return card


def _ms(call: Callable[[], object], rounds: int) -> float:
    call()  # warm: the native extractor is made on first use
    began = time.perf_counter()
    for _ in range(rounds):
        call()
    return 1000 * (time.perf_counter() - began) / rounds


def run(image: Path, rounds: int) -> dict[str, Any]:
    print_ = np.asarray(Image.open(image).convert("L"))
    limits = [
        {
            "page": f"{w}x{h}",
            "grey": grey,
            "scored_whole": _scored_whole(_on_page(print_, w, h, grey)),
        }
        for grey in GREYS
        for w, h in PAGES
    ]
    card = _card(print_)
    run_card, unavailable = nfiq2(card)

    def whole_page_call() -> None:
        with contextlib.suppress(NativeCallError):
            run_mindtct(card, quality=True)

    return {
        "image": str(image),
        "limits": limits,
        "card": {
            "region": run_card.quality.region if run_card.quality else unavailable,
            "score": run_card.quality.score if run_card.quality else None,
            "nfiq2_ms": round(_ms(lambda: nfiq2(card), rounds), 1),
            "failing_whole_page_call_ms": round(_ms(whole_page_call, rounds), 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, default=DEFAULT_IMAGE)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.image, args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for row in result["limits"]:
        verdict = "scored whole" if row["scored_whole"] else "refused"
        print(f"print on a {row['page']} page of grey {row['grey']:3d}: {verdict}")
    card = result["card"]
    print(
        f"900 x 800 print on a grey card: nfiq2() {card['nfiq2_ms']} ms ({card['region']}, "
        f"score {card['score']}); the whole-page call it skips: "
        f"{card['failing_whole_page_call_ms']} ms"
    )


if __name__ == "__main__":
    main()
