"""Use cases of worklists: evaluate every subject of a linkage under a policy for a purpose, write the
worklist and one decision per subject (with policy hash, inputs, time and explanation), export it, and
show what a new policy would change before it applies."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import load_policy
from ilos.duckdb_paths import literal_path
from ilos.errors import InvalidInputError
from ilos.policy.decide import as_shown, evaluate_subject
from ilos.policy.records import decision_record
from ilos.policy.results import Decision, Status
from ilos.services.gate_inputs import built_as_of, gate_inputs, linkage_stamp
from ilos.services.journal_events import journal_size, journaled_events
from ilos.services.journal_records import Journal, read_journal
from ilos.services.legal_store import RecordedInputs
from ilos.services.policy_admin import resolve_policy
from ilos.services.progress import Progress, silent

WORKLIST_FILE = "worklist.parquet"
DECISIONS_FILE = "decisions.jsonl"
WORKLIST_MANIFEST = "worklist.json"
FORMATS = ("csv", "json", "parquet")
DEFAULT_PURPOSE = "case_investigation"


@dataclass(frozen=True, slots=True)
class SubjectChange:
    subject_id: str
    old_status: str
    new_status: str
    old_priority: str
    new_priority: str
    old_score: int
    new_score: int


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    old_label: str
    new_label: str
    as_of: date
    subjects: int
    changes: tuple[SubjectChange, ...]

    @property
    def status_changes(self) -> int:
        return sum(1 for c in self.changes if c.old_status != c.new_status)

    @property
    def priority_changes(self) -> int:
        return sum(1 for c in self.changes if (c.old_priority, c.old_score) != (c.new_priority, c.new_score))


@dataclass(frozen=True, slots=True)
class WorklistBuild:
    out_dir: Path
    as_of: date
    policy_label: str
    purpose: str
    role: str
    subjects: int
    by_status: dict[str, int]
    seconds: float


def default_role(policy: Policy, purpose: str) -> str:
    """The first role the policy lets declare `purpose` (the CLI operator acts in that role)."""
    for role, purposes in policy.spec.role_purposes.items():
        if purpose in purposes:
            return role
    raise InvalidInputError(f"No role may declare purpose {purpose!r} under policy {policy.label}")


def evaluate_linkage(
    linkage_dir: Path,
    policy: Policy,
    as_of: date,
    purpose: str,
    role: str | None = None,
    inputs: RecordedInputs | None = None,
    live_events: pa.Table | None = None,
    journal: Journal | None = None,
) -> Iterator[Decision]:
    """Decide every subject; `inputs` are the recorded gate reviews and the cited legal authorities (each
    reaches only the decision of the subject it names); `live_events` the change worker's journaled events
    (`journal_events.journaled_events`), read from `journal` when given (read once for both)."""
    recorded = inputs or RecordedInputs()
    who = role or default_role(policy, purpose)
    decided_at = datetime.now(UTC)
    for found in gate_inputs(linkage_dir, policy, as_of, recorded.reviews, live_events, journal=journal):
        yield evaluate_subject(
            found.subject,
            as_of,
            policy,
            who,
            purpose,
            authorities=recorded.authorities_for(found.subject.subject_id),
            reviews=found.reviews,
            candidates=found.candidates,
            disputes=found.disputes,
            pending_merges=found.pending_merges,
            unread_records=found.unread_records,
            case_records_elsewhere=found.case_records_elsewhere,
            decided_at=decided_at,
            used_on=decided_at.date(),
        )


def build_worklist(
    linkage_dir: Path,
    policy_name: str | None = None,
    as_of: date | None = None,
    purpose: str = DEFAULT_PURPOSE,
    home: Path | None = None,
    progress: Progress = silent,
    inputs: RecordedInputs | None = None,
) -> WorklistBuild:
    """`ilos worklist build`: decide every subject; write worklist.parquet, decisions.jsonl, worklist.json."""
    started = time.perf_counter()
    policy = resolve_policy(policy_name, home)
    when = as_of or built_as_of(linkage_dir)
    role = default_role(policy, purpose)
    progress("evaluating gates and priority")
    files = linkage_stamp(linkage_dir)  # before reading them: a re-link meanwhile makes the build stale
    journal = journal_size(linkage_dir)  # before reading it: a line added meanwhile makes the stamp stale
    lines = read_journal(linkage_dir)  # once, for the events and the candidate matches
    live = journaled_events(linkage_dir, journal=lines)
    decisions = list(evaluate_linkage(linkage_dir, policy, when, purpose, role, inputs, live, lines))
    progress("writing the worklist and decisions")
    _write_atomically(linkage_dir / WORKLIST_FILE, lambda p: pq.write_table(worklist_table(decisions), p))
    _write_atomically(linkage_dir / DECISIONS_FILE, lambda p: write_decisions(decisions, p))
    counts = {s.value: sum(1 for d in decisions if d.status == s) for s in Status}
    result = WorklistBuild(
        linkage_dir, when, policy.label, purpose, role, len(decisions), counts, time.perf_counter() - started
    )
    manifest = {
        **asdict(result),
        "out_dir": str(linkage_dir),
        "as_of": when.isoformat(),
        "policy_hash": policy.content_hash,
        "linkage_files": files,
        **live_stamp(inputs or RecordedInputs(), journal),
    }
    (linkage_dir / WORKLIST_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return result


def live_stamp(inputs: RecordedInputs, journal_bytes: int) -> dict[str, Any]:
    """What a worklist was decided with besides the linkage files and the policy: the recorded reviews
    (append-only, so their count), the authorities cited, and how much of the worker's journal."""
    reviews = sum(len(r) for r in inputs.reviews.values())
    authorities = sorted(a.authority_id for a in inputs.authorities)
    return {"reviews": reviews, "authorities": authorities, "journal_bytes": journal_bytes}


def export_worklist(
    linkage_dir: Path,
    fmt: str,
    out: Path | None = None,
    purpose: str = DEFAULT_PURPOSE,
    policy_name: str | None = None,
    as_of: date | None = None,
    home: Path | None = None,
    inputs: RecordedInputs | None = None,
) -> Path:
    """`ilos worklist export`: the worklist for `purpose` as csv, json or parquet (re-decided for that purpose)."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    policy = resolve_policy(policy_name, home)
    when = as_of or built_as_of(linkage_dir)
    lines = read_journal(linkage_dir)  # once, for the events and the candidate matches
    live = journaled_events(linkage_dir, journal=lines)
    decisions = list(evaluate_linkage(linkage_dir, policy, when, purpose, None, inputs, live, lines))
    table = worklist_table(decisions)
    target = out or linkage_dir / f"worklist-{purpose}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, target)
    elif fmt == "csv":
        pacsv.write_csv(table, target)
    else:
        target.write_text(json.dumps(table.to_pylist(), indent=1, default=str) + "\n")
    return target


_STATUS_ORDER = {Status.ACTIONABLE: 0, Status.NEEDS_VERIFICATION: 1, Status.BLOCKED: 2}


def worklist_row(decided: Decision) -> dict[str, Any]:
    """One row as the decision's purpose may see it: records it may use nothing of are named by source
    (`decide.as_shown`); decisions.jsonl keeps the decision whole, as the record of what was decided on."""
    d = as_shown(decided)
    loc = d.location
    return {
        "subject_id": d.subject_id,
        "status": d.status.value,
        "priority": d.priority.band,
        "score": d.priority.score,
        "factors": "; ".join(
            f"{f.factor_id} {f.weight:+d} [{', '.join(f.evidence)}]" for f in d.priority.factors
        ),
        "gates": ";".join(g.gate.value for g in d.blocking),
        "gate_reasons": "; ".join(f"{g.gate.value}: {g.reason}" for g in d.blocking),
        "gate_notes": "; ".join(g.note for g in d.gates if g.note),
        "records": ";".join(
            i for i in d.inputs if not i.startswith(("review:", "authority:", "destination:"))
        ),
        "location": loc.value,
        "location_source": f"{loc.source}:{loc.record_id}" if loc.source else None,
        "location_date": loc.observed_on,
        "location_confidence": loc.confidence,
        "location_usable": loc.usable,
        "location_withheld": loc.withheld,
        "purpose": d.purpose,
        "as_of": d.as_of,
        "policy": f"{d.policy_id}@v{d.policy_version}",
        "policy_hash": d.policy_hash,
        "rule_set": d.priority.rule_set_id,
        "rule_set_hash": d.priority.rule_set_hash,
    }


def worklist_table(decisions: list[Decision]) -> pa.Table:
    """Actionable first, then by score, so the top of the list is the work the policy ranks first."""
    ordered = sorted(decisions, key=lambda d: (_STATUS_ORDER[d.status], -d.priority.score, d.subject_id))
    rows = [worklist_row(d) for d in ordered]
    if not rows:
        return pa.table({"subject_id": pa.array([], pa.string())})
    return pa.Table.from_pylist(rows)


def write_decisions(decisions: list[Decision], path: Path) -> None:
    with path.open("w") as handle:
        for d in decisions:
            handle.write(json.dumps(decision_record(d), default=str) + "\n")


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    write(tmp)
    tmp.replace(target)  # readers never see a half-written file


def diff_policies(
    old: str,
    new: str,
    linkage_dir: Path,
    as_of: date | None = None,
    purpose: str = "case_investigation",
    home: Path | None = None,
    inputs: RecordedInputs | None = None,
) -> PolicyDiff:
    """Which subjects change status or priority if `new` replaces `old`, before it applies."""
    old_policy, new_policy = load_policy(old, home), load_policy(new, home)
    when = as_of or built_as_of(linkage_dir)
    before = {d.subject_id: d for d in evaluate_linkage(linkage_dir, old_policy, when, purpose, None, inputs)}
    changes = []
    for d in evaluate_linkage(linkage_dir, new_policy, when, purpose, None, inputs):
        b = before[d.subject_id]
        if (b.status, b.priority.band, b.priority.score) != (d.status, d.priority.band, d.priority.score):
            changes.append(
                SubjectChange(
                    d.subject_id,
                    b.status.value,
                    d.status.value,
                    b.priority.band,
                    d.priority.band,
                    b.priority.score,
                    d.priority.score,
                )
            )
    return PolicyDiff(old_policy.label, new_policy.label, when, len(before), tuple(changes))


@dataclass(frozen=True, slots=True)
class WorklistTruth:
    """A worklist checked against a synthetic world's truth (majority person of each subject's records)."""

    subjects: int
    actionable: int
    actionable_protected: int  # actionable although the true person is protected or a US citizen
    removable_persons: int  # truly removable now, unprotected, not citizens
    removable_actionable: int  # of those, persons with at least one actionable subject
    offenders: tuple[
        tuple[str, str, str], ...
    ] = ()  # (subject, person, protections) actionable but protected

    @property
    def removable_share(self) -> float:
        return self.removable_actionable / self.removable_persons if self.removable_persons else 0.0


def score_worklist_against_truth(linkage_dir: Path, truth_dir: Path) -> WorklistTruth:
    """Synthetic worlds only: how the worklist's statuses compare with the hidden truth."""
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE majority AS WITH per AS (SELECT c.subject_id, t.person_id, count(*) AS n "
            "FROM read_parquet(?) c JOIN read_parquet(?) t USING (source, record_id) GROUP BY ALL) "
            "SELECT subject_id, arg_max(person_id, n) AS person_id FROM per GROUP BY subject_id",
            [literal_path(linkage_dir / "clusters.parquet"), literal_path(truth_dir / "records.parquet")],
        )
        con.execute(
            "CREATE TABLE judged AS SELECT w.subject_id, w.status, p.person_id, p.removable_now, p.protections, "
            "(len(p.protections) > 0 OR p.is_us_citizen) AS protected "
            "FROM read_parquet(?) w JOIN majority USING (subject_id) JOIN read_parquet(?) p USING (person_id)",
            [literal_path(linkage_dir / WORKLIST_FILE), literal_path(truth_dir / "persons.parquet")],
        )
        row = con.execute(
            "SELECT count(*), count(*) FILTER (status = 'actionable'), "
            "count(*) FILTER (status = 'actionable' AND protected), "
            "count(DISTINCT person_id) FILTER (status = 'actionable' AND removable_now AND NOT protected) FROM judged"
        ).fetchall()[0]
        offenders = con.execute(
            "SELECT subject_id, person_id, protections::VARCHAR FROM judged "
            "WHERE status = 'actionable' AND protected ORDER BY subject_id"
        ).fetchall()
        removable = con.execute(
            "SELECT count(*) FROM read_parquet(?) WHERE removable_now AND len(protections) = 0 AND NOT is_us_citizen",
            [literal_path(truth_dir / "persons.parquet")],
        ).fetchall()[0][0]
    finally:
        con.close()
    return WorklistTruth(row[0], row[1], row[2], removable, row[3], tuple(tuple(o) for o in offenders))
