"""The local operator's reads and judgements of a linkage through the CLI (`ilos subjects show`, `ilos link
explain|review|judge`, `ilos worker alerts`), audited under `local:<os-user>` as the pages and the API audit
theirs.

Where they are audited: the operational store, when there is one — ILOS_DATABASE_URL, the SQLite file under
ILOS_HOME, or a linkage under ILOS_HOME (whose store is made if it is not there yet). A linkage read with no
store at all (the generic linker: a directory of files, no ILOS_HOME) has no audit log to write to, and the
commands work on it unaudited. The operator holds the files themselves, so this records what is done through
ILOS, not a barrier to reading them otherwise (docs/audit.md).

The store's modules (SQLAlchemy, Alembic) are imported only when there is a store: generic linking runs
without them (`tests/cli/test_command_tree.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ilos.config import Settings
from ilos.errors import IlosError
from ilos.resolve.explain import PairExplanation, RecordExplanation
from ilos.resolve.judgements import Judgement
from ilos.services import linking, subjects
from ilos.services.access import Caller, Purpose, local_operator
from ilos.services.journal_records import alert_subjects, journal_alerts

if TYPE_CHECKING:
    from ilos.services.store_access import Store

T = TypeVar("T")
PURPOSE = Purpose.data_quality  # reading and reviewing a linkage is data quality work


@dataclass(frozen=True, slots=True)
class Event:
    """What one read or judgement's audit event says: `audit_log.Action`'s fields, made one when written."""

    name: str
    object_type: str
    object_ids: tuple[str, ...] = ()
    query: Mapping[str, Any] = field(default_factory=dict)
    result_count: int | None = None
    outcome: str = "ok"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OperatorReads:
    """The operator and the store their reads of one linkage are audited in (None: no store, unaudited)."""

    linkage_dir: Path
    store: Store | None
    operator: Caller

    def show_subject(self, subject_id: str, as_of: date | None) -> subjects.SubjectView:
        """One subject with every value and its provenance (every marking): `subject.read`."""
        asked = self._asked(as_of=as_of.isoformat() if as_of else None)
        return self._audited(
            Event("subject.read", "subject", (subject_id,), asked),
            lambda: subjects.show_subject(self.linkage_dir, subject_id, as_of),
            lambda _view: Event("subject.read", "subject", (subject_id,), asked, 1),
        )

    def explain_record(self, record: str) -> RecordExplanation:
        """Why a record is in its subject: `record.explain`, naming the records and subjects it shows."""
        asked = self._asked()
        return self._audited(
            Event("record.explain", "record", (record,), asked),
            lambda: linking.explain_record(self.linkage_dir, record),
            lambda e: Event("record.explain", "record", _named_by_record(e), asked, 1),
        )

    def explain_link(self, left: str, right: str) -> PairExplanation:
        """Why two records were (not) linked: `record.explain` naming both."""
        asked = self._asked()
        return self._audited(
            Event("record.explain", "record", (left, right), asked),
            lambda: linking.explain_link(self.linkage_dir, left, right),
            lambda e: Event("record.explain", "record", (e.left, e.right), asked, 1),
        )

    def review_queue(self, limit: int, unsure: bool) -> linking.ReviewQueue:
        """The first pairs of the review queue: `review.read` naming every record shown."""
        asked = self._asked(limit=limit, unsure=unsure)

        def shown(queue: linking.ReviewQueue) -> Event:
            keys = [k for r in queue.pairs.to_pylist() for k in (r["unique_id_l"], r["unique_id_r"])]
            return Event("review.read", "record_pair", tuple(keys), asked, queue.pairs.num_rows)

        return self._audited(
            Event("review.read", "record_pair", (), asked),
            lambda: linking.review_queue(self.linkage_dir, limit, unsure),
            shown,
        )

    def judge_pair(self, left: str, right: str, verdict: str) -> Judgement:
        """Record the operator's verdict, by their own identity (`local:<os-user>`): `review.judge`, and a
        refusal (an unknown or unscored pair, a wrong verdict) too, as the review page audits it."""
        asked = self._asked()
        return self._audited(
            Event("review.judge", "record_pair", (left, right), asked),
            lambda: linking.judge_pair(self.linkage_dir, left, right, verdict, self.operator.actor),
            lambda j: Event("review.judge", "record_pair", (j.left, j.right), asked, detail=j.verdict),
        )

    def read_alerts(self, after: int) -> list[dict[str, Any]]:
        """The worker's alerts after position `after`: `alert.feed` naming each alert's subject."""
        asked = self._asked(after=after)

        def shown(alerts: list[dict[str, Any]]) -> Event:
            return Event("alert.feed", "subject", alert_subjects(alerts), asked, len(alerts))

        return self._audited(
            Event("alert.feed", "subject", (), asked),
            lambda: list(journal_alerts(self.linkage_dir)[after:]),
            shown,
        )

    def _asked(self, **query: Any) -> dict[str, Any]:
        return {"linkage": str(self.linkage_dir.resolve()), **query}

    def _audited(self, asked: Event, work: Callable[[], T], done: Callable[[T], Event]) -> T:
        """`work`'s result once its event is written (a read whose event cannot be written fails); a refusal
        (not found, invalid) is audited with its code and message."""
        store = self.store
        if store is None:
            return work()
        try:
            result = work()
        except IlosError as error:
            _record(store, self.operator, replace(asked, outcome=error.code, detail=error.message))
            raise
        _record(store, self.operator, done(result))
        return result


def _record(store: Store, operator: Caller, event: Event) -> None:
    from ilos.services import audit_log

    audit_log.record_alone(store, operator, audit_log.Action(**asdict(event)))


def _named_by_record(e: RecordExplanation) -> tuple[str, ...]:
    """The records and subjects a record's explanation names: its own, the inside and outside pairs', and
    those of the judgements it lists."""
    named: list[str | None] = [e.record, e.subject_id]
    if e.inside is not None:
        named += [e.inside.left, e.inside.right]
    named += [k for j in e.judged for k in (j.left, j.right)]
    named += [k for a in e.judged_apart for k in (a.other, a.other_subject)]
    if e.outside is not None:
        named += [e.outside.other, e.outside.other_subject]
    return tuple(dict.fromkeys(n for n in named if n))


def audit_store(settings: Settings, linkage_dir: Path) -> Store | None:
    """The store the operator's reads of `linkage_dir` are audited in: the configured one (ILOS_DATABASE_URL,
    or the SQLite file under ILOS_HOME when it exists), or the one made under ILOS_HOME for a linkage kept
    there; None when there is no store at all."""
    under_home = linkage_dir.resolve().is_relative_to(settings.home.resolve())
    if not settings.database_url and not settings.store_file.is_file() and not under_home:
        return None
    from ilos.services.store_access import open_store

    return open_store(settings)


@contextmanager
def operator_reads(settings: Settings, linkage_dir: Path) -> Iterator[OperatorReads]:
    """The local operator's audited reads of `linkage_dir`, the store closed after."""
    store = audit_store(settings, linkage_dir)
    try:
        yield OperatorReads(linkage_dir, store, local_operator(PURPOSE))
    finally:
        if store is not None:
            store.close()
