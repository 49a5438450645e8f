"""The near-real-time worker: inbox events processed in order, exactly once across restarts (file inbox and
store inbox, on both backends), and a stay arriving for a subject with a final order raises an affirmative
alert with its evidence."""

from __future__ import annotations

import json
import shutil
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from ilos.config import Settings
from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.domain.cases import ActionKind
from ilos.errors import ConflictError, InvalidInputError
from ilos.policy.results import GateId, GateResult, GateReview
from ilos.services import case_actions, changes, realtime, web_alerts
from ilos.services.access import Caller, Purpose, Role
from ilos.services.action_gates import gate_source_for
from ilos.services.change_inbox import INBOX_FILE, StoreInbox
from ilos.services.gate_inputs import subject_gate_inputs
from ilos.services.linking import LinkRun
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change, read_alerts
from ilos.services.source_reading import read_source_file
from ilos.services.store_access import Store, open_store
from ilos.services.subjects import build_subjects
from ilos.store.tables import AuditEventRow

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def built(small_world: Path, small_linkage: LinkRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("realtime") / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    build_subjects(out, small_world / "sources.yaml", as_of=AS_OF)
    return out


def _fresh(built: Path, tmp_path: Path) -> Path:
    out = tmp_path / "linkage"
    shutil.copytree(built, out)
    return out


def _final_order_row(linkage_dir: Path, world: Path) -> dict[str, str | None]:
    """A court-case removal order of a subject whose order is final (per the built subjects)."""
    subjects = pq.read_table(linkage_dir / "subjects.parquet").to_pylist()
    final = {s["subject_id"] for s in subjects if s.get("has_final_order")}
    clusters = pq.read_table(linkage_dir / "clusters.parquet").to_pylist()
    court_records = {
        c["record_id"] for c in clusters if c["source"] == "court_cases" and c["subject_id"] in final
    }
    names = pcsv.read_csv(world / "court_cases.csv").column_names
    options = pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    for row in pcsv.read_csv(world / "court_cases.csv", convert_options=options).to_pylist():
        if (
            row["REC_ID"] in court_records
            and row["REC_TYPE"] == "DECISION"
            and row["DECISION_CODE"] == "REMOVAL"
        ):
            return row
    raise AssertionError("no final removal order in the small world")


def test_events_are_processed_once_across_restarts(built: Path, tmp_path: Path, small_world: Path) -> None:
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    ids = [
        post_change(out, "court_cases", {**order, "REC_ID": f"RT-{i}", "REC_TYPE": "HEARING"})
        for i in range(3)
    ]
    first = Worker(out, as_of=AS_OF)
    assert [p.event_id for p in first.run_once(limit=1)] == ids[:1]
    restarted = Worker(out, as_of=AS_OF)  # a restart: state rebuilt from the batch files and the journal
    assert [e.event_id for e in restarted.pending()] == ids[1:]
    assert [p.event_id for p in restarted.run_once()] == ids[1:]
    again = Worker(out, as_of=AS_OF)
    assert again.pending() == []
    journaled = [line for line in (out / JOURNAL_FILE).read_text().splitlines() if line]
    assert len(journaled) == 3


def test_a_torn_journal_line_is_redone_not_lost(built: Path, tmp_path: Path, small_world: Path) -> None:
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    event_id = post_change(out, "court_cases", {**order, "REC_ID": "RT-TORN", "REC_TYPE": "HEARING"})
    with (out / JOURNAL_FILE).open("a") as journal:
        journal.write('{"event_id": "' + event_id + '", "trunc')  # a crash mid-write
    worker = Worker(out, as_of=AS_OF)
    assert [e.event_id for e in worker.pending()] == [event_id]


def test_a_stay_arriving_raises_an_affirmative_alert(built: Path, tmp_path: Path, small_world: Path) -> None:
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    stay = {**order, "REC_ID": "RT-STAY", "REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL", "EVENT_DATE": "10/01/2026",
            "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", stay)
    processed = Worker(out, as_of=AS_OF).run_once()
    assert len(processed) == 1
    assert processed[0].action == "joined"
    alerts = read_alerts(out)
    assert any(a["classification"] == "affirmative" and a["kind"] == "stay_granted" for a in alerts), alerts
    assert all(a["evidence"] for a in alerts)


def test_a_stay_whose_record_type_is_written_in_another_case_blocks_the_subject(
    built: Path, tmp_path: Path, small_world: Path
) -> None:
    """REC_TYPE "Stay" is a stay: the worker matched it exactly, found no event ("no change") and the
    removal was executed (found by the adversarial gates run). Both the worker's alert and the gates the
    actions read (the journal's events, extracted by the batch SQL) see it."""
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    stay = {**order, "REC_ID": "RT-STAY-CASE", "REC_TYPE": "Stay", "STAY_TYPE": "judicial",
            "EVENT_DATE": "10/01/2026", "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", stay)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert [c["kind"] for c in done.changes] == ["stay_granted"], done.changes
    gates = subject_gate_inputs(out, done.subject_id, load_policy()).evaluate(AS_OF, load_policy())
    [stay_gate] = [g for g in gates if g.gate == GateId.STAY]
    assert stay_gate.blocks and any("RT-STAY-CASE" in e for e in stay_gate.evidence), stay_gate


@pytest.mark.parametrize(
    ("rec_type", "event_date", "described"),
    [
        ("STY", "10/01/2026", "REC_TYPE=STY"),
        ("Stay", None, "a stay record (REC_TYPE=Stay) whose date EVENT_DATE= cannot be read"),
    ],
    ids=["no known type", "a stay with no date"],
)
def test_a_court_record_ilos_cannot_read_is_reported_and_blocks_the_subject(
    built: Path, tmp_path: Path, small_world: Path, rec_type: str, event_date: str | None, described: str
) -> None:
    """A court row whose REC_TYPE no event spec reads ("STY"), or a stay with no date (one whose date does
    not parse is refused when posted), may be a stay: both were dropped in silence ("no change"). Each is
    reported as an affirmative change and holds the subject on a gate no review lifts."""
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    unread = {**order, "REC_ID": "RT-UNREAD", "REC_TYPE": rec_type, "STAY_TYPE": "JUDICIAL",
              "EVENT_DATE": event_date, "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", unread)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert [(c["classification"], c["kind"]) for c in done.changes] == [
        ("affirmative", "unrecognised_record")
    ]
    assert described in done.changes[0]["summary"]
    gates = subject_gate_inputs(out, done.subject_id, load_policy()).evaluate(AS_OF, load_policy())
    [held] = [g for g in gates if g.gate == GateId.UNRECOGNISED_RECORD]
    assert held.blocks and f"court_cases:RT-UNREAD ({described})" in held.reason, held


def test_a_stay_in_the_subjects_case_linked_to_no_one_holds_the_subject_and_halts_its_actions(
    built: Path, tmp_path: Path, small_world: Path, store: Store
) -> None:
    """A stay carrying the subject's case number but no A-number or date of birth, and a name variant, founds
    a subject of its own: the removal was executed (found by an adversarial test). The subject whose case it
    is is held by the stay elsewhere, and its open actions are halted when the stay is linked."""
    out = _fresh(built, tmp_path)  # ILOS_HOME/linkage: the linkage the re-check reads
    order = _final_order_row(out, small_world)
    clusters = pq.read_table(out / "clusters.parquet").to_pylist()
    [ordered] = [
        c["subject_id"] for c in clusters if (c["source"], c["record_id"]) == ("court_cases", order["REC_ID"])
    ]
    planner = Caller("pat", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
    planned = case_actions.create_action(
        store, planner, case_actions.ActionRequest(ordered, ActionKind.ARREST_PLAN), _ClearWhenPlanned(store)
    )
    stay = {**order, "REC_ID": "RT-STAY-ELSEWHERE", "REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL", "A_NBR": None,
            "DOB": None, "FIRST_NAME": "ZZYZX", "LAST_NAME": "QWERTY", "EVENT_DATE": "10/01/2026",
            "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    changes.post_change_event(store, STEWARD, "court_cases", stay, out)
    [done] = Worker(out, as_of=AS_OF, inbox=StoreInbox(store, changes.recheck_on_change(store))).run_once()
    assert done.subject_id != ordered  # linked to no one
    gates = subject_gate_inputs(out, ordered, load_policy()).evaluate(AS_OF, load_policy())
    [held] = [g for g in gates if g.gate == GateId.CASE_RECORD_ELSEWHERE]
    assert held.blocks and held.records == ("court_cases:RT-STAY-ELSEWHERE",)
    assert f"held by subject {done.subject_id}" in held.reason
    supervisor = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
    halted = case_actions.read_action(store, supervisor, planned.action_id)
    assert halted.state == "halted", halted
    assert GateId.CASE_RECORD_ELSEWHERE.value in {h.gate for h in halted.halts}, halted.halts


def test_a_remanded_appeal_posted_through_the_worker_holds_the_order(
    built: Path, tmp_path: Path, small_world: Path
) -> None:
    """APPEAL_STATUS REMANDED left the order final ("no change"): only DISMISSED, DENIED or WITHDRAWN do."""
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    appeal = {**order, "REC_ID": "RT-REMANDED", "REC_TYPE": "APPEAL", "APPEAL_STATUS": "REMANDED",
              "EVENT_DATE": "10/01/2026", "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", appeal)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert [c["kind"] for c in done.changes] == ["appeal_filed"], done.changes
    gates = subject_gate_inputs(out, done.subject_id, load_policy()).evaluate(AS_OF, load_policy())
    blocking = {g.gate for g in gates if g.blocks}
    assert {GateId.FINAL_ORDER, GateId.APPEAL} <= blocking, gates


def test_an_appeal_whose_case_number_is_written_in_lower_case_holds_the_order(
    built: Path, tmp_path: Path, small_world: Path
) -> None:
    """CASE_NO "2019-rmv-…" beside the order's "2019-RMV-…" made the appeal its own case: the order stayed
    final ("no change"). One case number, however written."""
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    appeal = {**order, "REC_ID": "RT-APPEAL-CASE", "REC_TYPE": "APPEAL", "APPEAL_STATUS": "PENDING",
              "CASE_NO": f" {str(order['CASE_NO']).lower()}", "EVENT_DATE": "10/01/2026",
              "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", appeal)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert [c["kind"] for c in done.changes] == ["appeal_filed"], done.changes
    inputs = subject_gate_inputs(out, done.subject_id, load_policy())
    [pending] = inputs.subject.legal.pending_appeals
    assert pending.case == str(order["CASE_NO"]).upper()
    assert [r.record_id for r in pending.evidence] == [
        order["REC_ID"],
        "RT-APPEAL-CASE",
    ]  # the order it holds
    assert all(o.case != pending.case for o in [inputs.subject.legal.final_order] if o is not None)
    assert GateId.APPEAL in {g.gate for g in inputs.evaluate(AS_OF, load_policy()) if g.blocks}


def test_a_pending_appeal_dated_before_its_order_holds_it(
    built: Path, tmp_path: Path, small_world: Path
) -> None:
    """An appeal dated before the order (a day and month swapped) was not counted: only appeals on or after the
    order's date were. A pending appeal on the case holds the order whatever its date."""
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    ordered = datetime.strptime(str(order["EVENT_DATE"]), "%m/%d/%Y").date()
    before = (ordered - timedelta(days=20)).strftime("%m/%d/%Y")
    appeal = {**order, "REC_ID": "RT-APPEAL-EARLY", "REC_TYPE": "APPEAL", "APPEAL_STATUS": "PENDING",
              "EVENT_DATE": before, "ENTERED_DATE": before, "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", appeal)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert [c["kind"] for c in done.changes] == ["appeal_filed"], done.changes
    gates = subject_gate_inputs(out, done.subject_id, load_policy()).evaluate(AS_OF, load_policy())
    assert GateId.APPEAL in {g.gate for g in gates if g.blocks}, gates


def test_a_stay_and_citizenship_evidence_dated_after_today_still_protect(
    built: Path, tmp_path: Path, small_world: Path
) -> None:
    """A stay dated 12/11/2026 (a day and month swapped) and a naturalization certificate issued on a date
    after today were dropped as not yet happened ("no change"), and the removal was executed: the system holds
    both records, so each counts, its date named as a likely error. An order dated ahead still does not."""
    out = _fresh(built, tmp_path)
    order = _final_order_row(out, small_world)
    ahead = (AS_OF + timedelta(days=40)).strftime("%m/%d/%Y")
    stay = {**order, "REC_ID": "RT-STAY-AHEAD", "REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL",
            "EVENT_DATE": ahead, "ENTERED_DATE": ahead, "DECISION_CODE": None}  # fmt: skip
    born = datetime.strptime(str(order["DOB"]), "%m/%d/%Y").date().isoformat()
    certificate = {
        "evidence_id": "RT-NAT-AHEAD", "evidence_type": "NATURALIZATION_CERTIFICATE",
        "full_name": f"{order['FIRST_NAME']} {order['LAST_NAME']}", "dob": born, "place_of_birth": None,
        "document_number": "N0000001", "a_number": order["A_NBR"], "ssn": None, "us_passport": None,
        "issue_date": (AS_OF + timedelta(days=40)).isoformat(),
    }  # fmt: skip
    post_change(out, "court_cases", stay)
    post_change(out, "citizenship_evidence", certificate)
    done = Worker(out, as_of=AS_OF).run_once()
    assert [[c["kind"] for c in d.changes] for d in done] == [["stay_granted"], ["citizenship_evidence"]]
    assert all("dated after 2026-11-01" in d.changes[0]["summary"] for d in done), done
    assert done[0].subject_id == done[1].subject_id
    gates = subject_gate_inputs(out, done[0].subject_id, load_policy()).evaluate(AS_OF, load_policy())
    blocking = {g.gate: g for g in gates if g.blocks}
    assert {GateId.STAY, GateId.CITIZENSHIP} <= set(blocking), gates
    assert "dated after 2026-11-01" in blocking[GateId.STAY].reason


def test_a_change_event_missing_columns_is_refused(built: Path, tmp_path: Path) -> None:
    out = _fresh(built, tmp_path)
    with pytest.raises(InvalidInputError, match="lacks column"):
        post_change(out, "court_cases", {"REC_ID": "X"})


STEWARD = Caller("steward", frozenset({Role.data_steward}), Purpose.data_quality, "test")


@pytest.fixture
def store(tmp_path: Path, db_url: str) -> Iterator[Store]:
    opened = open_store(
        Settings(
            home=tmp_path, database_url=db_url, environment="test", secret_key="test-secret-key-0123456789"
        )
    )
    yield opened
    opened.close()


def _post_hearings(store: Store, out: Path, order: dict[str, str | None], n: int) -> list[str]:
    posted = [
        changes.post_change_event(
            store, STEWARD, "court_cases", {**order, "REC_ID": f"ST-{i}", "REC_TYPE": "HEARING"}, out
        )
        for i in range(n)
    ]
    return [p.event_id for p in posted]


def _state(store: Store, event_id: str) -> changes.ChangeEventView:
    oversight = Caller("o", frozenset({Role.oversight}), Purpose.oversight, "t")
    return changes.read_change_event(store, oversight, event_id)


def test_store_events_are_processed_in_order_once_across_restarts(
    built: Path, tmp_path: Path, small_world: Path, store: Store
) -> None:
    out = _fresh(built, tmp_path)
    ids = _post_hearings(store, out, _final_order_row(out, small_world), 3)
    first = Worker(out, as_of=AS_OF, inbox=StoreInbox(store))
    assert [p.event_id for p in first.run_once(limit=1)] == ids[:1]
    restarted = Worker(out, as_of=AS_OF, inbox=StoreInbox(store))
    assert [e.event_id for e in restarted.pending()] == ids[1:]
    assert [p.event_id for p in restarted.run_once()] == ids[1:]
    assert Worker(out, as_of=AS_OF, inbox=StoreInbox(store)).pending() == []
    assert len((out / JOURNAL_FILE).read_text().splitlines()) == 3
    assert {_state(store, i).state for i in ids} == {"processed"}


def test_a_crash_between_journal_and_store_completes_without_linking_again(
    built: Path, tmp_path: Path, small_world: Path, store: Store
) -> None:
    out = _fresh(built, tmp_path)
    [event_id] = _post_hearings(store, out, _final_order_row(out, small_world), 1)
    completions: list[str] = []
    crashed = Worker(out, as_of=AS_OF, inbox=StoreInbox(store))
    crashed.process(crashed.pending()[0])  # linked and journaled; the process dies before the store commit
    assert _state(store, event_id).state == "pending"

    inbox = StoreInbox(store, lambda _session, done: completions.append(done.event_id))
    restarted = Worker(out, as_of=AS_OF, inbox=inbox)
    [done] = restarted.run_once()
    again = Worker(out, as_of=AS_OF, inbox=inbox).run_once()

    assert again == []
    assert completions == [event_id]  # the work committed with completion ran once
    assert len((out / JOURNAL_FILE).read_text().splitlines()) == 1  # linked once
    state = _state(store, event_id)
    assert (state.state, state.subject_id, state.record) == ("processed", done.subject_id, done.record)


class _Crash(BaseException):
    """The process dying: no handler runs after it."""


def test_a_crash_inside_a_group_redoes_only_the_unjournaled_events(
    built: Path, tmp_path: Path, small_world: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _fresh(built, tmp_path)
    ids = _post_hearings(store, out, _final_order_row(out, small_world), 3)

    append = realtime.append_lines

    def torn_write(path: Path, payloads: list[dict[str, object]]) -> None:
        append(path, payloads[:1])  # the first line reached the disk,
        with path.open("a") as journal:
            journal.write('{"event_id": "' + str(payloads[1]["event_id"]) + '", "trunc')  # the second half
        raise _Crash

    monkeypatch.setattr(realtime, "append_lines", torn_write)
    crashed = Worker(out, as_of=AS_OF, inbox=StoreInbox(store), group_commit=3)
    with pytest.raises(_Crash):
        crashed.run_once()
    assert {_state(store, i).state for i in ids} == {"pending"}  # nothing completed before the fsync
    monkeypatch.setattr(realtime, "append_lines", append)

    completions: list[str] = []
    inbox = StoreInbox(store, lambda _session, done: completions.append(done.event_id))
    restarted = Worker(out, as_of=AS_OF, inbox=inbox, group_commit=3)
    assert [p.event_id for p in restarted.run_once()] == ids

    assert completions == ids  # each completed once, in order
    lines = [line for line in (out / JOURNAL_FILE).read_text().splitlines() if line]
    assert [json.loads(line)["event_id"] for line in lines] == ids  # the first linked once, the rest redone
    assert {_state(store, i).state for i in ids} == {"processed"}
    assert Worker(out, as_of=AS_OF, inbox=inbox).pending() == []


def test_a_stay_posted_on_the_web_goes_to_the_store_inbox_with_its_audit(
    built: Path, tmp_path: Path, small_world: Path, store: Store
) -> None:
    out = _fresh(built, tmp_path)  # ILOS_HOME/linkage: the web's linkage
    subjects = pq.read_table(out / "subjects.parquet").to_pylist()
    subject_id = next(s["subject_id"] for s in subjects if s.get("has_final_order"))
    supervisor = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "web")

    event_id = web_alerts.post_stay(store, supervisor, subject_id, "JUDICIAL", date(2026, 10, 1))

    assert not (out / INBOX_FILE).exists()  # no file feed
    posted = _state(store, event_id)
    assert (posted.state, posted.source, posted.posted_by) == ("pending", "court_cases", "sup")
    with store.transaction() as session:
        audited = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "change.post")).one()
    assert (audited.actor, list(audited.object_ids)) == ("sup", [event_id, subject_id])
    assert "JUDICIAL stay on 2026-10-01" in audited.detail
    [done] = Worker(out, as_of=AS_OF, inbox=StoreInbox(store)).run_once()
    assert done.subject_id == subject_id
    assert any(c["kind"] == "stay_granted" for c in done.changes), done.changes
    assert _state(store, event_id).state == "processed"


class _ClearWhenPlanned:
    """The real gates with every verdict clear: the action was planned before the record arrived."""

    def __init__(self, store: Store) -> None:
        self.real = gate_source_for(store)

    def __call__(
        self, subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> list[GateResult]:
        return [replace(g, blocks=False) for g in self.real(subject_id, destination, reviews)]

    def hidden_from(
        self, subject_id: str, caller: Caller, named: Collection[str] = (), legacy: bool = False
    ) -> frozenset[str]:
        return self.real.hidden_from(subject_id, caller, named, legacy)


def test_a_cooperation_certification_posted_is_affirmative_and_halts_open_actions(
    built: Path, tmp_path: Path, small_world: Path, store: Store
) -> None:
    """A witness or victim certification made no change ("no change"), so the subject's open actions were not
    re-checked until their next step, while a stay halted them at once. It is an affirmative change now."""
    out = _fresh(built, tmp_path)  # ILOS_HOME/linkage: the linkage the re-check reads
    order = _final_order_row(out, small_world)
    born = datetime.strptime(str(order["DOB"]), "%m/%d/%Y").date().isoformat()
    certificate = {
        "coop_id": "RT-COOP", "certifying_agency": "DA OFFICE", "case_ref": "00000001",
        "witness_last": order["LAST_NAME"], "witness_first": order["FIRST_NAME"], "witness_dob": born,
        "cert_type": "U_VISA_CERTIFICATION", "start_date": "2026-10-01", "end_date": None, "status": "ACTIVE",
    }  # fmt: skip
    planner = Caller("pat", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
    [subject_id] = {
        c["subject_id"]
        for c in pq.read_table(out / "clusters.parquet").to_pylist()
        if c["source"] == "court_cases" and c["record_id"] == order["REC_ID"]
    }
    planned = case_actions.create_action(
        store,
        planner,
        case_actions.ActionRequest(subject_id, ActionKind.ARREST_PLAN),
        _ClearWhenPlanned(store),
    )
    changes.post_change_event(store, STEWARD, "cooperation", certificate, out)
    [done] = Worker(out, as_of=AS_OF, inbox=StoreInbox(store, changes.recheck_on_change(store))).run_once()
    assert done.subject_id == subject_id, done
    assert [(c["classification"], c["kind"]) for c in done.changes] == [("affirmative", "cooperation")]
    assert "U_VISA_CERTIFICATION cooperation" in done.changes[0]["summary"]
    supervisor = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
    halted = case_actions.read_action(store, supervisor, planned.action_id)
    assert halted.state == "halted", halted
    assert GateId.COOPERATION.value in {h.gate for h in halted.halts}, halted.halts


def test_a_posted_change_must_match_the_source_columns(built: Path, tmp_path: Path, store: Store) -> None:
    out = _fresh(built, tmp_path)
    with pytest.raises(InvalidInputError) as refused:
        changes.post_change_event(store, STEWARD, "court_cases", {"REC_ID": "X", "NOT_A_COLUMN": "1"}, out)
    locations = {p.location for p in refused.value.problems}
    assert {"values.NOT_A_COLUMN", "values.CASE_NO"} <= locations
    with pytest.raises(InvalidInputError, match="No source named 'nope'"):
        changes.post_change_event(store, STEWARD, "nope", {}, out)


def test_a_record_already_linked_or_waiting_is_refused_at_the_door(
    small_linkage: LinkRun, small_world: Path, tmp_path: Path
) -> None:
    """The worker refuses such a record on every look, and an event it cannot link holds back every event
    after it: it is refused when posted instead, and so is a row without a record id."""
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    config = load_sources_config(small_world / "sources.yaml")
    spec = config.source("court_cases")
    row = read_source_file(config, spec).slice(0, 1).to_pylist()[0]
    values = {c: None if row.get(c) is None else str(row[c]) for c in spec.declared_schema()}
    with pytest.raises(ConflictError, match="already linked"):
        post_change(out, "court_cases", values)  # in the batch files
    post_change(out, "court_cases", {**values, spec.record_id: "NEW-1"})
    with pytest.raises(ConflictError, match="already waiting"):
        post_change(out, "court_cases", {**values, spec.record_id: "NEW-1"})
    Worker(out).run_once()
    with pytest.raises(ConflictError, match="already linked"):
        post_change(out, "court_cases", {**values, spec.record_id: "NEW-1"})  # in the journal
    with pytest.raises(InvalidInputError, match="no record id"):
        post_change(out, "court_cases", {**values, spec.record_id: " "})
