"""Court records of a subject's own cases that another subject holds and that may bar action: a stay, a
pending appeal, a decision granting relief, a record ILOS cannot read. A stay posted with the subject's case
number but with no A-number or date of birth, and a name variant, is linked to no one and founds a subject of
its own; the subject whose removal order it stays must not be acted on as though it were not there. Case
numbers are compared as `legal_court.case_of` writes them (upper-cased, no blanks)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path

import duckdb
import pyarrow as pa

from ilos.domain.legal_court import case_of
from ilos.domain.legal_derivation import bars_action
from ilos.duckdb_paths import literal_path
from ilos.file_version import FileVersion, file_version
from ilos.policy.results import CaseRecordElsewhere
from ilos.services.journal_events import journaled_events
from ilos.services.journal_records import Journal
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.events_sql import BLANK_CLASS, quote_literal
from ilos.subjects.unrecognised import COURT_KINDS

_COURT_KINDS = sorted({*COURT_KINDS, "unrecognised_record"})
# Each court event of `events` with its case number as `case_of` writes it (upper-cased, no blanks); a looser
# key would only find more candidates: `case_of` decides in the end.
_COURT_SQL = f"""
SELECT subject_id, source, record_id, kind, occurred_on, recorded_on, attributes, markings,
       upper(regexp_replace(list_filter(attributes, lambda a: a.k = 'case')[1].v,
                            {quote_literal(BLANK_CLASS)}, '', 'g')) AS case_key
FROM events WHERE list_contains($kinds, kind)
"""  # noqa: S608 - constant text; the values are parameters
_LIVE_KEYS_SQL = f"SELECT case_key, subject_id FROM (WITH events AS (SELECT * FROM live_events) {_COURT_SQL})"  # noqa: S608 - constant text
# The case numbers more than one subject holds (of `$ids`' cases, when given), from (case_key, subject_id) rows.
_SHARED_KEYS_SQL = """
SELECT case_key FROM keys
WHERE case_key <> '' AND ($ids IS NULL OR case_key IN (SELECT case_key FROM keys WHERE list_contains($ids, subject_id)))
GROUP BY case_key HAVING count(DISTINCT subject_id) > 1
"""


COURT_CHANGES = frozenset({"stay_granted", "appeal_filed", "relief_granted", "unrecognised_record"})
"""Changes (`subjects.changes`) a court record brings that may bar action in every subject holding its case."""


def case_records_elsewhere(
    linkage_dir: Path, subject_ids: Collection[str] | None = None, journal: Journal | None = None
) -> dict[str, tuple[CaseRecordElsewhere, ...]]:
    """For each subject (of `subject_ids`, when given) holding a court record of some case, the records of that
    case other subjects hold that may bar action (`legal_derivation.bars_action`), from the subjects build's
    timeline and the events the change worker journaled since (`journal`, as the caller read it)."""
    rows = _shared_case_rows(linkage_dir, subject_ids, journal)
    return _elsewhere(rows, subject_ids) if rows is not None else {}


def subjects_sharing_cases(linkage_dir: Path, subject_id: str) -> set[str]:
    """The other subjects holding a court record of one of this subject's cases: a stay the worker linked here
    bars action in them too (`case_record_elsewhere`), so their open actions are re-checked at once."""
    rows = _shared_case_rows(linkage_dir, {subject_id}, None)
    return set() if rows is None else set(rows["subject_id"].to_pylist()) - {subject_id}


def _shared_case_rows(
    linkage_dir: Path, subject_ids: Collection[str] | None, journal: Journal | None
) -> pa.Table | None:
    """The court events of the cases more than one subject holds (of `subject_ids`' cases, when given); None
    without a subjects build (the caller reading the subjects says what to run). Which cases are shared is
    found first from each subject's case numbers (`_timeline_cases`, kept per timeline version, and the
    journal's); only when some are is the timeline read for their events: a subject's gate check at a million
    persons would otherwise read every court event of the timeline."""
    timeline = linkage_dir / "timeline.parquet"
    version = file_version(timeline)
    if version is None:
        return None
    live = journaled_events(linkage_dir, None, journal)
    ids = None if subject_ids is None else sorted(subject_ids)
    with duckdb.connect() as con:
        con.register("timeline_keys", _timeline_cases(timeline, version))
        keys = "SELECT case_key, subject_id FROM timeline_keys"
        events = "SELECT * FROM read_parquet($timeline)"
        if live is not None:
            con.register("live_events", live)
            keys += f" UNION ALL {_LIVE_KEYS_SQL}"
            events += " UNION ALL BY NAME SELECT * FROM live_events"
        asked: dict[str, object] = {"ids": ids}
        if live is not None:
            asked["kinds"] = _COURT_KINDS
        shared = con.sql(f"WITH keys AS ({keys}) {_SHARED_KEYS_SQL}", params=asked).fetchall()
        if not shared:
            return pa.table({"subject_id": pa.array([], pa.string())})
        con.register("shared_keys", pa.table({"case_key": [k for (k,) in shared]}))
        params = {"timeline": literal_path(timeline), "kinds": _COURT_KINDS}
        return con.sql(
            f"WITH events AS ({events}), court AS ({_COURT_SQL}) SELECT * FROM court SEMI JOIN shared_keys "  # noqa: S608 - constant text
            "USING (case_key) ORDER BY subject_id, occurred_on, source, record_id, kind",
            params=params,
        ).to_arrow_table()


@functools.lru_cache(maxsize=2)
def _timeline_cases(timeline: Path, _version: FileVersion) -> pa.Table:
    """Each (case number, subject) of the timeline's court events, once: a few bytes a case, read again only
    when a subjects build rewrites the timeline (`_version`)."""
    with duckdb.connect() as con:
        return con.sql(
            f"WITH events AS (SELECT * FROM read_parquet($timeline)) "  # noqa: S608 - constant text
            f"SELECT DISTINCT case_key, subject_id FROM ({_COURT_SQL}) WHERE case_key <> ''",
            params={"timeline": literal_path(timeline), "kinds": _COURT_KINDS},
        ).to_arrow_table()


def _elsewhere(
    rows: pa.Table, subject_ids: Collection[str] | None
) -> dict[str, tuple[CaseRecordElsewhere, ...]]:
    """The shared cases' events grouped by case as `case_of` reads it, each subject given the barring ones
    of its cases that other subjects hold."""
    holders: dict[str, set[str]] = defaultdict(set)
    barring: dict[str, list[tuple[str, CaseRecordElsewhere]]] = defaultdict(list)
    for row in rows_of(rows):
        event = event_from_row(row)
        case, holder = case_of(event), row["subject_id"]
        holders[case].add(holder)
        if bars_action(event):
            found = CaseRecordElsewhere(case, holder, str(event.ref), f"{event.source}:{event.record_id}")
            barring[case].append((holder, found))
    out: dict[str, list[CaseRecordElsewhere]] = defaultdict(list)
    for case, subjects in holders.items():
        for subject in subjects if subject_ids is None else subjects & set(subject_ids):
            out[subject] += [found for holder, found in barring[case] if holder != subject]
    return {subject: tuple(dict.fromkeys(found)) for subject, found in out.items() if found}
