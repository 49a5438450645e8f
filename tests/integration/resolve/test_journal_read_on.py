"""`read_journal` after the worker wrote a line resolves only the new lines and adds them to the Journal it
resolved before (a gate check right after a line re-read every line). What it gives is what resolving the
whole journal gives, line after line; a line that merges subjects (it may move earlier lines' records) and
a batch file replaced since have the whole journal resolved again."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.resolve.judgements import record_judgement
from ilos.services import change_inbox, journal_records
from ilos.services.journal_records import Journal, read_journal
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change
from ilos.services.source_reading import read_source_file

AS_OF = date(2026, 11, 1)
Row = dict[str, Any]


def _court_rows(world: Path) -> dict[str, Row]:
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    rows = read_source_file(config, spec).to_pylist()
    return {
        f"court_cases|{r[spec.record_id]}": {
            c: None if r.get(c) is None else str(r[c]) for c in spec.declared_schema()
        }
        for r in rows
    }


def _two_court_subjects(out: Path) -> list[tuple[str, str]]:
    """Two batch subjects with a court record and no citizenship evidence (nothing forbids joining them),
    each with its first court record."""
    by_subject: dict[str, list[str]] = {}
    for c in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist():
        by_subject.setdefault(c["subject_id"], []).append(f"{c['source']}|{c['record_id']}")
    joinable = [
        (s, min(r for r in rs if r.startswith("court_cases|")))
        for s, rs in sorted(by_subject.items())
        if any(r.startswith("court_cases|") for r in rs)
        and not any(r.startswith("citizenship_evidence|") for r in rs)
    ]
    return joinable[:2]


def _counted_resolves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Per resolve of the journal from here on, how many lines it started after (0: the whole journal).
    Posting's check that a record is not linked yet reads the journal too: it is left out of the count."""
    started_at: list[int] = []
    whole_resolve = journal_records._resolved

    def counting(directory: Path, parsed: Any, before: tuple[int, Journal] | None = None) -> Journal:
        started_at.append(0 if before is None else before[0])
        return whole_resolve(directory, parsed, before)

    monkeypatch.setattr(journal_records, "_resolved", counting)
    monkeypatch.setattr(change_inbox, "refuse_a_linked_record", lambda *_: None)
    return started_at


def _same(read_on: Journal, whole: Journal) -> None:
    assert read_on.lines == whole.lines
    assert read_on.events == whole.events
    assert read_on.merges == whole.merges
    assert read_on.kept_together == whole.kept_together
    assert read_on.links.equals(whole.links)
    assert read_on.record_subjects == whole.record_subjects


def test_a_journal_read_on_line_by_line_is_the_journal_read_whole(
    built_copy: Path, small_world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = built_copy
    started_at = _counted_resolves(monkeypatch)
    rows = _court_rows(small_world)
    (_, first), (_, second) = _two_court_subjects(out)
    bridge = {**rows[first], "REC_ID": "BRIDGE-1"}  # joins both subjects once judged a match with each
    for record in (first, second):
        record_judgement(out, "court_cases|BRIDGE-1", record, "match", "reviewer-a")
    posted = [{**row, "REC_ID": f"GROW-{i}"} for i, row in enumerate(list(rows.values())[:5])]
    worker = Worker(out, AS_OF)
    for row in [*posted, bridge, {**posted[0], "REC_ID": "GROW-AFTER"}]:
        post_change(out, "court_cases", row)
        [done] = worker.run_once()
        read_on = read_journal(out)
        journal_records._JOURNALS.pop(out)  # forgotten: the next read resolves every line
        _same(read_on, read_journal(out))
        if row is bridge:
            assert done.action == "merged", done
    # Each line's first read went on from the line before, but the bridge's: it merged two subjects.
    first_reads = started_at[0::2]
    assert [n > 0 for n in first_reads] == [False, True, True, True, True, False, True]
    assert started_at[1::2] == [0] * 7

    # A judgement's line (no event): "no match" on two records of one subject, which the worker keeps together
    # until a batch run. Read on from before it too.
    record_judgement(out, "court_cases|GROW-0", "court_cases|GROW-AFTER", "no_match", "reviewer-b")
    read_journal(out)
    started_at.clear()
    size = (out / JOURNAL_FILE).stat().st_size
    assert [o.result for o in worker.take_in_judgements()] == ["kept_together"]
    assert (out / JOURNAL_FILE).stat().st_size > size
    read_on = read_journal(out)
    assert started_at[0] > 0 and read_on.kept_together
    journal_records._JOURNALS.pop(out)
    _same(read_on, read_journal(out))


def test_a_batch_file_replaced_since_has_the_whole_journal_resolved(
    built_copy: Path, small_world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = built_copy
    rows = list(_court_rows(small_world).values())
    worker = Worker(out, AS_OF)
    post_change(out, "court_cases", {**rows[0], "REC_ID": "GROW-0"})
    worker.run_once()
    read_journal(out)
    started_at = _counted_resolves(monkeypatch)
    clusters = out / linkage.CLUSTERS_FILE
    pq.write_table(pq.read_table(clusters), clusters)  # a new version of the same clusters
    post_change(out, "court_cases", {**rows[1], "REC_ID": "GROW-1"})
    worker.run_once()
    read_journal(out)
    assert started_at == [0]
