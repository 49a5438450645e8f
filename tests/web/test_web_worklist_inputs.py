"""The web worklist decides with what happened since the linkage was built: a supervisor's recorded gate
review, and a stay the change worker linked live; and the worklist, actions and review recording rest on the
same gate inputs (`services/gate_inputs.py`), the linker's unjudged candidate matches included. Each test
works on its own copy of the session's linkage and its own store (both backends), and runs the worker
itself, so nothing waits on a thread."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from sqlalchemy import update
from web_world import World

from ilos.config import Settings
from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import GateBlockedError
from ilos.services import action_gates, case_actions, legal_records, web_alerts, worklists
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.change_inbox import StoreInbox
from ilos.services.legal_records import ReviewRequest
from ilos.services.realtime import Worker
from ilos.services.store_access import Store, open_store
from ilos.services.worklist_publish import publish_worklist
from ilos.services.worklist_view import WorklistFilter, WorklistItem, worklist_page
from ilos.store.operations_tables import ActionVerificationRow

ANALYST = Caller("analyst", frozenset({Role.analyst}), Purpose.case_investigation, "test")
SUPERVISOR = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
APPROVER = Caller("sup2", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
IDENTITY = "identity_needs_verification"
# What the session's server has added beside the linkage: its worker's journal and lock, a built worklist.
LIVE_FILES = ("journal.jsonl", ".change-worker.lock", "worklist.*", "decisions.jsonl")


@pytest.fixture
def store(world: World, tmp_path: Path, db_url: str) -> Iterator[Store]:
    """A home of its own: the session's linkage as built (no journal, no built worklist), a fresh store."""
    source = world.settings.home / "linkage"
    shutil.copytree(source, tmp_path / "linkage", ignore=shutil.ignore_patterns(*LIVE_FILES))
    settings = Settings(home=tmp_path, database_url=db_url, environment="test", secret_key="k" * 32)
    opened = open_store(settings)
    yield opened
    opened.close()


def _items(store: Store, chosen: WorklistFilter = WorklistFilter()) -> dict[str, WorklistItem]:
    items: dict[str, WorklistItem] = {}
    page = 1
    while True:
        shown = worklist_page(store, ANALYST, replace(chosen, page=page))
        items |= {i.subject_id: i for i in shown.items}
        if page >= shown.pages:
            return items
        page += 1


def _review_an_identity_gate(store: Store) -> tuple[str, WorklistItem]:
    """A supervisor clears one subject's identity gate; returns the subject and how it stood before."""
    before = _items(store, WorklistFilter(gate=IDENTITY))
    assert before, "the session's world has subjects whose identity needs verifying"
    subject_id = sorted(before)[0]
    request = ReviewRequest(subject_id, IDENTITY, "cleared", "identity_verified", "fingerprints compared",
                            ("fingerprint match",))  # fmt: skip
    legal_records.record_review(store, SUPERVISOR, request)
    return subject_id, before[subject_id]


def test_a_recorded_review_reaches_the_next_worklist_view(store: Store) -> None:
    subject_id, before = _review_an_identity_gate(store)

    after = _items(store)[subject_id]

    assert IDENTITY not in after.gates
    assert set(after.gates) == set(before.gates) - {IDENTITY}
    assert subject_id not in _items(store, WorklistFilter(gate=IDENTITY))


def test_a_published_worklist_is_read_until_a_review_makes_it_stale(store: Store) -> None:
    home = store.settings.home
    inputs = legal_records.decision_inputs(store, SUPERVISOR)
    worklists.build_worklist(home / "linkage", home=home, inputs=inputs)
    publish_worklist(store, SUPERVISOR, home / "linkage")
    assert worklist_page(store, ANALYST, WorklistFilter()).decided_by.startswith("published by sup")

    subject_id, _ = _review_an_identity_gate(store)

    page = worklist_page(store, ANALYST, WorklistFilter())
    assert page.decided_by == "decided when first viewed"
    assert IDENTITY not in _items(store)[subject_id].gates


def test_a_published_worklist_is_not_read_after_a_re_link_brings_in_a_stay(store: Store) -> None:
    home = store.settings.home
    linkage = home / "linkage"
    subject_id = sorted(_items(store, WorklistFilter(status="actionable")))[0]
    worklists.build_worklist(linkage, home=home, inputs=legal_records.decision_inputs(store, SUPERVISOR))
    publish_worklist(store, SUPERVISOR, linkage)
    assert worklist_page(store, ANALYST, WorklistFilter()).decided_by.startswith("published by sup")

    _append(  # a re-run of `ilos link` and `ilos subjects build` that brings in a court's stay
        linkage / "timeline.parquet",
        "SELECT ? AS subject_id, 'court_cases' AS source, 'STAY-1' AS record_id, 'stay' AS kind, "
        "DATE '2020-01-01' AS occurred_on, [{'k': 'stay_type', 'v': 'JUDICIAL'}] AS attributes, "
        "['COURT'] AS markings",
        [subject_id],
    )

    page = worklist_page(store, ANALYST, WorklistFilter())
    assert page.decided_by == "decided when first viewed"
    after = _items(store)[subject_id]
    assert (after.status, "stay_in_effect" in after.gates) == ("blocked", True)


def test_a_stay_linked_live_blocks_an_actionable_subject_on_the_worklist(store: Store) -> None:
    actionable = _items(store, WorklistFilter(status="actionable"))
    assert actionable, "the session's world has actionable subjects"
    subject_id = sorted(actionable)[0]
    linkage = store.settings.home / "linkage"
    as_of = date.fromisoformat(json.loads((linkage / "subjects.json").read_text())["as_of"])
    event_id = web_alerts.post_stay(store, SUPERVISOR, subject_id, "JUDICIAL", as_of)
    assert _items(store)[subject_id].status == "actionable"  # posted, not linked yet: nothing changed

    [done] = Worker(linkage, as_of=as_of, inbox=StoreInbox(store)).run_once()

    assert (done.event_id, done.subject_id) == (event_id, subject_id)
    after = _items(store)[subject_id]
    assert after.status == "blocked"
    assert "stay_in_effect" in after.gates


def _action_identity(store: Store, subject_id: str) -> dict[str, object]:
    """The identity gate as an action on the subject records it when planned (gates checked now)."""
    view = case_actions.create_action(store, ANALYST, ActionRequest(subject_id, ActionKind.ARREST_PLAN))
    return next(g for g in view.last_gates if g["gate"] == IDENTITY)


def _records(linkage: Path, subject_id: str) -> list[tuple[str, str]]:
    return duckdb.sql(
        f"SELECT source, record_id FROM read_parquet('{linkage / 'clusters.parquet'}') "
        "WHERE subject_id = ? ORDER BY ALL",
        params=[subject_id],
    ).fetchall()


def _leave_for_review(linkage: Path, left: tuple[str, str], right: tuple[str, str]) -> None:
    """The linker left this pair in the review band: an unjudged candidate match between two subjects."""
    _append(
        linkage / "links.parquet",
        "SELECT ? AS source_l, ? AS record_id_l, ? AS source_r, ? AS record_id_r, "
        "0.6::DOUBLE AS match_probability, 'review' AS decision",
        [*left, *right],
    )


def _append(path: Path, rows_sql: str, params: list[object]) -> None:
    """Rewrite a linkage file with the rows `rows_sql` selects added, as a re-run would have written it."""
    table = duckdb.sql(
        f"SELECT * FROM read_parquet('{path}') UNION ALL BY NAME {rows_sql}", params=params
    ).to_arrow_table()
    pq.write_table(table, path)


def _clear_subject(store: Store) -> str:
    """An actionable subject no gate blocks today either, with no candidate match of its own."""
    gates = action_gates.gate_source_for(store)
    for subject_id, item in sorted(_items(store).items()):
        if item.status == "actionable" and not any(r.blocks for r in gates(subject_id, None, ())):
            return subject_id
    raise AssertionError("the session's world has actionable subjects")


def _with_a_candidate(store: Store) -> tuple[Path, str, tuple[str, str], list[str]]:
    """A clear subject given one unjudged candidate match with the first of the others: the linkage, the
    subject, its record in the pair, and the other subjects."""
    linkage = store.settings.home / "linkage"
    subject_id = _clear_subject(store)
    others = sorted(s for s in _items(store) if s != subject_id)
    mine = _records(linkage, subject_id)[0]
    _leave_for_review(linkage, mine, _records(linkage, others[0])[0])
    return linkage, subject_id, mine, others


def test_candidate_matches_count_for_the_identity_gate_in_the_worklist_and_in_actions(store: Store) -> None:
    # (a) an unjudged candidate match: the worklist needs verification, an action sees the identity gate
    linkage, subject_id, mine, others = _with_a_candidate(store)
    item = _items(store)[subject_id]
    assert (item.status, item.gates) == ("needs_verification", (IDENTITY,))
    assert "candidate match" in item.gate_reasons
    gate = _action_identity(store, subject_id)
    assert gate["blocks"] is True and "candidate match" in str(gate["reason"])

    # (b) a supervisor's review covering that evidence clears it on the worklist and for actions
    request = ReviewRequest(subject_id, IDENTITY, "cleared", "identity_verified", "the pair was compared",
                            ("fingerprints of both records",))  # fmt: skip
    review = legal_records.record_review(store, SUPERVISOR, request)
    assert any(c.startswith("candidate ") for c in review.covers)
    assert _items(store)[subject_id].status == "actionable"
    assert _action_identity(store, subject_id)["blocks"] is False

    # (c) a new candidate match after the review re-blocks both
    _leave_for_review(linkage, mine, _records(linkage, others[1])[0])
    assert _items(store)[subject_id].status == "needs_verification"
    assert _action_identity(store, subject_id)["blocks"] is True


def test_the_action_gate_source_takes_the_candidates_and_the_recorded_review(store: Store) -> None:
    """Every gate check an action makes (creation, steps, re-checks, manifest lock) goes through this source
    with the subject's recorded reviews: the candidate blocks it, the review clears it for that subject."""
    linkage = store.settings.home / "linkage"
    subject_id = _clear_subject(store)
    other = next(s for s in sorted(_items(store)) if s != subject_id)
    _leave_for_review(linkage, _records(linkage, subject_id)[0], _records(linkage, other)[0])
    gates = action_gates.gate_source_for(store)
    assert [r.gate.value for r in gates(subject_id, None, ()) if r.blocks] == [IDENTITY]
    request = ReviewRequest(subject_id, IDENTITY, "cleared", "identity_verified", "the pair was compared",
                            ("fingerprints of both records",))  # fmt: skip
    legal_records.record_review(store, SUPERVISOR, request)
    recorded = legal_records.decision_inputs(store, SUPERVISOR).reviews_of(subject_id)
    assert not any(r.blocks for r in gates(subject_id, None, recorded))
    # the other side of the pair still needs its own review: a review reaches only the subject it names
    assert any(r.gate.value == IDENTITY and r.blocks for r in gates(other, None, recorded))


def _verified_action(store: Store, subject_id: str) -> str:
    """An arrest plan on the subject with its identity and legal status verified by a supervisor."""
    action = case_actions.create_action(store, ANALYST, ActionRequest(subject_id, ActionKind.ARREST_PLAN))
    for step, evidence in [
        (ActionStep.VERIFY_IDENTITY, ("fingerprints compared with the booking record",)),
        (ActionStep.VERIFY_LEGAL_STATUS, ("final order read; no stay on the docket",)),
    ]:
        view = case_actions.step_action(store, SUPERVISOR, action.action_id, StepRequest(step, evidence))
    assert not any(g["blocks"] for g in view.last_gates), view.last_gates
    return action.action_id


def _approval_refused_by_identity(store: Store, action_id: str) -> None:
    with pytest.raises(GateBlockedError) as refused:
        case_actions.step_action(store, APPROVER, action_id, StepRequest(ActionStep.APPROVE))
    assert [p.location for p in refused.value.problems] == [f"gate.{IDENTITY}"]


def _link_late(linkage: Path, subject_id: str, observed_on: date) -> str:
    """A record linked to the subject by a re-run, weakly, that was observed long before (it arrived late)."""
    _append(
        linkage / "observations.parquet",
        "SELECT ? AS subject_id, 'full_name' AS attribute, 'LATE ARRIVAL' AS value, 'encounters' AS source, "
        "'LATE-1' AS record_id, ?::DATE AS observed_on, 0.6::DOUBLE AS link_confidence, "
        "['LAW_ENFORCEMENT'] AS markings",
        [subject_id, observed_on],
    )
    return "encounters:LATE-1"


def test_an_action_verification_covers_only_the_candidate_matches_it_saw(store: Store) -> None:
    linkage, subject_id, mine, others = _with_a_candidate(store)
    action_id = _verified_action(store, subject_id)  # the verification saw the first candidate: cleared

    _leave_for_review(linkage, mine, _records(linkage, others[1])[0])

    _approval_refused_by_identity(store, action_id)
    action = case_actions.read_action(store, SUPERVISOR, action_id)
    assert action.state == "halted"
    assert any(others[1] in e for e in action.halts[0].evidence)


def test_an_action_verification_does_not_cover_a_late_arriving_record_observed_before_it(
    store: Store,
) -> None:
    linkage = store.settings.home / "linkage"
    subject_id = _clear_subject(store)
    action_id = _verified_action(store, subject_id)

    late = _link_late(linkage, subject_id, date(2001, 1, 1))

    _approval_refused_by_identity(store, action_id)
    halt = case_actions.read_action(store, SUPERVISOR, action_id).halts[0]
    assert (halt.gate, halt.evidence) == (IDENTITY, (f"weak link {late}",))


def test_an_action_verification_from_an_older_store_clears_nothing(store: Store) -> None:
    """Verifications recorded before they stored what they covered (covers NULL) never lift the gate."""
    _, subject_id, _, _ = _with_a_candidate(store)
    action_id = _verified_action(store, subject_id)
    with store.transaction() as session:
        session.execute(update(ActionVerificationRow).values(covers=None))

    _approval_refused_by_identity(store, action_id)
