"""Live alerts for the web: the worker's classified changes (read from its journal) as a feed, the stream's
authorisation and audit (its opening, and each batch of alerts it pushes), and posting a change event (a stay for a subject) into the
store inbox the worker reads. The journal stays the worker's; this module only reads it."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ilos.duckdb_paths import literal_path
from ilos.errors import FieldProblem, InvalidInputError, NotFoundError
from ilos.services import changes, realtime
from ilos.services.access import SUBJECT_READERS, Caller
from ilos.services.audit_log import Action, record_alone, require_role
from ilos.services.journal_records import alert_subjects
from ilos.services.linkage_publish import RESTRICTED
from ilos.services.published_view import SourceRule, source_rule
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir

ALERT_READERS = SUBJECT_READERS
CHANGE_POSTERS = changes.CHANGE_POSTERS
STAY_TYPES = ("JUDICIAL", "ADMINISTRATIVE")
STAY_SOURCE = "court_cases"
FEED = 50


@dataclass(frozen=True, slots=True)
class AlertItem:
    position: int  # 1-based place in the journal's alerts: the stream resumes after it
    event_id: str
    subject_id: str
    classification: str
    kind: str
    summary: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertsPage:
    alerts: tuple[AlertItem, ...]  # newest first
    position: int  # how many alerts exist now: the live stream starts after this
    may_post: bool


def alerts_page(store: Store, caller: Caller) -> AlertsPage:
    """The latest alerts, newest first, and where the live stream should start; audited."""
    require_role(store, caller, ALERT_READERS, Action("alert.feed", "subject"))
    everything = alerts_after(store.settings.home, 0)
    latest = tuple(reversed(everything[-FEED:]))
    shown = alert_subjects(asdict(a) for a in latest)
    record_alone(store, caller, Action("alert.feed", "subject", shown, result_count=len(latest)))
    return AlertsPage(latest, len(everything), caller.has_any(CHANGE_POSTERS))


def open_alert_stream(store: Store, caller: Caller, after: int) -> None:
    """Authorise one live connection and audit its opening (`alert.stream`); what it then pushes is audited
    as it goes (`record_pushed`)."""
    audit = Action("alert.stream", "alert", query={"after": after})
    require_role(store, caller, ALERT_READERS, audit)
    record_alone(store, caller, audit)


def record_pushed(store: Store, caller: Caller, items: Sequence[AlertItem]) -> None:
    """Audit alerts a live connection is about to push (`alert.push`, naming their subjects): one event per
    batch the stream reads from the journal — every alert added since its last read — so a busy worker costs
    an event per poll, not per alert. Written before the push: what cannot be recorded is not sent."""
    if items:
        first = items[0].position - 1
        shown = alert_subjects(asdict(i) for i in items)
        record_alone(store, caller, Action("alert.push", "subject", shown, {"after": first}, len(items)))


def journal_signature(home: Path) -> tuple[int, int] | None:
    """Size and modification time of the worker's journal: the stream re-reads it only when this changes."""
    try:
        stat = (linkage_dir(home) / realtime.JOURNAL_FILE).stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def alerts_after(home: Path, after: int) -> list[AlertItem]:
    """Every alert after position `after`, oldest first (no audit: the page or stream that asks is audited)."""
    return [_item(after + i + 1, a) for i, a in enumerate(realtime.read_alerts(linkage_dir(home), after))]


def post_stay(store: Store, caller: Caller, subject_id: str, stay_type: str, on: date) -> str:
    """Post a court stay for a subject into the store inbox, as `POST /api/v1/changes` does (a court_cases
    STAY row carrying the subject's name, date of birth, A-number and nationality, so the linker joins it),
    audited in the posting transaction; returns the event id.

    The row becomes a COURT record, so it carries only values of records the poster's purpose may use and
    that may name a subject anywhere (not TAX or HEALTH: `_stay_values`). A subject with no A-number, nor a
    name and a date of birth, among those records is refused (422, audited): the stay would carry too little
    to be linked to them (a name alone founds a subject of its own), and their removal would not see it."""
    audit = Action("change.post", "subject", (subject_id,), query={"source": STAY_SOURCE, "stay": stay_type})
    require_role(store, caller, CHANGE_POSTERS, audit)
    if stay_type not in STAY_TYPES:
        message = f"Stay type {stay_type!r} is not one of {', '.join(STAY_TYPES)}"
        raise InvalidInputError(message, [FieldProblem("stay_type", message)])
    values = _stay_values(store, caller, subject_id)
    if not (values.get("a_number") or (values.get("family_name") and values.get("date_of_birth"))):
        message = (
            f"Subject {subject_id} has no A-number, nor a name and date of birth, in records your purpose may "
            "use outside TAX and HEALTH data, so a stay posted here could not be linked to them; post the "
            "court's stay record itself, with its own values (POST /api/v1/changes)"
        )
        record_alone(store, caller, replace(audit, outcome="invalid_input", detail=message))
        raise InvalidInputError(message, [FieldProblem("subject_id", message)])
    record_id = f"WEB-{uuid.uuid4().hex[:12].upper()}"
    dob = values.get("date_of_birth")
    row = {
        "REC_ID": record_id, "CASE_NO": record_id, "REC_TYPE": "STAY", "STAY_TYPE": stay_type,
        "A_NBR": f"A{values['a_number']}" if values.get("a_number") else None,
        "LAST_NAME": values.get("family_name"), "FIRST_NAME": values.get("given_name"),
        "DOB": date.fromisoformat(dob).strftime("%m/%d/%Y") if dob else None, "NAT": values.get("nationality"),
        "EVENT_DATE": on.strftime("%m/%d/%Y"), "ENTERED_DATE": on.strftime("%m/%d/%Y"),
        "DECISION_CODE": None, "RELIEF_TYPE": None, "DESTINATION_CTRY": None, "APPEAL_STATUS": None,
    }  # fmt: skip
    detail = f"{stay_type} stay on {on.isoformat()} for {subject_id} posted as {STAY_SOURCE}:{record_id}"
    posted = changes.post_change_event(store, caller, STAY_SOURCE, row, about=(subject_id,), detail=detail)
    return posted.event_id


STAY_FIELDS = ("given_name", "family_name", "date_of_birth", "a_number", "nationality")
# The subject's observed values of the stay's fields, each with its source and that source's markings.
_STAY_VALUES_SQL = """
SELECT attribute, value, source, markings, observed_on FROM read_parquet($observations)
WHERE subject_id = $subject AND list_contains($fields, attribute) AND value IS NOT NULL
ORDER BY attribute, observed_on NULLS FIRST, value
"""


def _stay_values(store: Store, caller: Caller, subject_id: str) -> dict[str, str]:
    """The values a stay for the subject carries, from open records only (as the publisher names subjects,
    `linkage_publish`): records of a source the caller's purpose may use, whose markings (the records' and
    the policy's) are not RESTRICTED. Per field, the survivorship's best value when an open record gave it,
    else the one open records give most often, then the latest."""
    directory = linkage_dir(store.settings.home)
    summary, observations = directory / "subjects.parquet", directory / "observations.parquet"
    for path in (summary, observations):
        if not path.is_file():
            raise NotFoundError(
                f"No {path.name} in {directory}; run `ilos demo` or `ilos subjects build` first"
            )
    con = duckdb.connect()
    try:
        found = con.execute(
            "SELECT best FROM read_parquet(?) WHERE subject_id = ?", [literal_path(summary), subject_id]
        ).fetchall()
        seen = con.execute(
            _STAY_VALUES_SQL,
            {"observations": literal_path(observations), "subject": subject_id, "fields": list(STAY_FIELDS)},
        ).fetchall()
    finally:
        con.close()
    if not found:
        raise NotFoundError(f"No subject {subject_id!r}; find one with the search page")
    rule = source_rule(store.settings.home, caller)
    markings = {source: list(marks) for _, _, source, marks, _ in seen}
    open_sources = {source for source, marks in markings.items() if _is_open(rule, source, marks)}
    counted = Counter((a, v) for a, v, source, _, _ in seen if source in open_sources)
    values: dict[str, str] = {}
    for attribute, value, source, _, _ in seen:  # oldest first: among equal counts the latest stays
        if (
            source in open_sources
            and counted[(attribute, value)] >= counted[(attribute, values.get(attribute))]
        ):
            values[attribute] = value
    best = found[0][0] or []
    values |= {b["attribute"]: b["value"] for b in best if b["source"] in open_sources and b["value"]}
    return {field: values[field] for field in STAY_FIELDS if field in values}


def _is_open(rule: SourceRule, source: str, markings: list[str]) -> bool:
    """The caller's purpose may use the source's records, and neither their markings nor the policy's give
    the source a RESTRICTED one (the policy can add a marking, not lift one)."""
    policy_markings = rule.policy.spec.source_markings.get(source) or ()
    return not rule.refusal(source, markings) and not (set(markings) | set(policy_markings)) & set(RESTRICTED)


def _item(position: int, alert: dict[str, Any]) -> AlertItem:
    return AlertItem(
        position,
        str(alert["event_id"]),
        str(alert["subject_id"]),
        str(alert.get("classification", "")),
        str(alert.get("kind", "")),
        str(alert.get("summary", "")),
        tuple(str(e) for e in alert.get("evidence", ())),
    )
