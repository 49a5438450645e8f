"""Attached work follows a split or a merge. A re-run that splits subject S (S keeps its id, S2... are new)
moves each action on S to the part holding the records it was based on, moves cases with their actions, halts
every open action on S until a person verifies identity again, and stores the split as a review item. A merge
of S4 into S3 moves the work on S4 to S3 and halts its open actions the same way (identity changed: the person
verified as S4 is now one of S3's records); it leaves no review item, as nobody's work is divided.

Which part an action follows (`part_for`): the part holding most of the records its verifications cite as
evidence (ties go to the id-keeping part); an action citing no record stays on the id-keeping part. A case
follows its actions on S (it may then group several parts); a case with no action on S stays. Every split
of a subject with attached work is "open" for review, whether or not anything moved: a split means the
identity the work relied on was wrong, even where the records cited stayed. Each split and each merge is
applied once (`split_key`, `merge_key`), so re-applying a linkage's history never moves later work.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.domain.cases import OPEN_ACTION_STATES, ActionState, GateBlock
from ilos.errors import ConflictError, NotFoundError
from ilos.resolve.linkage import CLUSTERS_FILE, SUBJECT_EVENTS_FILE, previous_subjects
from ilos.resolve.records import typed_record_key
from ilos.services.access import Caller, Role
from ilos.services.audit_log import Action, new_id, record, require_role
from ilos.services.case_actions import halt_action
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionRow, ActionVerificationRow, CaseSubjectRow
from ilos.store.split_tables import SubjectMergeRow, SubjectSplitRow

SPLIT_GATE = "identity_split"
MERGE_GATE = "identity_merge"
SPLIT_READERS = frozenset({Role.analyst, Role.supervisor, Role.logistics_planner, Role.oversight})
SPLIT_RESOLVERS = frozenset({Role.supervisor})


@dataclass(frozen=True, slots=True)
class Split:
    """One split as the re-run recorded it."""

    at: str
    subject_id: str
    parts: tuple[str, ...]

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.at}|{self.subject_id}|{','.join(self.parts)}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SplitView:
    split_id: str
    subject_id: str
    parts: tuple[str, ...]
    split_at: str
    state: str
    moved: tuple[dict[str, Any], ...]
    halted: tuple[str, ...]
    applied_at: datetime
    resolved_by: str | None
    resolution_note: str | None


def part_for(split: Split, cited: Iterable[str], subject_of: Mapping[str, str]) -> str:
    """The part of the split holding most of the cited records; the id-keeping part on a tie or none."""
    parts = {split.subject_id, *split.parts}
    counts = Counter(subject_of[r] for r in cited if subject_of.get(r) in parts)
    if not counts:
        return split.subject_id
    best = max(counts.values())
    leaders = sorted(p for p, n in counts.items() if n == best)
    return split.subject_id if split.subject_id in leaders else leaders[0]


def read_subject_events(linkage_dir: Path, kind: str) -> list[Split]:
    """Every split (or merge: `parts` are then the ids absorbed) in the linkage's history, oldest first."""
    path = linkage_dir / SUBJECT_EVENTS_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        entries = [json.loads(line) for line in f if line.endswith("\n")]
    return [Split(e["at"], e["subject_id"], tuple(e["others"])) for e in entries if e["kind"] == kind]


def read_record_subjects(linkage_dir: Path) -> dict[str, str]:
    """`source|record_id` -> subject id in the linkage as it is now."""
    if not (linkage_dir / CLUSTERS_FILE).is_file():
        raise NotFoundError(f"No {CLUSTERS_FILE} in {linkage_dir}; run `ilos link` first")
    return previous_subjects(linkage_dir)


def follow_splits(store: Store, caller: Caller, linkage_dir: Path) -> list[SplitView]:
    """Apply the linkage's splits not applied yet, each in its own audited transaction; returns them."""
    require_role(store, caller, SPLIT_RESOLVERS | {Role.data_steward}, Action("split.follow", "subject"))
    subject_of = read_record_subjects(linkage_dir)
    for merge in read_subject_events(linkage_dir, "merge"):
        with store.transaction() as session:
            if (merged := follow_merge(session, merge)) is not None:
                record(session, caller, _merge_audit(merged))
    applied = []
    for split in read_subject_events(linkage_dir, "split"):
        with store.transaction() as session:
            if session.scalar(select(SubjectSplitRow.id).where(SubjectSplitRow.split_key == split.key)):
                continue
            row = apply_split(session, split, subject_of)
            moved = sum(m["from"] != m["to"] for m in row.moved)
            detail = f"split of {split.subject_id} into {', '.join(split.parts)}: {moved} moved, " + (
                f"{len(row.halted)} halted, review {row.state}"
            )
            ids = (row.id, split.subject_id, *split.parts)
            record(session, caller, Action("split.follow", "subject_split", ids, detail=detail))
            applied.append(_view(row))
    return applied


def follow_merge(session: Session, merge: Split) -> SubjectMergeRow | None:
    """Apply a merge not applied yet, in the session's transaction (no commit): work on the absorbed ids
    moves to the subject that continues and its open actions are halted until identity is verified again;
    None when the merge was applied before."""
    if session.scalar(select(SubjectMergeRow.id).where(SubjectMergeRow.merge_key == merge.key)):
        return None
    actions = session.scalars(
        select(ActionRow).where(ActionRow.subject_id.in_(merge.parts)).order_by(ActionRow.created_at)
    ).all()
    moved = [_move("action", a.id, a.subject_id, merge.subject_id, (), "merged") for a in actions]
    halted: list[str] = []
    for action in actions:
        action.subject_id = merge.subject_id
        if ActionState(action.state) in OPEN_ACTION_STATES:
            halt_action(session, action, [_merge_block(merge)], f"merge into {merge.subject_id}")
            halted.append(action.id)
    links = session.scalars(select(CaseSubjectRow).where(CaseSubjectRow.subject_id.in_(merge.parts))).all()
    for link in links:
        moved.append(_move("case", link.case_id, link.subject_id, merge.subject_id, (), "merged"))
        _regroup(session, link.case_id, [merge.subject_id], "system:merge")
        session.delete(link)
    row = SubjectMergeRow(
        id=new_id(), merge_key=merge.key, subject_id=merge.subject_id, absorbed=list(merge.parts),
        merged_at=merge.at, moved=moved, halted=halted, applied_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def apply_split(session: Session, split: Split, subject_of: Mapping[str, str]) -> SubjectSplitRow:
    """Move the work on the split subject in the session's transaction (no commit), halt its open actions,
    and add the split's row (open for review when any work was attached)."""
    actions = session.scalars(
        select(ActionRow).where(ActionRow.subject_id == split.subject_id).order_by(ActionRow.created_at)
    ).all()
    moved: list[dict[str, Any]] = []
    halted: list[str] = []
    case_parts: dict[str, set[str]] = {}
    for action in actions:
        cited = _cited_records(session, action.id, subject_of)
        target = part_for(split, cited, subject_of)
        moved.append(_move("action", action.id, split.subject_id, target, cited))
        action.subject_id = target
        if action.case_id is not None:
            case_parts.setdefault(action.case_id, set()).add(target)
        if ActionState(action.state) in OPEN_ACTION_STATES:
            halt_action(session, action, [_split_block(split, target, cited)], f"split of {split.subject_id}")
            halted.append(action.id)
    moved += _move_cases(session, split, case_parts)
    row = SubjectSplitRow(
        id=new_id(), split_key=split.key, subject_id=split.subject_id, parts=list(split.parts),
        split_at=split.at, moved=moved, halted=halted, state="open" if moved else "nothing_attached",
        applied_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def split_reviews(store: Store, caller: Caller, state: str | None = "open") -> list[SplitView]:
    """Splits applied to attached work (open ones by default), newest first; audited."""
    audit = Action("split.list", "subject_split", query={"state": state})
    require_role(store, caller, SPLIT_READERS, audit)
    with store.transaction() as session:
        query = select(SubjectSplitRow).order_by(SubjectSplitRow.applied_at.desc(), SubjectSplitRow.id)
        if state is not None:
            query = query.where(SubjectSplitRow.state == state)
        views = [_view(r) for r in session.scalars(query)]
        record(
            session, caller, Action(audit.name, audit.object_type, query=audit.query, result_count=len(views))
        )
    return views


def resolve_split_review(store: Store, caller: Caller, split_id: str, note: str) -> SplitView:
    """A supervisor closes a split's review with a note (the halted actions still need their own reopening
    and identity verification)."""
    audit = Action("split.resolve", "subject_split", (split_id,))
    require_role(store, caller, SPLIT_RESOLVERS, audit)
    with store.transaction() as session:
        row = session.get(SubjectSplitRow, split_id)
        if row is None:
            raise NotFoundError(f"No split review {split_id!r}; list them with `ilos cases split-reviews`")
        if row.state != "open":
            raise ConflictError(f"Split review {split_id} is {row.state}, not open")
        row.state, row.resolved_by, row.resolved_at = "resolved", caller.actor, datetime.now(UTC)
        row.resolution_note = note
        record(
            session, caller, Action(audit.name, audit.object_type, (split_id, row.subject_id), detail=note)
        )
        return _view(row)


def _cited_records(session: Session, action_id: str, subject_of: Mapping[str, str]) -> list[str]:
    """Record keys (`source|record_id`) the action's verifications give as evidence, superseded ones too."""
    evidence = session.scalars(
        select(ActionVerificationRow.evidence).where(ActionVerificationRow.action_id == action_id)
    ).all()
    return sorted({item for items in evidence for item in items if item in subject_of})


def _move_cases(session: Session, split: Split, case_parts: Mapping[str, set[str]]) -> list[dict[str, Any]]:
    """Cases grouping the split subject: those with actions on it follow them; the others stay."""
    moved = []
    links = session.scalars(select(CaseSubjectRow).where(CaseSubjectRow.subject_id == split.subject_id)).all()
    for link in links:
        parts = case_parts.get(link.case_id, {split.subject_id})
        _regroup(session, link.case_id, sorted(parts), "system:split")
        if split.subject_id not in parts:
            session.delete(link)
        basis = "follows its actions" if link.case_id in case_parts else "no action on the subject: stays"
        moved += [_move("case", link.case_id, split.subject_id, p, (), basis) for p in sorted(parts)]
    session.flush()
    return moved


def _regroup(session: Session, case_id: str, subject_ids: Sequence[str], by: str) -> None:
    """Add the subjects to the case unless it groups them already."""
    held = set(session.scalars(select(CaseSubjectRow.subject_id).where(CaseSubjectRow.case_id == case_id)))
    for subject_id in subject_ids:
        if subject_id not in held:
            session.add(
                CaseSubjectRow(
                    case_id=case_id, subject_id=subject_id, added_by=by, added_at=datetime.now(UTC)
                )
            )


def _move(
    kind: str, object_id: str, origin: str, target: str, cited: Sequence[str], basis: str = ""
) -> dict[str, Any]:
    why = basis or (f"cites {len(cited)} record(s)" if cited else "cites no record: stays with the id")
    return {"object_type": kind, "object_id": object_id, "from": origin, "to": target, "basis": why,
            "records": list(cited)}  # fmt: skip


def _split_block(split: Split, target: str, cited: Sequence[str]) -> GateBlock:
    reason = (
        f"subject {split.subject_id} was split by a re-run ({split.at}) into "
        f"{', '.join((split.subject_id, *split.parts))}; this action now sits on {target}: "
        "a person must verify identity again"
    )
    return GateBlock(
        SPLIT_GATE, reason, (f"split:{split.key[:12]}", *cited), True, tuple(map(typed_record_key, cited))
    )


def _merge_audit(row: SubjectMergeRow) -> Action:
    absorbed = ", ".join(row.absorbed)
    detail = f"merge of {absorbed} into {row.subject_id}: {len(row.moved)} moved, {len(row.halted)} halted"
    ids = (row.id, row.subject_id, *row.absorbed)
    return Action("merge.follow", "subject_merge", ids, result_count=len(row.moved), detail=detail)


def _merge_block(merge: Split) -> GateBlock:
    reason = (
        f"subject(s) {', '.join(merge.parts)} were merged into {merge.subject_id} by a re-run ({merge.at}): "
        "a person must verify identity again"
    )
    return GateBlock(MERGE_GATE, reason, (f"merge:{merge.key[:12]}",), True, ())


def _view(row: SubjectSplitRow) -> SplitView:
    return SplitView(
        row.id, row.subject_id, tuple(row.parts), row.split_at, row.state, tuple(row.moved), tuple(row.halted),
        row.applied_at, row.resolved_by, row.resolution_note,
    )  # fmt: skip
