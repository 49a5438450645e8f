"""Publishing a built worklist from the lake to the operational store: `ilos worklist build` writes
worklist.parquet, decisions.jsonl and worklist.json into the linkage directory; `publish_worklist` loads
them in bulk (COPY on PostgreSQL) in one audited transaction, replacing the role and purpose's previous
worklist. The web and API worklists then serve it for as long as it matches the linkage files, the policy,
the recorded reviews and the change worker's journal (`worklist_view`), and decide afresh otherwise.

A worklist decided under cited legal authorities is not published: what an authority unlocks is for the
case it was recorded for, not for every reader of the store."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from ilos.duckdb_paths import literal_path
from ilos.errors import InvalidInputError, NotFoundError
from ilos.policy.decide import as_shown
from ilos.policy.records import decision_of_record
from ilos.services import worklists
from ilos.services.access import Caller, Role
from ilos.services.audit_log import Action, record, require_role
from ilos.services.policy_in_force import current_policy, policy_role
from ilos.services.progress import Progress, silent
from ilos.services.store_access import Store
from ilos.store import worklist_tables
from ilos.store.worklist_tables import DecisionLoadRow, PublishedWorklistRow

PUBLISHERS = frozenset({Role.data_steward, Role.supervisor})
CHUNK = 20_000
_DECISIONS_SQL = """
SELECT json ->> 'subject_id' AS subject_id, json ->> 'status' AS status, json ->> 'policy_hash' AS policy_hash,
       CAST(json ->> 'decided_at' AS TIMESTAMPTZ) AS decided_at, CAST(json AS VARCHAR) AS record
FROM read_json_objects(?, format = 'newline_delimited')
"""


@dataclass(frozen=True, slots=True)
class PublishedWorklist:
    role: str
    purpose: str
    policy_label: str
    subjects: int
    by_status: dict[str, int]


def publish_worklist(
    store: Store, caller: Caller, linkage_dir: Path, progress: Progress = silent
) -> PublishedWorklist:
    """Load the linkage directory's built worklist and decisions into the store, with its audit event, in
    chunks (a million decisions are a few GB of explained JSON: never all in memory at once)."""
    require_role(store, caller, PUBLISHERS, Action("worklist.publish", "subject"))
    manifest = _manifest(linkage_dir)
    header = PublishedWorklistRow(
        role=manifest["role"],
        purpose=manifest["purpose"],
        policy_label=manifest["policy_label"],
        policy_hash=manifest["policy_hash"],
        as_of=date.fromisoformat(manifest["as_of"]),
        stamp=stamp_of(manifest),
        subjects=manifest["subjects"],
        published_at=datetime.now(UTC),
        published_by=caller.actor,
    )
    key = (header.role, header.purpose)
    query = {"role": header.role, "purpose": header.purpose, "policy_hash": header.policy_hash}
    with store.transaction() as session:
        worklist_tables.replace_header(session, header)
        items = 0
        items_file = pq.ParquetFile(linkage_dir / worklists.WORKLIST_FILE)
        for batch in items_file.iter_batches(CHUNK, columns=list(worklist_tables.ITEM_COLUMNS)):
            worklist_tables.load_items(session, key, items, batch.to_pylist())
            items += batch.num_rows
            progress(f"{items:,} worklist items")
        decisions = 0
        other_policy = 0
        for chunk in _decisions(linkage_dir / worklists.DECISIONS_FILE):
            worklist_tables.load_decisions(session, key, chunk)
            decisions += len(chunk)
            other_policy += sum(1 for d in chunk if d[2] != header.policy_hash)
            progress(f"{decisions:,} decisions")
        unmatched = worklist_tables.unmatched_subjects(session, key)
        if items != header.subjects or decisions != header.subjects or other_policy or unmatched:
            raise InvalidInputError(
                f"The worklist build in {linkage_dir} does not hold together ({items:,} items, {decisions:,} "
                f"decisions, {header.subjects:,} subjects in its manifest, {other_policy:,} decisions under "
                f"another policy, {unmatched:,} subjects in only one file); run `ilos worklist build` again"
            )
        record(session, caller, Action("worklist.publish", "subject", query=query, result_count=items))
    by_status = {s: n for s, n in manifest.get("by_status", {}).items() if n}
    return PublishedWorklist(header.role, header.purpose, header.policy_label, items, by_status)


def stamp_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a built worklist was decided from besides its role, purpose and policy (see `worklists.live_stamp`)."""
    return {k: manifest.get(k) for k in ("linkage_files", "reviews", "journal_bytes", "authorities")}


def _manifest(linkage_dir: Path) -> dict[str, Any]:
    path = linkage_dir / worklists.WORKLIST_MANIFEST
    files = [path, linkage_dir / worklists.WORKLIST_FILE, linkage_dir / worklists.DECISIONS_FILE]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise NotFoundError(
            f"No built worklist in {linkage_dir} ({', '.join(missing)} missing); run "
            f"`ilos worklist build {linkage_dir}` first"
        )
    manifest: dict[str, Any] = json.loads(path.read_text())
    lacking = [
        k
        for k in ("role", "purpose", "policy_label", "policy_hash", "as_of", "subjects")
        if k not in manifest
    ]
    if lacking:
        raise InvalidInputError(f"{path} lacks {', '.join(lacking)}; run `ilos worklist build` again")
    if manifest.get("authorities"):
        raise InvalidInputError(
            "This worklist was decided under cited legal authorities "
            f"({', '.join(manifest['authorities'])}); it is not published to every reader of the store. "
            "Build it without --authority to publish it."
        )
    if not manifest.get("linkage_files"):
        raise InvalidInputError(
            "This worklist build recorded no linkage files, so its freshness cannot be checked; "
            "run `ilos worklist build` again"
        )
    return manifest


def _decisions(path: Path) -> Iterator[list[DecisionLoadRow]]:
    """The decisions of decisions.jsonl in chunks, each line's JSON kept as written (DuckDB reads the lines
    and the few fields the table indexes; Python never parses the explanations)."""
    con = duckdb.connect()
    try:
        reader = con.sql(_DECISIONS_SQL, params=[literal_path(path)]).to_arrow_reader(CHUNK)
        for batch in reader:
            yield list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
    finally:
        con.close()


@dataclass(frozen=True, slots=True)
class PublishedDecision:
    """What the published worklist decided for one subject, to set beside a decision made now."""

    status: str
    explanation: str
    policy_hash: str
    decided_at: datetime
    published_at: datetime
    published_by: str


def published_decision(
    store: Store, caller: Caller, subject_id: str, hidden: Collection[str] = ()
) -> PublishedDecision | None:
    """The subject's decision in the worklist published for the caller's role and purpose, if any. Read
    only after the caller's read of the subject was authorised and audited (`subject_view.subject_page`).

    The log keeps the decision whole, so its explanation is shown as the purpose may see it, as the
    worklist's rows are (`decide.as_shown`): without what rests on the records it withheld, nor on
    `hidden` (those the caller's decision now withholds: a decision published before decisions named
    their withheld records names none)."""
    role = policy_role(current_policy(store.settings.home), caller)
    with store.transaction() as session:
        header = worklist_tables.published_worklist(session, role, caller.purpose.value)
        row = worklist_tables.published_decision(session, role, caller.purpose.value, subject_id)
        if header is None or row is None:
            return None
        explanation = as_shown(decision_of_record(row.record), hidden).explanation
        return PublishedDecision(
            row.status, explanation, row.policy_hash, row.decided_at, header.published_at, header.published_by
        )
