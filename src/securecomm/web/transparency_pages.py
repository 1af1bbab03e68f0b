"""The public transparency page: no sign-in, no personal data."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from securecomm.api.security import PUBLIC, Actor, page
from securecomm.oversight import transparency
from securecomm.oversight.transparency_views import release_charts
from securecomm.web.render import page as render

router = APIRouter(include_in_schema=False)


@router.get("/transparency")
def transparency_page(request: Request, actor: Annotated[Actor, page(PUBLIC)]) -> Response:
    release = transparency.latest(actor.session)
    images = {}
    if release is not None:
        images = {
            alt: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
            for alt, svg in release_charts(release.content).items()
        }
    return render(
        request,
        actor,
        "transparency.html",
        title="How Secure Communities works here",
        release=release.content if release else None,
        charts=images,
        small_cell=transparency.SMALL_CELL,
    )
