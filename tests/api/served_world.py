"""A served world for the API and page tests: the small synthetic world run through the
flow, the standing agencies, and one user per role (two booking officers at two local
agencies of one state). Built once per module; tests that change it build their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from securecomm.api.app import create_app
from securecomm.api.ratelimit import SlidingWindowLimiter
from securecomm.auth.cli import init_deployment
from securecomm.booking.schemas import ChargeIn
from securecomm.database import Database, open_database
from securecomm.interop.models import Transaction
from securecomm.pipeline.worker import Worker
from securecomm.simulation import live, runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.demo_users import DemoLogin, ensure_demo_users
from securecomm.simulation.generate import build_world
from securecomm.simulation.world import World

PURPOSE = "automated test of the service"


@cache
def world() -> World:
    return build_world(
        people=160, start=date(2008, 10, 1), end=date(2018, 12, 31), seed=11, population="dense"
    )


@dataclass
class Served:
    database: Database
    app: FastAPI
    client: TestClient
    logins: dict[str, DemoLogin]
    _tokens: dict[str, dict[str, str]]

    def headers(self, username: str) -> dict[str, str]:
        """A bearer token for the user (one per user, reused)."""
        if username not in self._tokens:
            response = self.client.post(
                "/api/v1/auth/token",
                json={
                    "username": username,
                    "password": self.logins[username].password,
                    "purpose": PURPOSE,
                },
            )
            assert response.status_code == 200, response.text
            token = response.json()["access_token"]
            self._tokens[username] = {"Authorization": f"Bearer {token}"}
        return self._tokens[username]


def build_served(url: str, *, officers_decide: bool = False) -> Served:
    """Load and run the world (``officers_decide``: detainers wait for officers), set up
    the deployment and its users, and serve it (no background worker: tests drive it)."""
    database = open_database(url)
    links = runner.load_reference(database, world())
    runner.enqueue_events(database, world(), links, invalid_fraction=0.02)
    Worker(
        database, court=SimulatedImmigrationCourt(world()), officers_decide=officers_decide
    ).run()
    with database.session() as session:
        init_deployment(session)
        logins = {login.username: login for login in ensure_demo_users(session)}
    # The tests sign in many times from one address; the limiter has its own test.
    generous = SlidingWindowLimiter(attempts=100_000, seconds=60)
    app = create_app(database, officers_decide=True, cookie_secure=False, signin_limiter=generous)
    return Served(database, app, TestClient(app), logins, {})


REMOVABLE = (
    "nonimmigrant_overstay",
    "entered_without_inspection",
    "previously_removed_reentered",
    "final_order",
)


def matched_transaction(served: Served, *, removable: bool = False, skip: int = 0) -> int:
    """A transaction whose person the immigration repository knows (``removable``: one
    whose status was found removable), the ``skip``-th such person."""
    query = select(Transaction.id).where(Transaction.immigration_subject_id.is_not(None))
    if removable:
        query = query.where(Transaction.status_category.in_(REMOVABLE))
    with served.database.session() as session:
        found = list(session.scalars(query.order_by(Transaction.id)))
    assert len(found) > skip, "the served world has too few matched people"
    return found[skip]


def rebooking(
    served: Served,
    *,
    suffix: str,
    offence: tuple[str, str, int] = ("1201", "ROBBERY", 7300),
    transaction_id: int | None = None,
) -> tuple[bytes, str, str]:
    """A CAR booking again, today, the person of ``transaction_id`` (by default the first
    the immigration repository knows), charged with ``offence`` (NCIC code, description,
    maximum days): (the file, the booking agency's ORI, its state). ``suffix`` makes the
    TCN new."""
    chosen = transaction_id or matched_transaction(served)
    now = datetime.now(UTC).replace(microsecond=0)
    code, description, maximum = offence
    charge = ChargeIn(
        ncic_code=code, description=description, offence_date=now.date(), max_term_days=maximum
    )
    return live.rebooking_car(served.database, chosen, at=now, tcn_suffix=suffix, charge=charge)
