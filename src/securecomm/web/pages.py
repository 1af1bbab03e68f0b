"""Every page's route, under one router that stays out of the API's OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from securecomm.web import (
    admin_pages,
    auth_pages,
    booking_pages,
    federal_pages,
    oversight_pages,
    redress_pages,
    transparency_pages,
)
from securecomm.web.render import render_refusal

router = APIRouter(include_in_schema=False)
for section in (
    auth_pages,
    booking_pages,
    federal_pages,
    admin_pages,
    oversight_pages,
    redress_pages,
    transparency_pages,
):
    router.include_router(section.router)

__all__ = ["render_refusal", "router"]
