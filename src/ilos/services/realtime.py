"""The near-real-time path: change events (new or corrected source records) posted to an inbox are linked
one at a time into the linkage, the subject's legal situation is re-derived from its timeline (held in
memory, `TimelineIndex`), and what changed is classified and recorded as alerts.

Events come from an `Inbox` (`ilos.services.change_inbox`): the store's `change_events` table, or the file
feed beside a linkage that has no store. The worker takes what is waiting in groups (group commit: up to
`GROUP_COMMIT` events; a lone event is a group of one). Exactly once, across restarts, in two commit points:

1. The journal (`journal.jsonl` beside the linkage) is the commit point of the linkage. The worker's only
   output there is one line per event, a group's lines written with one fsync (it rewrites no clusters or
   subject files): the event's raw values, its outcome, and the pairs its record was scored in, as
   links.parquet rows decided when it was linked (`journal_links`: the review queue, explanations and
   judgements read them there). Its linkage lives in memory, rebuilt on start from the batch files plus the
   journaled records (linking is deterministic; replay writes nothing). Nothing of a group is completed
   before its fsync. An event whose id is journaled is never linked again; a crash before the fsync re-does
   the group's unjournaled events (a torn last line is cut off on start and its event re-done).
2. The inbox's `complete`, per event after the group's fsync, is the commit point of the event's state and
   of everything written with it in the store (the subject's re-checked actions, halts and alerts): one
   transaction, guarded by `processed_at IS NULL`. A crash between 1 and 2 leaves events pending and
   journaled; the next pass completes them from the journaled outcome without linking them again.
   Completing twice changes nothing.

Reviewers' judgements reach the worker while it runs: before each group it looks whether the judgements file
changed (one stat) and takes in its new rows (`IncrementalLinker.take_in`). A judgement that changes the
subjects it holds ("match": `absorbed`, as a merge by linking is journaled) or that it cannot honour until
the next batch run (a "no match" inside one subject) gets a journal line of its own (`JUDGEMENT_KEY`). Every
line records how many judgement rows had been taken in (`JUDGEMENTS_SEEN_KEY`), so replay takes each
judgement in at the point the running worker did, never before, and a restart reaches the journaled state.

A batch run landing while it runs (`ilos link`, `ilos link add`, `ilos subjects build`) is noticed the same way,
before each group (a stat per file it loads): memory is rebuilt as a start builds it, from the new files and
the journal (`reload_if_batch_changed`), once `linkage.json`, which runs write last, seals them. A worker
made with `rebuild_in_background` (`ilos worker run --follow`, the web's worker) builds the new memory in a
thread beside the running one and goes on linking meanwhile (a rebuild takes a minute or more at a million
persons); the lines journaled meanwhile are replayed into it, as a restart replays them (most by the thread,
the last few at the look that takes it in), and it replaces the old. Events linked meanwhile are linked as
those that arrive while the batch run itself runs: against the state before it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.definitions.sources import SourcesConfig
from ilos.domain.events import Event
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.errors import IlosError
from ilos.file_version import FileVersion, file_version
from ilos.resolve import linkage
from ilos.resolve.incremental import IncrementalLinker, JudgementOutcome
from ilos.resolve.judgements import JUDGEMENTS_FILE, Judgement, judgement_history
from ilos.services.change_inbox import (
    ChangeEvent,
    FileInbox,
    Inbox,
    Processed,
    checked_new_record,
    waiting_conflict,
)
from ilos.services.journal_events import journal_size
from ilos.services.journal_file import JOURNAL_FILE as JOURNAL_FILE  # the web reads the journal by name
from ilos.services.journal_file import (
    JUDGEMENT_KEY,
    append_lines,
    drop_torn_tail,
    is_event_line,
    journal_lines_between,
)
from ilos.services.journal_links import line_links
from ilos.services.journal_records import LINKS_KEY, journal_alerts
from ilos.services.linkage_config import CONFIG_COPY, load_linkage_config
from ilos.services.subjects import TIMELINE_FILE
from ilos.standardize.record import standardized_row
from ilos.subjects.changes import citizenship_origin_changes, classify_changes
from ilos.subjects.row_events import row_events
from ilos.subjects.timeline_index import EVENT_COLUMNS, TimelineIndex

_PROCESSED_FIELDS = tuple(f.name for f in fields(Processed))
# Events linked per journal fsync when that many are waiting; one waiting event is committed alone.
GROUP_COMMIT = 8
JUDGEMENTS_SEEN_KEY = "judgements_seen"
"""A journal line's count of judgement rows (`judgement_history`) the worker had taken in when it wrote it."""
JOURNALED_RESULTS = frozenset({"merged", "kept_together"})
"""Judgement outcomes that get a line: the subjects changed, or the verdict waits for the next `ilos link`
run. The others (kept apart, pending, already one subject, refused as batch refuses it, unsure) change no
subject and are placed by the next line's count."""


def post_change(linkage_dir: Path, source: str, values: dict[str, Any], event_id: str | None = None) -> str:
    """Put one change event (a source row, all values as text) in the linkage's file inbox; returns its id.
    A record the linkage holds, or one waiting in the inbox, is refused (`checked_new_record`)."""
    spec, row = checked_new_record(linkage_dir, source, values)
    inbox = FileInbox(linkage_dir)
    # Every event posted, not only those waiting: one done is linked, which the check above refuses anyway,
    # and telling done from waiting would read the journal again.
    if inbox.holds(source, spec.record_id, row[spec.record_id]):
        raise waiting_conflict(source, row[spec.record_id])
    return inbox.post(source, row, event_id)


def read_alerts(linkage_dir: Path, after: int = 0) -> list[dict[str, Any]]:
    """Every classified change the worker journaled, oldest first, from position `after`."""
    return list(journal_alerts(linkage_dir)[after:])


@dataclass(frozen=True, slots=True)
class RebuildState:
    """A worker's rebuilds as its operator follows them (`Worker.rebuild_state`)."""

    rebuilt: int
    building: bool

    def news(self, now: RebuildState) -> str | None:
        """What changed since this state, said once: a rebuild begun in the background, or one taken in."""
        if now.rebuilt != self.rebuilt:
            return "rebuilt after a batch run landed: linking against its files"
        if now.building and not self.building:
            return "a batch run landed: rebuilding in the background, linking against the files before it meanwhile"
        return None


@dataclass(frozen=True, slots=True)
class _Linked:
    """An event linked in memory, waiting for its journal line: its outcome and the pairs it was scored in
    (links.parquet's columns, `journal_links.line_links`)."""

    event: ChangeEvent
    processed: Processed
    links: dict[str, list[Any]]


def _return_freed_memory() -> None:
    """Give memory freed after a load back to the system (Arrow's pool and the C heap keep it for reuse): at
    100k persons a started worker stayed at 1.06 GiB and a rebuilt one at 1.32-1.42 GiB, against 0.8 with it
    (`bench_worker_reload.py`)."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Worker:
    """Processes the inbox (the linkage's file inbox unless another is given) in order, each event once."""

    def __init__(
        self,
        linkage_dir: Path,
        as_of: date | None = None,
        inbox: Inbox | None = None,
        group_commit: int = GROUP_COMMIT,
        rebuild_in_background: bool = False,
    ) -> None:
        self.dir = linkage_dir
        self.group_commit = max(1, group_commit)
        self.inbox: Inbox = inbox if inbox is not None else FileInbox(linkage_dir)
        self.as_of = as_of or date.today()
        self.rebuild_in_background = rebuild_in_background
        self._rebuild: _Rebuild | None = None
        self._rebuilt = 0  # rebuilds taken in since the start
        self._failed: tuple[FileVersion | None, ...] | None = None  # the batch files a rebuild failed on
        self._watched = tuple(str(linkage_dir / name) for name in WATCHED_FILES)  # stat'ed at every look
        drop_torn_tail(self.dir / JOURNAL_FILE)
        self._load()
        self.inbox.take_done(self.journaled)  # the event ids the replay just read
        self.take_in_judgements()  # those made since the last line, as a running worker takes them in
        _return_freed_memory()  # what the load held only while it read the files

    def _load(self, journal_end: int | None = None) -> None:
        """What a start loads: the batch files (their versions taken first, so a run landing during the read
        is seen at the next look), then the journal replayed over them (its first `journal_end` bytes when
        given). Writes nothing."""
        self._batch_version = batch_version(self._watched)
        self.config: SourcesConfig = load_linkage_config(self.dir)
        self.linker = IncrementalLinker(self.dir, take_in_judgements=False)
        self.timeline = self._load_timeline()
        self.journaled: dict[str, Processed] = {}
        # The version is taken before the read, so a judgement recorded in between is read at the next look.
        self._judgements_version = file_version(self.dir / JUDGEMENTS_FILE)
        self._judgements: list[Judgement] = judgement_history(self.dir)
        for entry, _ in journal_lines_between(self.dir / JOURNAL_FILE, 0, journal_end):
            self._replay(entry)

    def reload_if_batch_changed(self) -> bool:
        """Rebuild memory as a restart would when a batch run (`ilos link`, `ilos link add`, `ilos subjects
        build`) has landed since the last load (one stat per watched file when none has). A half-published
        run is left for a later look (`is_sealed`), and so is a load that a run overlapped: the state held
        before stays. With `rebuild_in_background` the new memory is built in a thread while this state goes
        on linking, and replaces it at the first look after it is built. A rebuild that fails raises its
        error at the look that finds it; later looks retry in line, raising until the files load, so events
        wait rather than link against subjects the batch files no longer hold. The inbox is untouched;
        journaled events are completed from the journal, never linked again. Returns whether memory was
        replaced."""
        if self._rebuild is None:
            seen = batch_version(self._watched)
            if seen == self._batch_version or not is_sealed(seen):
                return False
            self._rebuild = _Rebuild(self._blank(), journal_size(self.dir), seen)
            if self.rebuild_in_background and seen != self._failed:
                self._rebuild.start()
            else:
                self._rebuild.run()
        if self._rebuild.is_alive():
            return False
        rebuild, self._rebuild = self._rebuild, None
        if rebuild.error is not None:
            self._failed = rebuild.seen
            raise rebuild.error
        built = rebuild.state
        if batch_version(self._watched) != built._batch_version:  # a run published while the files were read
            return False
        built._catch_up(rebuild.journal_read)
        _restore(self, {name: getattr(built, name) for name in _LOADED})
        del rebuild, built
        self._rebuilt += 1
        # The old state was frozen out of the collector's reach with everything else (`IncrementalLinker`):
        # one full collection now frees whatever of it reference counting cannot, then the new state is frozen.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _return_freed_memory()
        return True

    def rebuild_state(self) -> RebuildState:
        """How many rebuilds this worker has taken in and whether one is building: compared between two looks,
        what its operator is told (`RebuildState.news`)."""
        return RebuildState(self._rebuilt, self._rebuild is not None)

    def wait_for_rebuild(self, timeout: float | None = None) -> bool:
        """Wait until a rebuild in the background is built (it replaces the state at the next look); returns
        whether none is still building."""
        if self._rebuild is not None and self._rebuild.ident is not None:  # started in a thread
            self._rebuild.join(timeout)
        return self._rebuild is None or not self._rebuild.is_alive()

    def _blank(self) -> Worker:
        """A worker over the same directory that holds nothing yet: what a rebuild loads into (`_load`, which
        writes nothing), beside this one."""
        other = Worker.__new__(Worker)
        other.dir, other._watched = self.dir, self._watched
        return other

    def _catch_up(self, journal_read: int) -> int:
        """Replay the complete lines journaled after the first `journal_read` bytes (those the running state
        wrote while this one loaded), with the judgements recorded meanwhile, as a restart would replay them;
        returns the bytes replayed so far."""
        version = file_version(self.dir / JUDGEMENTS_FILE)
        if version != self._judgements_version:
            self._judgements_version, self._judgements = version, judgement_history(self.dir)
        for entry, end in journal_lines_between(self.dir / JOURNAL_FILE, journal_read, None):
            self._replay(entry)
            journal_read = end
        return journal_read

    def _load_timeline(self) -> TimelineIndex:
        """The subjects' timeline in memory; without built subjects only the worker's own events are known."""
        path = self.dir / TIMELINE_FILE
        return TimelineIndex(pq.read_table(path, columns=list(EVENT_COLUMNS)) if path.exists() else None)

    def _replay(self, entry: dict[str, Any]) -> None:
        self.linker.take_in(self._judgements, self._judgements_taken_in_by(entry))
        if not is_event_line(entry):
            return  # a judgement's line: taking it in has just done what the line says
        spec = self.config.source(entry["source"])
        # A record a batch run has taken in since is the batch's (linked there, in the subject it gave), but its
        # events are in the timeline only once `ilos subjects build` has run after it (`journal_records`).
        # Neither standardizing nor its events are needed for a record both hold: most of a replay after a
        # re-run that took the journal's records in.
        if self.linker.store.find(entry["record"]) is None:
            self.linker.link(standardized_row(spec, entry["values"]))
            self.timeline.add(row_events(spec, entry["values"]))
        elif not self.timeline.has_loaded(entry["record"]):
            self.timeline.add(row_events(spec, entry["values"]))
        kept = {k: entry[k] for k in _PROCESSED_FIELDS}
        self.journaled[entry["event_id"]] = Processed(
            **{**kept, "absorbed": tuple(kept["absorbed"]), "changes": tuple(kept["changes"])}
        )

    def _judgements_taken_in_by(self, entry: dict[str, Any]) -> int:
        """How many judgement rows the worker had taken in when it wrote this line; for a line written before
        lines counted them, the rows recorded by the time it was processed."""
        seen = entry.get(JUDGEMENTS_SEEN_KEY)
        if seen is not None:
            return int(seen)
        at = datetime.fromisoformat(entry["processed_at"])
        rows = range(self.linker.judgements_seen, len(self._judgements))
        return next((i for i in rows if self._judgements[i].judged_at > at), len(self._judgements))

    def take_in_judgements(self) -> list[JudgementOutcome]:
        """Apply the judgements recorded since the last look (one stat when there are none) and journal those
        in `JOURNALED_RESULTS` with one fsync."""
        version = file_version(self.dir / JUDGEMENTS_FILE)
        if version != self._judgements_version:
            self._judgements_version = version
            self._judgements = judgement_history(self.dir)
        outcomes = self.linker.take_in(self._judgements)
        lines = [_judgement_line(o) for o in outcomes if o.result in JOURNALED_RESULTS]
        if lines:
            append_lines(self.dir / JOURNAL_FILE, lines)
        return outcomes

    def pending(self) -> list[ChangeEvent]:
        return self.inbox.pending()

    def run_once(self, limit: int | None = None) -> list[Processed]:
        """Process what is waiting in the inbox (up to `limit` events), in order, in groups of up to
        `group_commit` events: one journal fsync per group. An event already journaled (a crash came
        between the journal and the inbox) is completed from its journaled outcome. Judgements made since the
        last look are taken in before each group, and when nothing waits."""
        waiting = self.inbox.pending(limit)
        out: list[Processed] = []
        size = self.group_commit
        groups = [waiting[start : start + size] for start in range(0, len(waiting), size)]
        for group in groups or [[]]:
            self.reload_if_batch_changed()
            self.take_in_judgements()
            out.extend(self._run_group(group))
        return out

    def _run_group(self, events: list[ChangeEvent]) -> list[Processed]:
        """Link each event of the group not yet journaled, journal them all with one fsync, then complete
        each in the inbox. An event that fails ends the group: those before it are committed first, then it
        is held (it stays first in line) and the error raised."""
        done: list[tuple[ChangeEvent, Processed]] = []
        fresh: list[_Linked] = []
        held: tuple[ChangeEvent, str] | None = None
        try:
            for event in events:
                processed = self.journaled.get(event.event_id)
                if processed is None:
                    try:
                        linked = self._link_event(event)
                    except IlosError as exc:
                        held = (event, exc.message)
                        raise
                    fresh.append(linked)
                    processed = linked.processed
                done.append((event, processed))
        finally:  # also on an unexpected error: what is linked in memory is journaled, so memory and journal agree
            self._journal(fresh)
            for event, processed in done:
                self.inbox.complete(event, processed)
            if held is not None:
                self.inbox.hold(*held)
        return [processed for _, processed in done]

    def process(self, event: ChangeEvent) -> Processed:
        """Link one event and journal its outcome (the inbox is completed by `run_once`)."""
        linked = self._link_event(event)
        self._journal([linked])
        return linked.processed

    def _journal(self, linked: list[_Linked]) -> None:
        """The commit point of the linkage: the lines of linked events, with the pairs each was scored in,
        written with one fsync. Only the outcomes stay in memory, not the pairs."""
        if not linked:
            return
        append_lines(
            self.dir / JOURNAL_FILE,
            [
                {
                    **asdict(one.processed),
                    "source": one.event.source,
                    "values": one.event.values,
                    LINKS_KEY: one.links,
                    JUDGEMENTS_SEEN_KEY: self.linker.judgements_seen,
                }
                for one in linked
            ],
        )
        for one in linked:
            self.journaled[one.event.event_id] = one.processed

    def _link_event(self, event: ChangeEvent) -> _Linked:
        """Link one event in memory and classify what it changes; nothing is written."""
        started = datetime.now(UTC)
        rec, events = self._standardize_and_events(event.source, event.values)
        key = f"{rec['source']}|{rec['record_id']}"
        outcome = self.linker.link(rec)
        links = line_links(self.linker.link_rows(outcome))  # decided now, before the next record moves them
        # The subject's other records (of every subject merged into it) hold its events so far.
        earlier = self._events_of_subject_holding(key)
        before = derive_legal_situation(earlier, self.as_of)
        self.timeline.add(events)
        after = derive_legal_situation(earlier + events, self.as_of)
        changes = tuple(
            {
                "classification": c.classification.value,
                "kind": c.kind,
                "summary": c.summary,
                "evidence": [str(e) for e in c.evidence],
            }
            for c in [
                *classify_changes(before, after),
                *citizenship_origin_changes(rec, tuple(e.ref for e in events)),
            ]
        )
        elapsed = (datetime.now(UTC) - started).total_seconds() * 1000
        processed = Processed(
            event.event_id, key, outcome.subject_id, outcome.action, outcome.absorbed_subjects, changes,
            elapsed, datetime.now(UTC).isoformat(),
        )  # fmt: skip
        return _Linked(event, processed, links)

    def _events_of_subject_holding(self, record: str) -> list[Event]:
        """Timeline events of every other record in the subject that `record` belongs to."""
        node = self.linker.store.find(record)
        assert node is not None
        members = self.linker.forest.members(self.linker.forest.find(node))
        return self.timeline.events_of(self.linker.store.key(n) for n in members if n != node)

    def _standardize_and_events(
        self, source: str, values: dict[str, Any]
    ) -> tuple[dict[str, Any], list[Event]]:
        spec = self.config.source(source)
        return standardized_row(spec, values), row_events(spec, values)


WATCHED_FILES = (
    linkage.SUMMARY_FILE, linkage.MODEL_FILE, linkage.RECORDS_FILE, linkage.CLUSTERS_FILE, linkage.LINKS_FILE,
    TIMELINE_FILE, CONFIG_COPY,
)  # fmt: skip
"""The files a worker loads at start (`Worker._load`) besides the judgements and its journal."""
SEALED_FILES = (linkage.MODEL_FILE, linkage.RECORDS_FILE, linkage.CLUSTERS_FILE, linkage.LINKS_FILE)
"""The batch files `linkage.json` seals: `ilos link` publishes it after them (`PUBLISHED_IN_ORDER`) and
`ilos link add` rewrites it after them, so while one of them is newer a run is still publishing."""
_LOADED = (
    "_batch_version", "config", "linker", "timeline", "journaled", "_judgements_version", "_judgements",
)  # fmt: skip


def _restore(worker: Worker, held: dict[str, Any]) -> None:
    for name, value in held.items():
        setattr(worker, name, value)


class _Rebuild(threading.Thread):
    """A worker's memory loaded anew (`Worker._load`) into `state`, from the batch files (`seen`: their
    versions when it began) and the first `journal_read` bytes of the journal (complete lines: it is taken
    between groups; it grows as the lines journaled meanwhile are replayed); an error is kept for the look
    that takes the state in."""

    def __init__(self, state: Worker, journal_read: int, seen: tuple[FileVersion | None, ...]) -> None:
        super().__init__(name="ilos-worker-rebuild", daemon=True)
        self.state = state
        self.journal_read = journal_read
        self.seen = seen
        self.error: BaseException | None = None

    def run(self) -> None:
        """Load, then replay what the running state journals meanwhile, round after round while it goes on
        linking, so the look that swaps replays only the last few lines (at 1M persons, 7,197 events caught
        up at that look held it 6.8 s)."""
        try:
            self.state._load(self.journal_read)
            # Run in line (not started as a thread), it has nothing to catch up: nothing is journaled meanwhile.
            for _ in range(_CATCH_UP_ROUNDS if self.ident is not None else 0):
                before, self.journal_read = self.journal_read, self.state._catch_up(self.journal_read)
                if self.journal_read - before < _CAUGHT_UP_BYTES:
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the look that takes the state in
            self.error = exc


_CATCH_UP_ROUNDS = 8
_CAUGHT_UP_BYTES = 64 * 1024  # a few dozen lines: left for the swapping look


def batch_version(paths: Sequence[str]) -> tuple[FileVersion | None, ...]:
    """The version of each file (`WATCHED_FILES` in a linkage directory, in that order); paths as text, as a
    `Path` per look would cost more than the stats."""
    return tuple(file_version(path) for path in paths)


def is_sealed(version: tuple[FileVersion | None, ...]) -> bool:
    """Whether `linkage.json` is at least as new as every batch file it seals (`SEALED_FILES`): no run is
    half-way through replacing them."""
    by_name = dict(zip(WATCHED_FILES, version, strict=True))
    summary = by_name[linkage.SUMMARY_FILE]
    if summary is None:
        return False
    return all(v is None or v.modified_ns <= summary.modified_ns for v in (by_name[n] for n in SEALED_FILES))


def _judgement_line(outcome: JudgementOutcome) -> dict[str, Any]:
    """A judgement's journal line, shaped as an event's where readers look (`subject_id`, `absorbed`,
    `action`, `changes`, `processed_at`), with no record of its own: the pair is under `JUDGEMENT_KEY`."""
    j = outcome.judgement
    return {
        "event_id": f"judgement-{outcome.row}",
        JUDGEMENT_KEY: {
            "left": j.left, "right": j.right, "verdict": j.verdict, "judged_by": j.judged_by,
            "judged_at": j.judged_at.isoformat(), "row": outcome.row,
        },
        "subject_id": outcome.subject_id,
        "absorbed": list(outcome.absorbed),
        "action": outcome.result,
        "changes": [],
        "processed_at": datetime.now(UTC).isoformat(),
        JUDGEMENTS_SEEN_KEY: outcome.row + 1,
    }  # fmt: skip
