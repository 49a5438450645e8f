"""An anchor is trusted only when a prune shows behind it: its events gone, an audit.prune event naming it, its
archive (when found) starting and ending where the anchors say."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ilos.audit.anchors import Anchor, PruneEvidence, anchor_problem, prune_detail
from ilos.audit.archive import ArchiveHeader
from ilos.audit.chain import AuditFields, AuditRecord, ChainHead, build_chain

T0 = datetime(2025, 1, 1, tzinfo=UTC)
FIRST = Anchor(5, "a" * 64, 5, "audit-000000000001-000000000005.jsonl")
SECOND = Anchor(9, "b" * 64, 4, "audit-000000000006-000000000009.jsonl")


def _prune_event(seq: int, anchor: Anchor, previous: ChainHead = ChainHead()) -> AuditRecord:
    detail = prune_detail(previous, ChainHead(anchor.seq, anchor.hash), anchor.archive)
    fields = AuditFields("e" * 32, T0, "local:root", "local", "administration", "audit.prune", "audit_event")
    return build_chain([replace(fields, detail=detail, result_count=anchor.events)], ChainHead(seq - 1))[0]


def _evidence(
    lowest: int | None, *prunes: AuditRecord, archive: ArchiveHeader | str | None = "not found"
) -> PruneEvidence:
    """Evidence with `prunes`, and FIRST's archive found with header `archive` (None: unreadable)."""
    found = {} if isinstance(archive, str) else {FIRST.archive: archive}
    return PruneEvidence(lowest, list(prunes), found)


def test_no_anchor_no_problem() -> None:
    assert anchor_problem([], _evidence(1)) is None


def test_a_real_prune_is_trusted() -> None:
    assert anchor_problem([FIRST], _evidence(6, _prune_event(8, FIRST))) is None
    second = _prune_event(12, SECOND, ChainHead(FIRST.seq, FIRST.hash))
    assert anchor_problem([FIRST, SECOND], _evidence(10, second)) is None


def test_an_anchor_over_events_still_stored_is_named() -> None:
    problem = anchor_problem([FIRST], _evidence(1, _prune_event(8, FIRST)))
    assert problem is not None and problem.seq == 5
    assert problem.reason.startswith(f"anchor 5 (archive {FIRST.archive}) is not backed by a prune")
    assert "events 1..5, which it says were pruned, are still stored" in problem.reason


def test_an_anchor_without_its_prune_event_is_named() -> None:
    for prunes in ([], [_prune_event(8, replace(FIRST, archive="other.jsonl"))], [_prune_event(4, FIRST)]):
        problem = anchor_problem([FIRST], _evidence(6, *prunes))
        assert problem is not None and problem.seq == 5 and "no audit.prune event after it" in problem.reason


def test_a_prune_event_counting_other_events_does_not_back_the_anchor() -> None:
    miscounted = _prune_event(8, replace(FIRST, events=4))
    assert anchor_problem([FIRST], _evidence(6, miscounted)) is not None


def test_an_anchor_that_does_not_count_the_events_since_the_last_is_named() -> None:
    problem = anchor_problem([FIRST, replace(SECOND, events=9)], _evidence(10))
    assert (
        problem is not None and problem.seq == 9 and "counts 9 events but follows event 5" in problem.reason
    )


def test_an_archive_found_must_start_and_end_at_the_anchors() -> None:
    good = ArchiveHeader(ChainHead(), ChainHead(5, FIRST.hash), 5)
    prune = _prune_event(8, FIRST)
    assert anchor_problem([FIRST], _evidence(6, prune, archive=good)) is None
    for bad in (replace(good, end=ChainHead(5, "c" * 64)), replace(good, start=ChainHead(1, "d" * 64)), None):
        problem = anchor_problem([FIRST], _evidence(6, prune, archive=bad))
        assert problem is not None and problem.seq == 5 and "archive" in problem.reason
