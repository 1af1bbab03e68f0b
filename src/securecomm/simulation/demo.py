"""The main job: build a world, run every booking through the flow, count and score."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from securecomm.booking import service as booking_service
from securecomm.booking.car import ANSI_NIST_CONTENT
from securecomm.booking.models import Submission, SubmissionKind
from securecomm.cases import docket
from securecomm.database import Database, utcnow
from securecomm.interop import outbox
from securecomm.interop.addresses import answer_folder, inside
from securecomm.interop.answers import AnswerFile
from securecomm.interop.file_transport import FanOutTransport, FileTransport, write_once
from securecomm.oversight import answer_times, report, transparency
from securecomm.oversight import reviews as profiling_reviews
from securecomm.oversight.answer_times import AnswerTimes
from securecomm.oversight.monitor import MonitorReport
from securecomm.oversight.statistics import Statistics
from securecomm.pipeline.worker import Worker
from securecomm.simulation import agreement, demo_store, examiners, published, runner, scoring
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.generate import build_world
from securecomm.simulation.models import DemoStage
from securecomm.simulation.service_times import DrawnServiceTimes
from securecomm.simulation.world import World


@dataclass(frozen=True)
class DemoOptions:
    people: int = 2000
    start: date = date(2008, 10, 1)
    end: date = date(2018, 12, 31)
    seed: int = 2008
    invalid_fraction: float = 0.005
    images: bool = False  # render every capture as an image and extract it (slow)
    population: str = "published"  # or "dense": two in five people have an immigration record
    plant_profiling: bool = False  # a profiling jurisdiction and officer, for the monitor
    output_dir: Path = Path("out")
    exchange_dir: Path | None = None  # write the CARs and answer files exchanged here
    # The same seed at this many people, counted by the rule oracle beside the published
    # figures (0: not counted); a small world's shares are noisy.
    large_world: int = 20_000

    def world_options(self) -> demo_store.WorldOptions:
        return demo_store.WorldOptions(
            people=self.people,
            start=self.start,
            end=self.end,
            seed=self.seed,
            invalid_fraction=self.invalid_fraction,
            images=self.images,
            population=self.population,
            plant_profiling=self.plant_profiling,
        )


@dataclass
class DemoResult:
    world: World
    statistics: Statistics
    expected: Statistics
    accuracy: scoring.Accuracy
    mismatches: list[str]  # statistics cells that differ from the oracle's
    agreement: agreement.Agreement  # decisions compared with the oracle's, and differences
    rejected: int
    examiner_reviews: int
    seconds: float
    phase_seconds: dict[str, float]
    files: list[Path]
    resumed_from: str | None = None  # the stage a killed earlier run had reached
    answer_times: list[AnswerTimes] = field(default_factory=list)
    profiling: MonitorReport | None = None
    # The same seed and population in a larger world (DemoOptions.large_world), counted
    # by the rule oracle: a small world removes too few people for stable shares.
    large_world: list[published.Comparison] = field(default_factory=list)

    def profiling_summary(self) -> dict[str, Any]:
        """The monitor's flags beside what the world planted (ground truth)."""
        flagged = (
            sorted(f"{f.unit_kind}:{f.unit}" for f in self.profiling.flagged)
            if (self.profiling)
            else []
        )
        planted = self.world.truth.planted
        truth = (
            sorted([f"jurisdiction:{planted.jurisdiction}", f"officer:{planted.officer}"])
            if planted
            else []
        )
        return {
            "flagged": flagged,
            "planted": truth,
            "missed": sorted(set(truth) - set(flagged)),
            "flagged_not_planted": sorted(set(flagged) - set(truth)),
        }

    def summary(self) -> dict[str, Any]:
        n = self.statistics.nationwide
        large = {row.key: row.world for row in self.large_world}
        return {
            "people": len(self.world.truth.persons),
            "bookings": n.bookings,
            "rejected_submissions": self.rejected,
            "examiner_reviews": self.examiner_reviews,
            "submissions": n.submissions,
            "matches": {
                "total": n.matches,
                "level_1": n.matches_level_1,
                "level_2_3": n.matches_level_2_3,
            },
            "detainers": n.detainers,
            "booked_into_custody": {
                "total": n.booked,
                "level_1": n.booked_level_1,
                "level_2": n.booked_level_2,
                "level_3": n.booked_level_3,
                "non_criminal": n.booked_non_criminal,
            },
            "removals": {
                "total": n.removed,
                "level_1": n.removed_level_1,
                "level_2": n.removed_level_2,
                "level_3": n.removed_level_3,
                "non_criminal": n.removed_non_criminal,
            },
            "by_state": {state: asdict(c) for state, c in self.statistics.states.items()},
            "ground_truth_mismatches": len(self.mismatches) + len(self.agreement.items),
            "statistics_cells_off_oracle": len(self.mismatches),
            "decisions_off_oracle": len(self.agreement.items),
            "decisions_compared_with_oracle": self.agreement.compared,
            "missed_identifications": self.accuracy.missed_identifications,
            "wrong_identifications": self.accuracy.wrong_identifications,
            "citizens_flagged": self.accuracy.citizens_flagged,
            "status_mismatches": self.accuracy.status_mismatches,
            "answer_minutes": {
                row.answer: {
                    "answers": row.answers,
                    "median": row.median_minutes,
                    "p90": row.p90_minutes,
                    "p99": row.p99_minutes,
                    "max": row.max_minutes,
                }
                for row in self.answer_times
            },
            "beside_published": {
                row.key: {
                    "world": row.world,
                    "larger_world": large.get(row.key),
                    "published": [row.reference.low, row.reference.high],
                }
                for row in published.compare(n)
            },
            "profiling_monitor": self.profiling_summary(),
            "resumed_from": self.resumed_from,
            "seconds": round(self.seconds, 2),
            "phase_seconds": {k: round(v, 2) for k, v in self.phase_seconds.items()},
        }


Progress = Callable[[str, int, int], None]  # phase, done, total


def run_demo(
    database: Database, options: DemoOptions, progress: Progress | None = None
) -> DemoResult:
    began = time.perf_counter()
    phases: dict[str, float] = {}
    report_progress = progress or (lambda _phase, _done, _total: None)

    tick = time.perf_counter()
    reached = demo_store.stage_reached(database, options.world_options())
    report_progress("building synthetic world", 0, 1)
    world = build_world(
        people=options.people,
        start=options.start,
        end=options.end,
        seed=options.seed,
        images=options.images,
        population=options.population,
        plant_profiling=options.plant_profiling,
    )
    report_progress("building synthetic world", 1, 1)
    phases["world"] = time.perf_counter() - tick

    tick = time.perf_counter()
    links = _reference(database, world, resuming=reached is not None)
    total = len(world.events)
    runner.enqueue_events(  # events already stored are received again as no-ops
        database,
        world,
        links,
        invalid_fraction=options.invalid_fraction,
        on_progress=lambda done: report_progress("receiving submissions", done, total),
        # as a live-scan station sends them (Type-9 minutiae, or WSQ Type-14 images in a
        # world drawn from images): the codec is on the main path
        as_car=True,
    )
    demo_store.mark(database, DemoStage.RECEIVED)
    phases["load"] = time.perf_counter() - tick

    tick = time.perf_counter()
    if options.exchange_dir is not None:
        write_submitted_cars(database, options.exchange_dir)
    worker = Worker(
        database,
        court=SimulatedImmigrationCourt(world),
        transport=_exchange_transport(database, options.exchange_dir),
        clock=DrawnServiceTimes(world.seed),
    )
    pending = worker.pending()
    reviews = 0

    def examiners_at_work() -> None:  # decide possible identifications as they are queued
        nonlocal reviews
        reviews += examiners.decide_pending(database, world, links)

    worker.run(
        on_progress=lambda done: report_progress("running the flow", done, pending),
        after_each=examiners_at_work,
    )
    demo_store.mark(database, DemoStage.FINISHED)
    phases["flow"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with database.session() as session:
        program_report = report.build(session)
        actual = program_report.cumulative
        expectation = scoring.expected_statistics(world, links)
        accuracy = scoring.score_identifications(session, world, links, expectation)
        agreed = agreement.compare(session, world, links, expectation)
        rejected = len(booking_service.rejected(session, limit=1_000_000))
        waits = answer_times.answer_times(session)
        profiling, _ = profiling_reviews.scan(session, actor="demo", at=utcnow())
        transparency.publish(
            session, epsilon=transparency.DEFAULT_EPSILON, publisher="demo", at=utcnow()
        )
    mismatches = scoring.mismatched_cells(actual, expectation.statistics)
    context = {
        "world": {
            "seed": options.seed,
            "start": options.start,
            "end": options.end,
            "people": options.people,
            "population": options.population,
        },
        "accuracy": accuracy,
        "published": published.compare(actual.nationwide),
        "mismatches": len(mismatches),
        "disagreements": len(agreed.items),
    }
    files = report.write_all(program_report, options.output_dir, context=context)
    large = (
        published.calibrate(
            people=options.large_world,
            seeds=[options.seed],
            start=options.start,
            end=options.end,
            population=options.population,
        ).pooled
        if options.large_world
        else []
    )
    phases["score"] = time.perf_counter() - tick
    return DemoResult(
        world=world,
        statistics=actual,
        expected=expectation.statistics,
        accuracy=accuracy,
        mismatches=mismatches,
        agreement=agreed,
        rejected=rejected,
        examiner_reviews=reviews,
        seconds=time.perf_counter() - began,
        phase_seconds=phases,
        files=files,
        resumed_from=None if reached is None else str(reached),
        answer_times=waits,
        profiling=profiling,
        large_world=large,
    )


def _reference(database: Database, world: World, *, resuming: bool) -> runner.SubjectLinks:
    """Load agencies, repositories and the court's docket; on a resumed run they are in
    the store already and only the ground-truth links are found again."""
    if resuming:
        return runner.relink(database, world)
    links = runner.load_reference(database, world)
    with database.session() as session:
        docket.record(session, runner.court_docket(world), source=f"demo world seed {world.seed}")
    demo_store.mark(database, DemoStage.REFERENCE_LOADED)
    return links


def _exchange_transport(database: Database, exchange_dir: Path | None) -> outbox.Transport | None:
    """Mailbox delivery plus, with an exchange folder, every answer written as a file."""
    if exchange_dir is None:
        return None
    return FanOutTransport(outbox.MailboxTransport(database), FileTransport(exchange_dir, database))


def write_submitted_cars(database: Database, exchange_dir: Path) -> int:
    """Each stored booking as the file its live-scan station sent the state bureau:
    ``<bureau ORI>/<TCN>.CAR.an2``, the bytes as received; a booking the runner corrupted
    on purpose has no CAR form and is written as received (``.BOOKING.json``)."""
    written = 0
    with database.session() as session:
        bookings = session.scalars(
            select(Submission).where(Submission.kind == SubmissionKind.BOOKING)
        )
        destinations: dict[str, str] = {}
        for submission in bookings:
            if submission.content_type == ANSI_NIST_CONTENT and submission.sender:
                bureau = runner.car_destination(session, submission.sender, destinations)
                name = f"{submission.external_key}.CAR.an2"
                answer = AnswerFile(bureau, name, submission.raw)
            else:
                name = f"{submission.external_key.replace(':', '_')}.BOOKING.json"
                answer = AnswerFile(answer_folder(submission.sender), name, submission.raw)
            place = inside(exchange_dir, answer_folder(answer.recipient))
            write_once(place, answer, key=submission.external_key)
            written += 1
    return written
