"""The main journeys in a real browser, as the people who do them: a booking officer
sends an ANSI/NIST file and reads the answer; an ICE officer lodges the detainer the
rules propose and a supervisor signs its warrant; the jail answers it; a status analyst
determines a status the rules could not; an auditor verifies the log; an administrator
and an examiner open their pages. Every page is screenshot (out/browser/) and checked
with axe-core: no serious or critical accessibility violation anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from live_server import CHROMIUM_ARGS, SCREENSHOTS, LiveServer
from playwright.sync_api import Browser, Page, expect, sync_playwright
from served_world import PURPOSE, matched_transaction, rebooking
from sqlalchemy import delete, select

from securecomm.auth import accounts
from securecomm.auth import service as auth_service
from securecomm.auth.roles import Role
from securecomm.cases.models import Case, CaseState
from securecomm.domain import AgencyRole, EncounterKind
from securecomm.interop.models import Jurisdiction, Transaction
from securecomm.oversight import monitor, transparency
from securecomm.oversight.models import ProfilingReview, ReviewState, UnitKind
from securecomm.oversight.monitor_facts import BookingFacts, ChargeFacts, charge_facts
from securecomm.repositories.models import Encounter
from securecomm.simulation import live as live_bookings

PASSWORD = "a browser test password"
# The suite runs on every core: a page may take longer than Playwright's 5 s default.
expect.set_options(timeout=20_000)
SERIOUS = {"serious", "critical"}


@dataclass
class Visits:
    """Every page the journeys saw: its screenshot and its accessibility verdict."""

    axe: Axe = field(default_factory=Axe)
    violations: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def look(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{len(self.pages):02d}-{name}.png"), full_page=True)
        self.pages.append(name)
        result = self.axe.run(page)
        for violation in result.response["violations"]:
            if violation.get("impact") in SERIOUS:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.violations.append(
                    f"{name}: {violation['id']} ({violation['impact']}) {targets}"
                )


@dataclass
class Scenario:
    car: bytes
    clerk: str
    officer: str
    supervisor: str
    analyst_case: int


def _make_user(live: LiveServer, username: str, ori: str, role: Role) -> str:
    with live.served.database.session() as session:
        accounts.create_user(
            session,
            username=username,
            full_name=username.replace("-", " ").title(),
            agency=auth_service.agency_by_ori(session, ori),
            roles={role},
            password=PASSWORD,
            must_change_password=False,
        )
    return username


@pytest.fixture(scope="module")
def scenario(live: LiveServer) -> Scenario:
    served = live.served
    first = matched_transaction(served, removable=True)
    car, ori, state = rebooking(served, suffix="WEB", transaction_id=first)
    with served.database.session() as session:
        office = auth_service.agency_for_role(session, AgencyRole.ICE_FIELD_OFFICE, state=state).ori
    # A person whose immigration record says too little to decide (one visa, nothing
    # after it): booked again, the case waits for a status analyst.
    unclear = matched_transaction(served, removable=True, skip=1)
    with served.database.session() as session:
        transaction = session.get_one(Transaction, unclear)
        subject_id = transaction.immigration_subject_id
        session.execute(delete(Encounter).where(Encounter.subject_id == subject_id))
        session.add(
            Encounter(
                subject_id=subject_id,
                kind=EncounterKind.VISA_ISSUANCE,
                day=transaction.booked_at.date(),
                detail={"class": "B2"},
            )
        )
    submission = live_bookings.rebook(
        served.database, unclear, at=datetime.now(UTC).replace(microsecond=0), sequence=7
    )
    assert live.worker.drain(), "the service's worker ran"
    with served.database.session() as session:
        case = session.scalar(
            select(Case)
            .join(Transaction, Case.transaction_id == Transaction.id)
            .where(Transaction.submission_id == submission)
        )
    assert case is not None
    assert case.state is CaseState.ANALYST_REVIEW
    return Scenario(
        car=car,
        clerk=_make_user(live, "clerk-web", ori, Role.BOOKING_OFFICER),
        officer=_make_user(live, "officer-web", office, Role.ICE_OFFICER),
        supervisor=_make_user(live, "supervisor-web", office, Role.ICE_SUPERVISOR),
        analyst_case=case.id,
    )


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def visits() -> Visits:
    return Visits()


def _sign_in(
    browser: Browser, live: LiveServer, username: str, password: str, visits: Visits
) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live.url}/login")
    if not visits.pages:
        visits.look(page, "sign-in")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Purpose of this session").fill(PURPOSE)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    visits.look(page, f"home-{username}")
    return page


def _profiling_review(live: LiveServer) -> int:
    """A review as the monitor opens it, for an officer whose arrests of people born
    abroad are pretextual traffic stops (the served world plants no profiling)."""

    def booking(number: int, officer: str, pretext: bool) -> BookingFacts:
        charges = [
            ChargeFacts("5405" if pretext else "1313", "dismissed" if pretext else "convicted")
        ]
        return BookingFacts(
            tcn=f"TPROFILE{number:05d}",
            jurisdiction="48201",
            officer=officer,
            race="W",
            foreign_born=pretext or number % 5 == 0,
            matched=True,
            detainer=True,
            **charge_facts(charges),
        )

    facts = [booking(i, f"48201-0{i % 4 + 2}", i % 7 == 0) for i in range(200)]
    facts += [booking(1000 + i, "48201-01", True) for i in range(40)]
    finding = monitor.run(facts).flagged[0]
    with live.served.database.session() as session:
        jurisdiction = session.scalars(
            select(Jurisdiction).where(Jurisdiction.code == "48201")
        ).one()
        review = ProfilingReview(
            unit_kind=UnitKind.OFFICER,
            unit=finding.unit,
            jurisdiction_id=jurisdiction.id,
            opened_at=datetime.now(UTC),
            evidence=finding.evidence(),
            state=ReviewState.OPEN,
        )
        session.add(review)
        session.flush()
        return review.id


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_the_main_journeys_in_a_browser(
    browser: Browser, live: LiveServer, scenario: Scenario, visits: Visits
) -> None:
    # A booking officer sends the file and reads the answer.
    clerk = _sign_in(browser, live, scenario.clerk, PASSWORD, visits)
    _nav(clerk, "Send a booking")
    visits.look(clerk, "send-a-booking")
    clerk.get_by_label(re.compile("Booking file")).set_input_files(
        {"name": "booking.an2", "mimeType": "application/octet-stream", "buffer": scenario.car}
    )
    clerk.get_by_role("button", name="Send").click()
    expect(clerk.get_by_role("status")).to_contain_text("Received and stored")
    booking_url = clerk.url.split("?")[0]
    live.worker.drain()
    clerk.goto(booking_url)
    expect(clerk.get_by_test_id("submission-state")).to_have_text("done")
    expect(clerk.get_by_role("cell", name="SRE", exact=True)).to_be_visible()
    expect(clerk.get_by_role("cell", name="IDR-IAR", exact=True)).to_be_visible()
    visits.look(clerk, "booking-answered")

    # The ICE officer lodges the proposed detainer; the warrant waits for a supervisor.
    officer = _sign_in(browser, live, scenario.officer, PASSWORD, visits)
    _nav(officer, "Field office queue")
    visits.look(officer, "field-office-queue")
    officer.get_by_role("button", name=re.compile(r"^Lodge I-247")).first.click()
    expect(officer.get_by_test_id("case-state")).to_have_text("awaiting approval")
    visits.look(officer, "case-awaiting-approval")

    supervisor = _sign_in(browser, live, scenario.supervisor, PASSWORD, visits)
    _nav(supervisor, "Field office queue")
    supervisor.get_by_role("button", name="Sign warrant and lodge").first.click()
    expect(supervisor.get_by_test_id("case-state")).to_have_text("detainer lodged")
    expect(supervisor.get_by_role("heading", name="Decisions and their reasons")).to_be_visible()
    visits.look(supervisor, "case-detainer-lodged")

    # The supervisor works a review the profiling monitor opened: reads its evidence and
    # orders training.
    review_id = _profiling_review(live)
    _nav(supervisor, "Profiling reviews")
    supervisor.get_by_role("button", name="Run the monitor and open reviews").click()
    visits.look(supervisor, "profiling-reviews")
    supervisor.get_by_role("link", name=str(review_id), exact=True).click()
    expect(
        supervisor.get_by_role("cell", name=re.compile("more often for minor")).first
    ).to_be_visible()
    visits.look(supervisor, "profiling-review")
    supervisor.get_by_label("Decision").select_option("training")
    supervisor.get_by_label(re.compile("Why")).fill("pretextual stops of drivers born abroad")
    supervisor.get_by_role("button", name="Record the decision").click()
    expect(supervisor.get_by_text(re.compile("training by"))).to_be_visible()
    visits.look(supervisor, "profiling-review-decided")

    # The detainer reaches the jail, which answers it.
    live.worker.drain()
    clerk.goto(booking_url)
    expect(clerk.get_by_role("heading", name="Detainer lodged with your agency")).to_be_visible()
    visits.look(clerk, "booking-with-detainer")
    clerk.get_by_label("Honour it").check()
    clerk.get_by_role("button", name="Send answer").click()
    expect(clerk.get_by_test_id("detainer-answer")).to_contain_text(f"honoured by {scenario.clerk}")
    visits.look(clerk, "detainer-answered")

    # A status analyst determines what the rules could not.
    analyst = _sign_in(browser, live, "analyst", live.served.logins["analyst"].password, visits)
    _nav(analyst, "Status queue")
    visits.look(analyst, "status-queue")
    analyst.get_by_role("link", name=f"Case {scenario.analyst_case}", exact=True).click()
    visits.look(analyst, "status-case")
    analyst.get_by_label("Status").select_option("nonimmigrant_overstay")
    analyst.get_by_label("Yes").check()
    analyst.get_by_label(re.compile("Probable cause")).select_option(index=1)
    analyst.get_by_label("Evidence relied on").fill("B2 visa expired; no later admission")
    analyst.get_by_role("button", name="Record the finding").click()
    expect(analyst.get_by_test_id("case-state")).not_to_have_text("analyst review")
    visits.look(analyst, "status-determined")

    # The auditor sees the log verify; the administrator and an examiner their pages.
    auditor = _sign_in(browser, live, "auditor", live.served.logins["auditor"].password, visits)
    _nav(auditor, "Audit log")
    expect(auditor.get_by_test_id("audit-verified")).to_contain_text("The log verifies")
    expect(auditor.get_by_role("cell", name=scenario.clerk).first).to_be_visible()
    visits.look(auditor, "audit-log")
    _nav(auditor, "Statistics")
    visits.look(auditor, "statistics")

    # A member of the public complains without signing in; a redress officer takes it up,
    # finds no error, answers in writing; the answer is there under the reference.
    public = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    public.goto(f"{live.url}/redress")
    visits.look(public, "redress-form")
    public.get_by_label(re.compile("matched to someone else")).check()
    public.get_by_label("Your full name").fill("Ana Example")
    public.get_by_label(re.compile("How we can reach you")).fill("ana@example.org")
    public.get_by_label(re.compile("What happened")).fill(
        "I was told my fingerprints matched a deportation record that is not mine."
    )
    public.get_by_role("button", name="Send the complaint").click()
    reference = public.get_by_test_id("complaint-reference").inner_text()
    visits.look(public, "redress-receipt")
    redress = _sign_in(browser, live, "redress", live.served.logins["redress"].password, visits)
    _nav(redress, "Complaints")
    visits.look(redress, "complaints")
    redress.get_by_role("link", name=reference).click()
    redress.get_by_role("button", name="Take it up").click()
    expect(redress.get_by_test_id("complaint-state")).to_contain_text("in review")
    visits.look(redress, "complaint-in-review")
    redress.get_by_label("No error found").check()
    redress.get_by_label(re.compile("What was checked")).fill("no booking under this name")
    redress.get_by_role("button", name="Record the decision").click()
    redress.get_by_label(re.compile("Written answer")).fill(
        "We found no booking under the name you gave. Send the booking number and we will "
        "look again."
    )
    redress.get_by_role("button", name="Send the answer").click()
    expect(redress.get_by_role("heading", name=re.compile("Written answer"))).to_be_visible()
    visits.look(redress, "complaint-answered")
    public.goto(f"{live.url}/redress/status?reference={reference}")
    expect(public.get_by_test_id("complaint-state")).to_have_text("not confirmed")
    expect(public.get_by_text("We found no booking")).to_be_visible()
    visits.look(public, "redress-status")
    with live.served.database.session() as session:
        transparency.publish(session, epsilon=1.0, publisher="supervisor", at=datetime.now(UTC))
    public.goto(f"{live.url}/transparency")
    expect(public.get_by_role("heading", name="Is participation mandatory?")).to_be_visible()
    expect(public.get_by_role("table", name=re.compile("Participation and counts"))).to_be_visible()
    visits.look(public, "transparency")

    admin = _sign_in(browser, live, "admin", live.served.logins["admin"].password, visits)
    _nav(admin, "Users")
    visits.look(admin, "users")
    _nav(admin, "Agencies")
    visits.look(admin, "agencies")
    admin.goto(f"{live.url}/cases/{scenario.analyst_case}")
    expect(admin.get_by_role("alert")).to_contain_text("your roles do not allow this")
    visits.look(admin, "refused")

    examiner = _sign_in(browser, live, "examiner", live.served.logins["examiner"].password, visits)
    _nav(examiner, "Examiner queue")
    visits.look(examiner, "examiner-queue")

    assert len(visits.pages) >= 20
    assert visits.violations == []
