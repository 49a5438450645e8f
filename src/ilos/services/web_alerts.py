"""Live alerts for the web: the worker's classified changes (read from its journal) as a feed, the stream's
authorisation and audit (once per connection), and posting a change event (a stay for a subject) into the
store inbox the worker reads. The journal stays the worker's; this module only reads it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ilos.duckdb_paths import literal_path
from ilos.errors import FieldProblem, InvalidInputError, NotFoundError
from ilos.services import changes, realtime
from ilos.services.access import SUBJECT_READERS, Caller
from ilos.services.audit_log import Action, record_alone, require_role
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
    require_role(store, caller, ALERT_READERS, Action("alert.feed", "alert"))
    everything = alerts_after(store.settings.home, 0)
    latest = tuple(reversed(everything[-FEED:]))
    record_alone(store, caller, Action("alert.feed", "alert", result_count=len(latest)))
    return AlertsPage(latest, len(everything), caller.has_any(CHANGE_POSTERS))


def open_alert_stream(store: Store, caller: Caller, after: int) -> None:
    """Authorise one live connection and audit it once (the events it carries are not audited one by one)."""
    audit = Action("alert.stream", "alert", query={"after": after})
    require_role(store, caller, ALERT_READERS, audit)
    record_alone(store, caller, audit)


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
    STAY row carrying the subject's best name, date of birth, A-number and nationality, so the linker joins
    it), audited in the posting transaction; returns the event id."""
    audit = Action("change.post", "subject", (subject_id,), query={"source": STAY_SOURCE, "stay": stay_type})
    require_role(store, caller, CHANGE_POSTERS, audit)
    if stay_type not in STAY_TYPES:
        message = f"Stay type {stay_type!r} is not one of {', '.join(STAY_TYPES)}"
        raise InvalidInputError(message, [FieldProblem("stay_type", message)])
    best = _best_values(store.settings.home, subject_id)
    record_id = f"WEB-{uuid.uuid4().hex[:12].upper()}"
    dob = best.get("date_of_birth")
    row = {
        "REC_ID": record_id, "CASE_NO": record_id, "REC_TYPE": "STAY", "STAY_TYPE": stay_type,
        "A_NBR": f"A{best['a_number']}" if best.get("a_number") else None,
        "LAST_NAME": best.get("family_name"), "FIRST_NAME": best.get("given_name"),
        "DOB": date.fromisoformat(dob).strftime("%m/%d/%Y") if dob else None, "NAT": best.get("nationality"),
        "EVENT_DATE": on.strftime("%m/%d/%Y"), "ENTERED_DATE": on.strftime("%m/%d/%Y"),
        "DECISION_CODE": None, "RELIEF_TYPE": None, "DESTINATION_CTRY": None, "APPEAL_STATUS": None,
    }  # fmt: skip
    detail = f"{stay_type} stay on {on.isoformat()} for {subject_id} posted as {STAY_SOURCE}:{record_id}"
    posted = changes.post_change_event(store, caller, STAY_SOURCE, row, about=(subject_id,), detail=detail)
    return posted.event_id


def _best_values(home: Path, subject_id: str) -> dict[str, str]:
    path = linkage_dir(home) / "subjects.parquet"
    if not path.is_file():
        raise NotFoundError(f"No subjects in {path.parent}; run `ilos demo` or `ilos subjects build` first")
    con = duckdb.connect()
    try:
        found = con.execute(
            "SELECT best FROM read_parquet(?) WHERE subject_id = ?", [literal_path(path), subject_id]
        ).fetchall()
    finally:
        con.close()
    if not found:
        raise NotFoundError(f"No subject {subject_id!r}; find one with the search page")
    return {b["attribute"]: b["value"] for b in found[0][0] if b["value"] is not None}


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
