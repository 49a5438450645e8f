"""The gate source the web's cases and actions use: the subject's stored record under ILOS_HOME/linkage (as
`case_actions.linkage_gates` reads it) plus the events of every change the near-real-time worker has
journaled for that subject since the linkage was built, so a stay posted a moment ago blocks the next step.
Evaluated afresh on every call, never cached."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateResult, GateReview
from ilos.services.case_actions import GateSource
from ilos.services.journal_events import journaled_events
from ilos.services.store_access import Store
from ilos.services.web_detail import linkage_dir, read_detail
from ilos.services.web_policy import current_policy
from ilos.subjects.assemble import assemble_subject, rows_of


def web_gate_source(store: Store) -> GateSource:
    home = store.settings.home

    def evaluate(
        subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        directory = linkage_dir(home)
        detail = read_detail(directory, subject_id)
        live = journaled_events(directory, {subject_id})
        events = [*detail.events, *(rows_of(live) if live is not None else ())]
        subject = assemble_subject(subject_id, detail.observations, events, detail.as_of)
        return evaluate_gates(subject, date.today(), current_policy(home), destination, reviews)

    return evaluate
