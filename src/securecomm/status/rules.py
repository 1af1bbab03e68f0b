"""Status determination (status-centre role): from immigration encounters to a status.

The encounters are folded in date order; the latest status-changing encounter wins,
except that citizenship, once granted, is permanent. A biometric match alone is never
a status finding: a naturalised or derived citizen keeps old encounters and must still
end as "U.S. citizen, no action". Contradictory or insufficient records go to an
analyst (UNABLE_TO_DETERMINE) instead of being guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from securecomm.decisions import Decision, JSONValue, Trace
from securecomm.domain import CriminalHistoryFact, EncounterFact, EncounterKind, StatusCategory
from securecomm.priority.catalogue import OffenceFlag, classify_charge_code, is_aggravated_felony
from securecomm.priority.schemes import legal_thresholds

PC_FINAL_ORDER = "final_order"
PC_PENDING_PROCEEDINGS = "pending_proceedings"
PC_BIOMETRIC_AND_DATABASES = "biometric_confirmation_and_database_checks"
PROBABLE_CAUSE_BASES = frozenset(
    {PC_FINAL_ORDER, PC_PENDING_PROCEEDINGS, PC_BIOMETRIC_AND_DATABASES}
)

# Admission classes on an ENTRY encounter's "class" detail.
CITIZEN_ADMISSION_CLASS = "USC"
LPR_ADMISSION_CLASSES = frozenset({"LPR", "IR1", "IR2", "IR5", "CR1", "CR2", "DV", "EB1", "EB2"})
DURATION_OF_STATUS = "D/S"  # students and exchange visitors: no fixed end date

# Which basis for a detainer each removable category provides.
_PROBABLE_CAUSE: Mapping[StatusCategory, str] = {
    StatusCategory.FINAL_ORDER: PC_FINAL_ORDER,
    StatusCategory.REMOVED_AND_REENTERED: PC_FINAL_ORDER,  # the prior order is reinstated
    StatusCategory.IN_PROCEEDINGS: PC_PENDING_PROCEEDINGS,
    StatusCategory.OVERSTAY: PC_BIOMETRIC_AND_DATABASES,
    StatusCategory.ENTERED_WITHOUT_INSPECTION: PC_BIOMETRIC_AND_DATABASES,
    StatusCategory.LPR: PC_BIOMETRIC_AND_DATABASES,
    StatusCategory.OTHER_LAWFUL: PC_BIOMETRIC_AND_DATABASES,
}


class InvalidEncounterError(ValueError):
    """An encounter whose detail cannot be read: which encounter, which field, why."""

    def __init__(self, encounter: EncounterFact, field_name: str, reason: str) -> None:
        self.encounter = encounter
        self.field_name = field_name
        self.reason = reason
        super().__init__(
            f"{encounter.kind.value} encounter of {encounter.day.isoformat()}: "
            f"detail {field_name!r}: {reason}"
        )


@dataclass(frozen=True)
class StatusDetermination:
    """The status centre's finding and the evidence it rests on."""

    category: StatusCategory
    removable: bool
    probable_cause: str | None
    evidence: tuple[str, ...]
    needs_analyst: bool

    @property
    def no_action(self) -> bool:
        """A citizen: "U.S. citizen, no action" whatever the old encounters say."""
        return self.category.is_citizen


@dataclass(frozen=True)
class _Lawful:
    kind: str  # "lpr", "nonimmigrant" or the encounter kind granting another status
    until: date | None  # None: no end date (or duration of status)
    evidence: str
    known_period: bool = True  # False: a nonimmigrant admission with no admitted_until


@dataclass
class _Record:
    """What the encounters established so far (mutable only while folding)."""

    citizenship: StatusCategory | None = None
    lawful: _Lawful | None = None
    unlawful_presence: str | None = None
    last_removal: str | None = None
    lawful_since_removal: bool = False
    departed: str | None = None  # a departure not yet followed by any sign of presence
    proceedings: str | None = None
    final_order: str | None = None
    unclear: list[str] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def describe_encounter(encounter: EncounterFact) -> str:
    """One evidence line for an encounter: date, kind and its details."""
    line = f"{encounter.day.isoformat()} {encounter.kind.value}"
    if encounter.detail:
        details = ", ".join(f"{key}={value}" for key, value in sorted(encounter.detail.items()))
        line += f" ({details})"
    return line


def _detail_date(encounter: EncounterFact, key: str) -> date | None:
    raw = encounter.detail.get(key)
    if raw is None or raw == DURATION_OF_STATUS:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidEncounterError(encounter, key, f"{raw!r} is not a YYYY-MM-DD date") from error


def _mark_present(record: _Record) -> None:
    record.departed = None


def _apply_entry(record: _Record, encounter: EncounterFact, line: str) -> None:
    admission_class = encounter.detail.get("class", "").strip().upper()
    if admission_class == CITIZEN_ADMISSION_CLASS:
        record.citizenship = StatusCategory.CITIZEN_BY_BIRTH
        return
    if not admission_class:
        record.unclear.append(f"{line}: admission with no admission class")
        record.lawful = None
        return
    if admission_class in LPR_ADMISSION_CLASSES:
        record.lawful = _Lawful("lpr", None, line)
    elif record.lawful is not None and record.lawful.kind == "lpr":
        record.contradictions.append(
            f"{line}: nonimmigrant admission of a recorded permanent resident"
        )
        return
    else:
        until = _detail_date(encounter, "admitted_until")
        known = until is not None or encounter.detail.get("admitted_until") == DURATION_OF_STATUS
        record.lawful = _Lawful("nonimmigrant", until, line, known_period=known)
    record.unlawful_presence = None
    record.lawful_since_removal = True


def _apply_grant(record: _Record, encounter: EncounterFact, line: str) -> None:
    if encounter.kind is EncounterKind.LPR_ADJUSTMENT or (
        encounter.kind is EncounterKind.RELIEF_GRANTED
        and encounter.detail.get("class", "").upper() in LPR_ADMISSION_CLASSES
    ):
        record.lawful = _Lawful("lpr", None, line)
    else:
        record.lawful = _Lawful(
            encounter.kind.value, _detail_date(encounter, "admitted_until"), line
        )
    record.unlawful_presence = None
    record.lawful_since_removal = True
    if encounter.kind is not EncounterKind.REFUGEE_ADMISSION:
        record.proceedings = None  # a grant ends the case that led to it
        record.final_order = None


def _apply_departure(record: _Record, encounter: EncounterFact, line: str) -> None:
    if encounter.kind is EncounterKind.REMOVAL:
        record.last_removal = line
        record.lawful_since_removal = False
    record.departed = line
    record.lawful = None
    record.unlawful_presence = None
    record.proceedings = None
    record.final_order = None  # executed by the departure


def _apply_proceedings(record: _Record, encounter: EncounterFact, line: str) -> None:
    match encounter.kind:
        case EncounterKind.NTA_ISSUED:
            record.proceedings = line
        case EncounterKind.FINAL_ORDER:
            record.final_order = line
            record.proceedings = None
        case EncounterKind.PROCEEDINGS_TERMINATED:
            if record.proceedings is None and record.final_order is None:
                record.contradictions.append(f"{line}: termination with no open proceedings")
            record.proceedings = None
            record.final_order = None


def _apply(record: _Record, encounter: EncounterFact) -> None:
    line = describe_encounter(encounter)
    record.evidence.append(line)
    if record.citizenship is not None:
        return  # citizenship is permanent; later records are kept as evidence only
    kind = encounter.kind
    if kind not in (EncounterKind.REMOVAL, EncounterKind.VOLUNTARY_RETURN):
        _mark_present(record)
    match kind:
        case EncounterKind.NATURALISATION:
            record.citizenship = StatusCategory.CITIZEN_BY_NATURALISATION
        case EncounterKind.DERIVED_CITIZENSHIP:
            record.citizenship = StatusCategory.CITIZEN_BY_DERIVATION
        case EncounterKind.VISA_ISSUANCE:
            pass  # a visa is permission to ask for admission, not a status
        case EncounterKind.ENTRY:
            _apply_entry(record, encounter, line)
        case EncounterKind.BORDER_APPREHENSION | EncounterKind.INTERIOR_APPREHENSION:
            if record.lawful is None:
                record.unlawful_presence = line
        case EncounterKind.REMOVAL | EncounterKind.VOLUNTARY_RETURN:
            _apply_departure(record, encounter, line)
        case (
            EncounterKind.LPR_ADJUSTMENT
            | EncounterKind.ASYLUM_GRANT
            | EncounterKind.REFUGEE_ADMISSION
            | EncounterKind.TPS_GRANT
            | EncounterKind.PAROLE
            | EncounterKind.RELIEF_GRANTED
        ):
            _apply_grant(record, encounter, line)
        case (
            EncounterKind.NTA_ISSUED
            | EncounterKind.FINAL_ORDER
            | EncounterKind.PROCEEDINGS_TERMINATED
        ):
            _apply_proceedings(record, encounter, line)


@dataclass(frozen=True)
class _Finding:
    category: StatusCategory
    rule: str
    reason: str
    basis: str | None  # the evidence line the finding rests on


def _resolve(record: _Record, as_of: date) -> _Finding:
    if record.citizenship is not None:
        return _Finding(record.citizenship, "status.citizenship", "citizenship is permanent", None)
    if record.contradictions:
        reason = "contradictory records: " + "; ".join(record.contradictions)
        return _Finding(StatusCategory.UNABLE_TO_DETERMINE, "status.contradiction", reason, None)
    if record.final_order is not None:
        return _Finding(
            StatusCategory.FINAL_ORDER,
            "status.final_order",
            "unexecuted final order of removal",
            record.final_order,
        )
    if record.last_removal is not None and not record.lawful_since_removal:
        reason = "removed, then present again without a lawful admission"
        if record.departed is not None:
            reason += " (re-entry shown by the present arrest)"
        return _Finding(
            StatusCategory.REMOVED_AND_REENTERED,
            "status.removed_reentered",
            reason,
            record.last_removal,
        )
    if record.proceedings is not None:
        return _Finding(
            StatusCategory.IN_PROCEEDINGS,
            "status.in_proceedings",
            "notice to appear issued, no final order or termination since",
            record.proceedings,
        )
    if record.lawful is not None:
        return _resolve_lawful(record.lawful, as_of)
    if record.unlawful_presence is not None or record.departed is not None:
        basis = record.unlawful_presence or record.departed
        reason = "present with no lawful admission on record"
        return _Finding(StatusCategory.ENTERED_WITHOUT_INSPECTION, "status.ewi", reason, basis)
    reason = "insufficient records: " + ("; ".join(record.unclear) or "no status-giving encounter")
    return _Finding(StatusCategory.UNABLE_TO_DETERMINE, "status.insufficient", reason, None)


def _resolve_lawful(lawful: _Lawful, as_of: date) -> _Finding:
    if lawful.kind == "lpr":
        return _Finding(
            StatusCategory.LPR, "status.lpr", "lawful permanent resident", lawful.evidence
        )
    if not lawful.known_period:
        reason = f"insufficient records: {lawful.evidence}: admission with no admitted_until"
        return _Finding(StatusCategory.UNABLE_TO_DETERMINE, "status.insufficient", reason, None)
    if lawful.until is not None and lawful.until < as_of:
        reason = f"admitted until {lawful.until.isoformat()}, still present on {as_of.isoformat()}"
        return _Finding(StatusCategory.OVERSTAY, "status.overstay", reason, lawful.evidence)
    return _Finding(
        StatusCategory.OTHER_LAWFUL, "status.other_lawful", "in a lawful status", lawful.evidence
    )


def _deportable_convictions(history: CriminalHistoryFact, as_of: date) -> list[str]:
    """Convictions that make a lawfully present person removable on criminal grounds."""
    thresholds = legal_thresholds()
    lines = []
    for charge in history.as_of(as_of).charges:
        if not charge.convicted:
            continue
        offence = classify_charge_code(charge.ncic_code)
        deportable = offence is not None and offence.has(OffenceFlag.LPR_DEPORTABLE)
        aggravated = is_aggravated_felony(
            offence, sentence_days=charge.sentence_days, thresholds=thresholds
        )
        if deportable or aggravated:
            lines.append(
                f"{charge.arrest_date.isoformat()} conviction {charge.ncic_code} "
                f"{charge.description} (incident {charge.incident_id})"
                + (" - aggravated felony" if aggravated else "")
            )
    return lines


def determine_status(
    *, encounters: Sequence[EncounterFact], history: CriminalHistoryFact, as_of: date
) -> Decision[StatusDetermination]:
    """The person's status on ``as_of`` from their encounters and criminal history."""
    considered = sorted((e for e in encounters if e.day <= as_of), key=lambda e: e.day)
    record = _Record()
    for encounter in considered:
        _apply(record, encounter)
    finding = _resolve(record, as_of)
    inputs: dict[str, JSONValue] = {
        "as_of": as_of.isoformat(),
        "encounters": [describe_encounter(e) for e in considered],
        "ignored_after_as_of": len(encounters) - len(considered),
    }
    traces = [
        Trace(
            rule=finding.rule,
            outcome=finding.category.value,
            inputs=inputs,
            note=finding.reason + (f"; basis: {finding.basis}" if finding.basis else ""),
        )
    ]
    evidence = list(record.evidence)
    removable = _removable_by_category(finding.category)
    if finding.category in (StatusCategory.LPR, StatusCategory.OTHER_LAWFUL):
        convictions = _deportable_convictions(history, as_of)
        removable = bool(convictions)
        evidence.extend(f"criminal ground: {line}" for line in convictions)
        traces.append(
            Trace(
                rule="status.criminal_grounds",
                outcome="removable" if removable else "not_removable",
                inputs={"deportable_convictions": list(convictions)},
                thresholds={
                    "aggravated_felony_min_sentence_days": (
                        legal_thresholds().aggravated_felony_min_sentence_days
                    )
                },
                note="lawful status; removable only on criminal grounds (INA 237(a)(2))",
            )
        )
    if not considered:
        evidence.append("no immigration encounter on record")
    determination = StatusDetermination(
        category=finding.category,
        removable=removable,
        probable_cause=_PROBABLE_CAUSE.get(finding.category) if removable else None,
        evidence=tuple(evidence),
        needs_analyst=finding.category is StatusCategory.UNABLE_TO_DETERMINE,
    )
    return Decision(determination, tuple(traces))


def _removable_by_category(category: StatusCategory) -> bool:
    return category in (
        StatusCategory.OVERSTAY,
        StatusCategory.ENTERED_WITHOUT_INSPECTION,
        StatusCategory.REMOVED_AND_REENTERED,
        StatusCategory.FINAL_ORDER,
        StatusCategory.IN_PROCEEDINGS,
    )


__all__ = [
    "PC_BIOMETRIC_AND_DATABASES",
    "PC_FINAL_ORDER",
    "PC_PENDING_PROCEEDINGS",
    "PROBABLE_CAUSE_BASES",
    "InvalidEncounterError",
    "StatusDetermination",
    "describe_encounter",
    "determine_status",
]
