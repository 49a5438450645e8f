"""A subject's merge and split history for its page: which records joined or left it, when, in which run,
and from or to which subject. Batch link runs append their merges and splits to `subject_events.jsonl`
(resolve.linkage: which records moved; older runs recorded only how many); the change worker's journal
names each record it linked live. Read only after `subject_view.subject_page` has authorised and audited
the read."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ilos.resolve.linkage import SUBJECT_EVENTS_FILE
from ilos.resolve.records import typed_record_key
from ilos.services.appended_lines import AppendedLines
from ilos.services.journal_file import JUDGEMENT_KEY, is_event_line
from ilos.services.journal_records import journal_entries
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.services.subject_view import SubjectPage


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    run: str  # "link run of <time> (config <hash>)" or "change event <id>"
    change: str  # joined | left | merged into another subject
    records: tuple[str, ...]  # the records that moved, when the run recorded them
    count: int  # how many records moved (0 when not recorded)
    subjects: tuple[str, ...]  # where they came from or went to
    summary: str


WITHHELD_RECORD = "a record withheld for this purpose"

Shown = Callable[[str], bool]
"""Whether the page may name a record (`record_visibility.RecordVisibility`)."""


def subject_history(store: Store, page: SubjectPage) -> tuple[HistoryEntry, ...]:
    """Every recorded merge or split touching the subject of `page` (whose building authorised and audited
    the read), oldest first. A record the purpose may not see (a tax filing without an authority) is neither
    named nor counted."""
    return history_in(linkage_dir(store.settings.home), page.subject_id, page.visibility)


def history_in(directory: Path, subject_id: str, shown: Shown) -> tuple[HistoryEntry, ...]:
    """The subject's history as the linkage directory records it, naming only the records `shown` allows."""
    entries = [*_batch_entries(directory, subject_id, shown), *_live_entries(directory, subject_id, shown)]
    return tuple(sorted(entries, key=lambda e: e.at))


@dataclass
class _BatchHistory:
    """Where in the batch runs' history each subject's lines are (the subject that continues and those it
    absorbed or split into), read on from where the last page view stopped."""

    read: AppendedLines
    places: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def lines_of(self, subject_id: str) -> list[dict[str, Any]]:
        placed, anew = self.read.new_placed()
        if anew:
            self.places = {}
        for offset, length, e in placed:
            for subject in {e["subject_id"], *e.get("others", ())}:
                self.places.setdefault(subject, []).append((offset, length))
        return self.read.read_placed(self.places.get(subject_id, []))


# Per history file: where each subject's lines are. Every re-run of `ilos link` appends its merges and splits,
# and parsing the whole history per page view cost 0.6 s at 200,000 lines (`bench_journal_reads.py`).
_BATCH_HISTORY: dict[Path, _BatchHistory] = {}
_READING = threading.Lock()


def _batch_lines_of(directory: Path, subject_id: str) -> list[dict[str, Any]]:
    """The batch runs' merge and split lines naming the subject (complete lines only), oldest first."""
    path = directory / SUBJECT_EVENTS_FILE
    with _READING:
        kept = _BATCH_HISTORY.get(path)
        if kept is None:
            kept = _BATCH_HISTORY[path] = _BatchHistory(AppendedLines(path))
        return kept.lines_of(subject_id)


def _batch_entries(directory: Path, subject_id: str, shown: Shown) -> Iterator[HistoryEntry]:
    """From the batch runs' history."""
    for e in _batch_lines_of(directory, subject_id):
        others, moved = tuple(e.get("others", ())), int(e.get("records_moved", 0))
        named = tuple(e.get("records", ()))  # a linker that names the moved records is shown them
        records = tuple(r for r in named if shown(r))
        if named:
            moved = len(records)
            if not records:
                continue  # only records the purpose may not see moved
        run = (
            f"link run of {e['at'][:19].replace('T', ' ')} UTC (config {str(e.get('config_hash', ''))[:12]})"
        )
        at = datetime.fromisoformat(e["at"])
        n = f"{moved} record{'' if moved == 1 else 's'}"
        if e["kind"] == "merge" and e["subject_id"] == subject_id:
            yield HistoryEntry(
                at,
                run,
                "joined",
                records,
                moved,
                others,
                f"merge: {n} of {', '.join(others)} joined this subject",
            )
        elif e["kind"] == "merge" and subject_id in others:
            yield HistoryEntry(
                at,
                run,
                "merged into another subject",
                records,
                moved,
                (e["subject_id"],),
                f"merge: this subject's records joined {e['subject_id']}",
            )
        elif e["kind"] == "split" and e["subject_id"] == subject_id:
            yield HistoryEntry(
                at,
                run,
                "left",
                records,
                moved,
                others,
                f"split: {n} left this subject for {', '.join(others)}",
            )
        elif e["kind"] == "split" and subject_id in others:
            share = n if len(others) == 1 else f"some of {n}"
            yield HistoryEntry(at, run, "joined", records, moved if len(others) == 1 else 0, (e["subject_id"],), f"split: {share} of {e['subject_id']} became this subject")  # fmt: skip


def _live_entries(directory: Path, subject_id: str, shown: Shown) -> Iterator[HistoryEntry]:
    """From the worker's journal, each line parsed once per process (`journal_entries`)."""
    for e in journal_entries(directory):
        absorbed = tuple(e.get("absorbed", ()))
        if e.get("subject_id") != subject_id and subject_id not in absorbed:
            continue  # a line about other subjects only
        at = datetime.fromisoformat(e["processed_at"])
        if not is_event_line(e):
            yield from _judgement_entries(e, subject_id, at)
            continue
        run = f"change event {e['event_id']}"
        linked = typed_record_key(str(e["record"]))
        record = linked if shown(linked) else WITHHELD_RECORD
        named = (linked,) if shown(linked) else ()
        if e["subject_id"] == subject_id:
            if absorbed:
                summary = f"merge: linking {record} joined {', '.join(absorbed)} into this subject"
            elif e.get("action") == "new":
                summary = f"{record} started this subject"
            else:
                summary = f"{record} joined this subject"
            yield HistoryEntry(at, run, "joined", named, len(named), absorbed, summary)
        elif subject_id in absorbed:
            summary = f"merge: linking {record} joined this subject's records into {e['subject_id']}"
            yield HistoryEntry(at, run, "merged into another subject", named, 0, (e["subject_id"],), summary)


def _judgement_entries(e: dict[str, Any], subject_id: str, at: datetime) -> Iterator[HistoryEntry]:
    """What a judgement the worker took in did to the subject; the pair's records are not named (the line
    does not say which of them the purpose may see)."""
    run = f"a reviewer's judgement of {e[JUDGEMENT_KEY]['judged_at']}"
    absorbed = tuple(e["absorbed"])
    if e["action"] == "merged" and e["subject_id"] == subject_id:
        summary = f"merge: a reviewer judged a pair one person, joining {', '.join(absorbed)} into it"
        yield HistoryEntry(at, run, "joined", (), 0, absorbed, summary)
    elif e["action"] == "merged" and subject_id in absorbed:
        summary = f"merge: a reviewer judged a pair one person, joining this subject's records into {e['subject_id']}"
        yield HistoryEntry(at, run, "merged into another subject", (), 0, (e["subject_id"],), summary)
    elif e["action"] == "kept_together" and e["subject_id"] == subject_id:
        summary = (
            "a reviewer judged two of this subject's records different people: they stay in it until the next "
            "`ilos link` run, which keeps them apart"
        )
        yield HistoryEntry(at, run, "judged apart", (), 0, (), summary)
