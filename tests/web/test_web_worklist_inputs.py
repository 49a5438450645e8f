"""The web worklist decides with what happened since the linkage was built: a supervisor's recorded gate
review, and a stay the change worker linked live. Each test works on its own copy of the session's
linkage and its own store (both backends), and runs the worker itself, so nothing waits on a thread."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from conftest import World
from ilos.config import Settings
from ilos.services import legal_records, web_alerts, worklists
from ilos.services.access import Caller, Purpose, Role
from ilos.services.change_inbox import StoreInbox
from ilos.services.legal_records import ReviewRequest
from ilos.services.realtime import Worker
from ilos.services.store_access import Store, open_store
from ilos.services.web_worklist import WorklistFilter, WorklistItem, worklist_page

ANALYST = Caller("analyst", frozenset({Role.analyst}), Purpose.case_investigation, "test")
SUPERVISOR = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
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
    # A review covers the evidence the action gate source sees, which leaves out the linker's candidate
    # matches the worklist's identity gate also rests on: such a review would not clear it here.
    reviewable = sorted(s for s, i in before.items() if "candidate match" not in i.gate_reasons)
    assert reviewable, "the session's world has subjects whose identity needs verifying"
    subject_id = reviewable[0]
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


def test_a_built_worklist_is_read_until_a_review_makes_it_stale(store: Store) -> None:
    home = store.settings.home
    inputs = legal_records.decision_inputs(store, SUPERVISOR)
    worklists.build_worklist(home / "linkage", home=home, inputs=inputs)
    assert worklist_page(store, ANALYST, WorklistFilter()).decided_by.startswith("ilos worklist build")

    subject_id, _ = _review_an_identity_gate(store)

    page = worklist_page(store, ANALYST, WorklistFilter())
    assert page.decided_by == "decided when first viewed"
    assert IDENTITY not in _items(store)[subject_id].gates


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
