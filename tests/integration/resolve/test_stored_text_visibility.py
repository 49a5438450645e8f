"""Which records stored gate text rests on a reader may not see is decided from the subject and the sources'
markings alone (`linkage_gates.hidden_from` with `named`): its identity evidence, costly to read at a million
persons, changes nothing there. Checked against the whole gate inputs on subjects of the test world with
and without candidate matches, for two purposes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ilos.definitions.policy_files import load_policy
from ilos.services.access import Caller, Purpose, Role
from ilos.services.action_gates import hidden_records, linkage_gates
from ilos.services.gate_inputs import gate_inputs, subject_gate_inputs
from ilos.services.record_visibility import other_records_sources

AS_OF = date(2026, 11, 1)  # the day `built` is built as of
READERS = (
    Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test"),
    Caller("ann", frozenset({Role.analyst}), Purpose.case_investigation, "test"),
)


@pytest.mark.slow
def test_stored_text_is_withheld_on_the_records_the_whole_gate_inputs_withhold(
    built: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "linkage").symlink_to(built)
    policy = load_policy()
    sources = other_records_sources(built)
    every = list(gate_inputs(built, policy, AS_OF))
    with_candidates = [f for f in every if f.candidates][:15]
    chosen = with_candidates + [f for f in every if not f.candidates][:5]
    assert len(with_candidates) >= 10
    withheld = 0
    for found in chosen:
        subject = found.subject.subject_id
        named = {str(r) for r in found.subject.records}
        named |= {r for c in found.candidates for r in (c.record, c.other_record)}
        for reader in READERS:
            whole = subject_gate_inputs(built, subject, policy)
            expected = hidden_records(whole, policy, reader, sources, named) & named
            assert linkage_gates(home).hidden_from(subject, reader, named) == expected, subject
            withheld += len(expected)
    assert withheld > 0  # some of these records are withheld from one of the readers
