"""Whether the store's anchors are backed by what `ilos audit prune` leaves, as plain functions.

Verification starts after the newest anchor, so an anchor nobody pruned to would hide the history before it;
an anchor is trusted only when the prune it claims shows: the events it covers are gone, an `audit.prune`
event after it names it, and its archive (when found) starts and ends where the anchors say."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ilos.audit.archive import ArchiveHeader
from ilos.audit.chain import AuditRecord, ChainHead

PRUNE_ACTION = "audit.prune"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A recorded prune: the last archived event, how many events the archive holds, its file name."""

    seq: int
    hash: str
    events: int
    archive: str


@dataclass(frozen=True, slots=True)
class PruneEvidence:
    """What the store (and the archive directory) hold that a real prune leaves behind."""

    lowest_stored_seq: int | None  # None when no event is stored
    prune_events: Sequence[AuditRecord]  # audit.prune events after the newest anchor, in chain order
    archives: Mapping[str, ArchiveHeader | None]  # archives found, by file name; None if unreadable


@dataclass(frozen=True, slots=True)
class AnchorProblem:
    seq: int
    reason: str


def prune_detail(start: ChainHead, end: ChainHead, archive: str) -> str:
    """The detail of the `audit.prune` event that records pruning (start, end] to `archive`."""
    return f"events {start.seq + 1}..{end.seq} archived to {archive}"


def anchor_problem(anchors: Sequence[Anchor], evidence: PruneEvidence) -> AnchorProblem | None:
    """The first anchor (in seq order) not backed by a prune, and why; None if every one is."""
    if not anchors:
        return None
    previous = before_newest = ChainHead()
    for anchor in anchors:
        problem = _stretch_problem(anchor, previous, evidence.archives)
        if problem is not None:
            return AnchorProblem(anchor.seq, f"{_named(anchor)} is not backed by a prune: {problem}")
        before_newest, previous = previous, ChainHead(anchor.seq, anchor.hash)
    newest = anchors[-1]
    problem = _newest_problem(newest, before_newest, evidence)
    if problem is not None:
        return AnchorProblem(newest.seq, f"{_named(newest)} is not backed by a prune: {problem}")
    return None


def _named(anchor: Anchor) -> str:
    return f"anchor {anchor.seq} (archive {anchor.archive})"


def _stretch_problem(
    anchor: Anchor, previous: ChainHead, archives: Mapping[str, ArchiveHeader | None]
) -> str | None:
    if anchor.events != anchor.seq - previous.seq:
        return f"it counts {anchor.events} events but follows event {previous.seq}"
    if anchor.archive not in archives:
        return None  # kept elsewhere (write-once storage): `ilos audit verify --archive` checks it
    header = archives[anchor.archive]
    if header is None:
        return "its archive cannot be read"
    if header != ArchiveHeader(previous, ChainHead(anchor.seq, anchor.hash), anchor.events):
        return (
            f"its archive holds events {header.start.seq + 1}..{header.end.seq} ending {header.end.hash}, "
            f"not {previous.seq + 1}..{anchor.seq} ending {anchor.hash}"
        )
    return None


def _newest_problem(newest: Anchor, previous: ChainHead, evidence: PruneEvidence) -> str | None:
    lowest = evidence.lowest_stored_seq
    if lowest is not None and lowest <= newest.seq:
        return f"events {lowest}..{newest.seq}, which it says were pruned, are still stored"
    detail = prune_detail(previous, ChainHead(newest.seq, newest.hash), newest.archive)
    if not any(_records_prune(event, detail, newest) for event in evidence.prune_events):
        return f"no {PRUNE_ACTION} event after it records '{detail}'"
    return None


def _records_prune(event: AuditRecord, detail: str, anchor: Anchor) -> bool:
    f = event.fields
    return (
        event.seq > anchor.seq
        and f.action == PRUNE_ACTION
        and f.outcome == "ok"
        and f.detail == detail
        and f.result_count == anchor.events
    )
