"""The bookings in the store as the profiling monitor reads them: each transaction with
the officer, race and place of birth it was booked with, its charges and their
dispositions from the criminal repository, its match and its detainer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases.models import Case, Detainer
from securecomm.interop.models import Jurisdiction, Transaction
from securecomm.oversight.monitor_facts import BookingFacts, ChargeFacts, born_abroad, charge_facts
from securecomm.repositories.models import Arrest, Charge


def booking_facts(session: Session) -> list[BookingFacts]:
    charges: dict[str, list[ChargeFacts]] = {}
    for incident, code, disposition in session.execute(
        select(Arrest.incident_id, Charge.ncic_code, Charge.disposition)
        .join(Charge, Charge.arrest_id == Arrest.id)
        .order_by(Arrest.incident_id, Charge.position)
    ):
        charges.setdefault(incident, []).append(ChargeFacts(code, str(disposition)))
    detained = set(
        session.scalars(select(Case.transaction_id).join(Detainer, Detainer.case_id == Case.id))
    )
    rows = session.execute(
        select(
            Transaction.id,
            Transaction.tcn,
            Jurisdiction.code,
            Transaction.arresting_officer,
            Transaction.subject_race,
            Transaction.place_of_birth,
            Transaction.match_level,
        ).join(Jurisdiction, Transaction.jurisdiction_id == Jurisdiction.id)
    )
    return [
        BookingFacts(
            tcn=tcn,
            jurisdiction=code,
            officer=officer,
            race=race,
            foreign_born=born_abroad(place_of_birth),
            matched=match_level is not None,
            detainer=transaction_id in detained,
            **charge_facts(charges.get(tcn, [])),
        )
        for transaction_id, tcn, code, officer, race, place_of_birth, match_level in rows
    ]
