"""Detainer rules: which form in which era, whether to lodge, LEA answers.

A detainer is a request. It is never lodged against a citizen or a person whose status
could not be determined (the first rule, a hard guarantee), never without removability
and a stated probable-cause basis, and only for a priority of the scheme in force. Form
eras and jurisdiction policies are data under ``data/``; the hold clock is in
:mod:`.hold_clock`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from securecomm.decisions import Decision, Trace
from securecomm.domain import DetainerForm, DetainerPolicy, LeaResponse, StatusCategory
from securecomm.priority.catalogue import PolicyDataError
from securecomm.priority.datafiles import read_json_rows
from securecomm.priority.rules import PriorityAssessment
from securecomm.priority.schemes import PepParameters, scheme_book
from securecomm.status.rules import PC_FINAL_ORDER, PROBABLE_CAUSE_BASES, StatusDetermination

DATA_DIR = Path(__file__).parent / "data"
FORMS_FILE = DATA_DIR / "forms.json"
POLICIES_FILE = DATA_DIR / "lea_policies.json"

WARRANT_FOR_FINAL_ORDER = "I-205"  # warrant of removal
WARRANT_OTHERWISE = "I-200"  # warrant for arrest of alien

Purpose = Literal["hold", "notify", "transfer"]


class NoDetainerError(ValueError):
    """An LEA response was asked for a decision that lodged no detainer."""


# --- data -------------------------------------------------------------------------------


class FormEra(BaseModel):
    """One detainer form and the days it was in use (both ends inclusive; None = open)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    form: DetainerForm
    serves: frozenset[Purpose] = Field(min_length=1)
    effective_from: date | None
    effective_until: date | None
    requires_probable_cause: bool
    requires_warrant: bool
    # A hold may be asked on this form only for a hold category of this priority scheme
    # (the I-247D's boxes are PEP priorities), whatever scheme is in force.
    hold_requires_categories_of: str | None = None
    edition: str = ""
    notices: tuple[str, ...] = ()  # what the form gives the detainee (copy, hotline)
    provenance: str = Field(min_length=1)

    @model_validator(mode="after")
    def _dates_in_order(self) -> FormEra:
        if (
            self.effective_from is not None
            and self.effective_until is not None
            and self.effective_until < self.effective_from
        ):
            raise ValueError("effective_until is before effective_from")
        return self

    def in_force(self, on: date) -> bool:
        starts = self.effective_from is None or self.effective_from <= on
        return starts and (self.effective_until is None or on <= self.effective_until)


class PolicyRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: DetainerPolicy
    holds: Literal["always", "with_warrant", "never"]
    notifies: bool
    provenance: str = Field(min_length=1)


def _overlap(a: FormEra, b: FormEra) -> bool:
    a_from, b_from = a.effective_from or date.min, b.effective_from or date.min
    a_until, b_until = a.effective_until or date.max, b.effective_until or date.max
    return a_from <= b_until and b_from <= a_until


def load_forms(path: Path) -> tuple[FormEra, ...]:
    """Form eras; two forms serving the same purpose may never be in force together."""
    forms = read_json_rows(path, "forms", FormEra)
    for number, form in enumerate(forms, start=1):
        for other_number, other in enumerate(forms[: number - 1], start=1):
            shared = form.serves & other.serves
            if shared and _overlap(form, other):
                reason = f"serves {sorted(shared)} while row {other_number} ({other.form}) does"
                raise PolicyDataError(file=path.name, row=number, field="serves", reason=reason)
    return tuple(forms)


def load_policies(path: Path) -> dict[DetainerPolicy, PolicyRule]:
    """One rule for every jurisdiction policy, no more, no less."""
    rules: dict[DetainerPolicy, PolicyRule] = {}
    for number, rule in enumerate(read_json_rows(path, "policies", PolicyRule), start=1):
        if rule.policy in rules:
            raise PolicyDataError(
                file=path.name, row=number, field="policy", reason="policy defined twice"
            )
        rules[rule.policy] = rule
    missing = sorted(set(DetainerPolicy) - set(rules))
    if missing:
        reason = f"no rule for {', '.join(missing)}"
        raise PolicyDataError(file=path.name, row=None, field="policy", reason=reason)
    return rules


@cache
def form_eras() -> tuple[FormEra, ...]:
    return load_forms(FORMS_FILE)


@cache
def policy_rules() -> dict[DetainerPolicy, PolicyRule]:
    return load_policies(POLICIES_FILE)


# --- forms ------------------------------------------------------------------------------


def _era_for(on: date, purpose: Purpose) -> FormEra:
    for era in form_eras():
        if purpose in era.serves and era.in_force(on):
            return era
    raise LookupError(f"no detainer form serves {purpose!r} on {on.isoformat()}")


def form_in_force(on: date, *, requests_hold: bool) -> DetainerForm:
    """The detainer form used on ``on`` to request a hold (or only notification)."""
    return _era_for(on, "hold" if requests_hold else "notify").form


# --- deciding ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DetainerDecision:
    lodge: bool
    form: DetainerForm | None
    requests_hold: bool
    probable_cause: str | None
    warrant: str | None  # "I-200" or "I-205" when the form needs one
    reason: str
    notices: tuple[str, ...] = ()  # given to the detainee with the form


def _no_detainer(rule: str, reason: str, inputs: dict[str, str]) -> Decision[DetainerDecision]:
    decision = DetainerDecision(False, None, False, None, None, reason)
    return Decision(
        decision, (Trace(rule=rule, outcome="no_detainer", inputs=inputs, note=reason),)
    )


def _hold_categories(scheme_id: str) -> frozenset[str]:
    parameters = scheme_book().by_id(scheme_id).parameters
    if not isinstance(parameters, PepParameters):
        raise PolicyDataError(
            file=FORMS_FILE.name,
            row=None,
            field="hold_requires_categories_of",
            reason=f"{scheme_id} defines no hold categories",
        )
    return parameters.hold_categories


def _wants_hold(priority: PriorityAssessment) -> tuple[bool, str]:
    if priority.scheme_id == "eo13768":
        return True, "EO 13768: PEP's notification default rescinded, a hold is requested"
    if priority.scheme_id != "pep2014":
        return True, f"{priority.scheme_id}: a lodged detainer requests a hold"
    basis = priority.meets_any(_hold_categories("pep2014"))
    if basis:
        return True, f"PEP: {', '.join(basis)} allows a hold request"
    held = ", ".join(priority.categories)
    return False, f"PEP: {held} gets notification only (the PEP default)"


def _form_for(
    on: date, priority: PriorityAssessment, wants_hold: bool
) -> tuple[FormEra, bool, str]:
    """The form in use on ``on``, whether it asks for a hold, and why: a hold form whose
    boxes the person meets no category of falls back to the notification form."""
    era = _era_for(on, "hold" if wants_hold else "notify")
    scheme_id = era.hold_requires_categories_of
    if not wants_hold or scheme_id is None:
        return era, wants_hold and "hold" in era.serves, ""
    required = _hold_categories(scheme_id)
    basis = priority.meets_any(required, scheme_id=scheme_id)
    if basis:
        return era, True, f"{era.form.value} hold basis: {', '.join(basis)}"
    note = (
        f"the {era.form.value} asks for a hold only for {scheme_id} categories "
        f"{', '.join(sorted(required))}; none applies, so notification only"
    )
    return _era_for(on, "notify"), False, note


def _transfer_instead(
    on: date, era: FormEra, requests_hold: bool, policy: DetainerPolicy | None
) -> tuple[FormEra, bool, str] | None:
    """Where the holding agency notifies but never holds, a hold request would only be
    declined: while a transfer form is in force ICE asks for custody at release instead."""
    if not requests_hold or policy is None:
        return None
    rule = policy_rules()[policy]
    transfer = next((e for e in form_eras() if "transfer" in e.serves and e.in_force(on)), None)
    if transfer is None or rule.holds != "never" or not rule.notifies:
        return None
    note = (
        f"the holding agency's policy ({policy.value}) notifies but never holds, so instead "
        f"of an {era.form.value} it would decline, the {transfer.form.value} asks for "
        "custody to pass to ICE at release (no detention beyond it)"
    )
    return transfer, False, note


def decide_detainer(
    *,
    status: StatusDetermination,
    priority: PriorityAssessment,
    on: date,
    policy: DetainerPolicy | None = None,
) -> Decision[DetainerDecision]:
    """Whether to lodge a detainer on ``on``, with which form, basis and warrant;
    ``policy`` is the holding agency's stated detainer policy where ICE knows it."""
    inputs = {
        "status": status.category.value,
        "priority": ", ".join(priority.categories) or "none",
        "scheme": priority.scheme_id,
        "on": on.isoformat(),
        "holding_agency_policy": policy.value if policy else "unknown",
    }
    if status.category.is_citizen or status.category is StatusCategory.UNABLE_TO_DETERMINE:
        reason = "never a detainer for a citizen or an undetermined status"
        return _no_detainer("detainer.citizen_or_undetermined", reason, inputs)
    if not status.removable:
        return _no_detainer("detainer.not_removable", "the person is not removable", inputs)
    if status.probable_cause not in PROBABLE_CAUSE_BASES:
        reason = "the status determination states no probable-cause basis"
        return _no_detainer("detainer.no_probable_cause", reason, inputs)
    if not priority.is_priority:
        reason = f"not a priority under {priority.scheme_id}"
        return _no_detainer("detainer.not_a_priority", reason, inputs)
    wants_hold, hold_reason = _wants_hold(priority)
    era, requests_hold, form_note = _form_for(on, priority, wants_hold)
    transfer = _transfer_instead(on, era, requests_hold, policy)
    if transfer is not None:
        era, requests_hold, transfer_note = transfer
        form_note = "; ".join(part for part in (form_note, transfer_note) if part)
    warrant = None
    if era.requires_warrant:
        warrant = (
            WARRANT_FOR_FINAL_ORDER
            if status.probable_cause == PC_FINAL_ORDER
            else (WARRANT_OTHERWISE)
        )
    why = "; ".join(part for part in (hold_reason, form_note) if part)
    decision = DetainerDecision(
        lodge=True,
        form=era.form,
        requests_hold=requests_hold,
        probable_cause=status.probable_cause,
        warrant=warrant,
        reason=f"{priority.category}; {why}; form {era.form.value} in use on {on}",
        notices=era.notices,
    )
    trace = Trace(
        rule="detainer.lodge",
        outcome=era.form.value,
        inputs={
            **inputs,
            "probable_cause": status.probable_cause,
            "warrant": warrant,
            "requests_hold": requests_hold,
        },
        thresholds={
            "form_in_force_from": era.effective_from.isoformat() if era.effective_from else None,
            "requires_warrant": era.requires_warrant,
            "requires_probable_cause": era.requires_probable_cause,
            "hold_requires_categories_of": era.hold_requires_categories_of,
        },
        era=priority.scheme_id,
        note=f"{why}; form provenance: {era.provenance}",
    )
    return Decision(decision, (trace,))


# --- the holding agency's answer --------------------------------------------------------


def lea_response(*, policy: DetainerPolicy, decision: DetainerDecision) -> Decision[LeaResponse]:
    """What a holding agency with ``policy`` answers to a lodged detainer."""
    if not decision.lodge or decision.form is None:
        raise NoDetainerError("no detainer was lodged, so there is nothing to answer")
    rule = policy_rules()[policy]
    if not decision.requests_hold:
        response = LeaResponse.HONOURED if rule.notifies else LeaResponse.DECLINED
        note = "notification-only request: honoured by notifying release"
    elif rule.holds == "always":
        response, note = LeaResponse.HONOURED, "holds on every detainer"
    elif rule.holds == "with_warrant":
        honoured = decision.warrant is not None
        response = LeaResponse.HONOURED if honoured else LeaResponse.DECLINED
        note = f"holds only with a signed warrant; warrant: {decision.warrant or 'none'}"
    else:
        response = LeaResponse.DECLINED
        note = "never holds" + ("; will notify release" if rule.notifies else "")
    trace = Trace(
        rule=f"lea.{policy.value}",
        outcome=response.value,
        inputs={
            "form": decision.form.value,
            "requests_hold": decision.requests_hold,
            "warrant": decision.warrant,
        },
        note=f"{note}; policy provenance: {rule.provenance}",
    )
    return Decision(response, (trace,))


__all__ = [
    "WARRANT_FOR_FINAL_ORDER",
    "WARRANT_OTHERWISE",
    "DetainerDecision",
    "FormEra",
    "NoDetainerError",
    "PolicyRule",
    "decide_detainer",
    "form_eras",
    "form_in_force",
    "lea_response",
    "load_forms",
    "load_policies",
    "policy_rules",
]
