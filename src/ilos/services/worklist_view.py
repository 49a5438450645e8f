"""The worklist for the pages and the API: every subject of the linkage decided for the caller's role and purpose (status,
gates, explained priority, last location the purpose may use), filtered and paged, with per-state counts
for the map. Locations the purpose may not use are never counted on the map, only as withheld.

Decisions take the recorded gate reviews and the change worker's journaled events (a stay posted live) as
inputs. They come from the worklist published to the store (`ilos worklist build`, then `ilos worklist
publish`; `ilos demo` does both for the analyst's purpose) when it was decided for this role, purpose and
policy from the linkage files as they are now, with the same reviews and journal and no cited authority; otherwise
they are decided here once per process and kept until the linkage files, the policy, the reviews or the
journal change. Both compare the same stamp of the linkage files (`gate_inputs.linkage_stamp`)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ilos.definitions.policy import Policy
from ilos.errors import FieldProblem, InvalidInputError
from ilos.policy.results import Status
from ilos.services import legal_records, worklists
from ilos.services.access import Caller, Role
from ilos.services.audit_log import Action, record_alone, require_role
from ilos.services.gate_inputs import built_as_of, linkage_stamp
from ilos.services.journal_events import journal_size, journaled_events
from ilos.services.journal_records import read_journal
from ilos.services.legal_store import review_count
from ilos.services.policy_in_force import current_policy, policy_role
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.store import worklist_tables
from ilos.store.tables import SubjectRow

WORKLIST_READERS = frozenset({Role.analyst, Role.supervisor, Role.logistics_planner})
PAGE_SIZE = 50
WITHHELD, NO_ADDRESS, NOT_US = "withheld", "none", "unknown"  # location states that are not a US state
_STATE = re.compile(r",\s*([A-Z]{2})\s+\d{5}(?:-\d{4})?\s*$")


@dataclass(frozen=True, slots=True)
class WorklistFilter:
    status: str = ""
    priority: str = ""
    gate: str = ""
    state: str = ""  # a USPS code, or withheld / none / unknown
    page: int = 1


@dataclass(frozen=True, slots=True)
class WorklistItem:
    subject_id: str
    status: str
    priority: str
    score: int
    gates: tuple[str, ...]
    gate_reasons: str
    location: str | None  # the latest address the purpose may use
    location_state: str
    location_source: str | None
    location_date: date | None
    location_withheld: str  # why a newer (or every) address is withheld
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class MapCounts:
    by_state: dict[str, int]  # plotted: subjects whose usable location is in a US state
    withheld: int  # every address withheld for this purpose: not plotted
    no_address: int
    not_us: int  # a usable address with no US state in it
    newer_withheld: int  # plotted at an older address because a newer one is withheld


@dataclass(frozen=True, slots=True)
class WorklistPage:
    items: tuple[WorklistItem, ...]
    matching: int
    total: int
    page: int
    pages: int
    chosen: WorklistFilter
    by_status: dict[str, int]  # over the whole worklist
    priorities: tuple[str, ...]
    gates: tuple[str, ...]
    states: tuple[str, ...]
    map: MapCounts  # over the matching subjects (every page)
    role: str
    purpose: str
    policy_label: str
    as_of: date
    decided_by: str  # where the decisions came from


def location_state(value: str | None, usable: bool) -> str:
    """The USPS state of a standardized address ("…, AUSTIN, TX 78701" → TX)."""
    if value is None or not usable:
        return NO_ADDRESS
    match = _STATE.search(value)
    return match.group(1) if match else NOT_US


def item_of(row: dict[str, Any]) -> WorklistItem:
    """One row of `worklists.worklist_row` (or of the built worklist file)."""
    value, usable, withheld = row["location"], bool(row["location_usable"]), row["location_withheld"] or ""
    state = WITHHELD if value is None and withheld else location_state(value, usable)
    return WorklistItem(
        str(row["subject_id"]), row["status"], row["priority"], int(row["score"]),
        tuple(g for g in (row["gates"] or "").split(";") if g), row["gate_reasons"] or "",
        value if usable else None, state, row["location_source"], row["location_date"], withheld,
    )  # fmt: skip


def filter_items(items: Sequence[WorklistItem], chosen: WorklistFilter) -> list[WorklistItem]:
    return [
        i
        for i in items
        if (not chosen.status or i.status == chosen.status)
        and (not chosen.priority or i.priority == chosen.priority)
        and (not chosen.gate or chosen.gate in i.gates)
        and (not chosen.state or i.location_state == chosen.state)
    ]


def count_locations(items: Sequence[WorklistItem]) -> MapCounts:
    states = Counter(i.location_state for i in items)
    special = {WITHHELD, NO_ADDRESS, NOT_US}
    return MapCounts(
        {s: n for s, n in sorted(states.items()) if s not in special},
        states[WITHHELD],
        states[NO_ADDRESS],
        states[NOT_US],
        sum(1 for i in items if i.location_state not in special and i.location_withheld),
    )


def check_filter(chosen: WorklistFilter, items: Sequence[WorklistItem]) -> None:
    """Every unknown filter value at once, with the values that exist."""
    known = {
        "status": {s.value for s in Status},
        "priority": {i.priority for i in items},
        "gate": {g for i in items for g in i.gates},
    }
    problems = []
    for field, values in known.items():
        given = getattr(chosen, field)
        if given and given not in values:
            choices = ", ".join(sorted(values)) or "none"
            problems.append(FieldProblem(field, f"{field} {given!r} is not one of: {choices}"))
    if chosen.state and not re.fullmatch(r"[A-Z]{2}|withheld|none|unknown", chosen.state):
        problems.append(
            FieldProblem("state", f"state {chosen.state!r} is not a USPS code, withheld, none or unknown")
        )
    if chosen.page < 1:
        problems.append(FieldProblem("page", f"page {chosen.page} is not 1 or more"))
    if problems:
        raise InvalidInputError("The worklist filter has values ILOS does not know", problems)


def worklist_page(store: Store, caller: Caller, chosen: WorklistFilter) -> WorklistPage:
    """The filtered page for the caller's role and purpose; the read (or its refusal) is audited."""
    require_role(store, caller, WORKLIST_READERS, Action("worklist.read", "subject"))
    home = store.settings.home
    policy = current_policy(home)
    role, purpose = policy_role(policy, caller), caller.purpose.value
    decided = _decided(store, caller, linkage_dir(home), policy, role, purpose)
    check_filter(chosen, decided.items)
    matching = filter_items(decided.items, chosen)
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    start = (min(chosen.page, pages) - 1) * PAGE_SIZE
    shown = _with_names(store, matching[start : start + PAGE_SIZE])
    query = {k: v for k, v in asdict(chosen).items() if v}
    record_alone(
        store, caller,
        Action("worklist.read", "subject", tuple(i.subject_id for i in shown), query, len(matching)),
    )  # fmt: skip
    return WorklistPage(
        tuple(shown), len(matching), len(decided.items), min(chosen.page, pages), pages, chosen,
        dict(Counter(i.status for i in decided.items)),
        tuple(sorted({i.priority for i in decided.items})),
        tuple(sorted({g for i in decided.items for g in i.gates})),
        tuple(sorted({i.location_state for i in decided.items})),
        count_locations(matching), role, purpose, policy.label, decided.as_of, decided.source,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Decided:
    items: tuple[WorklistItem, ...]
    as_of: date
    source: str


_cache: dict[tuple[Any, ...], _Decided] = {}
_cache_lock = threading.Lock()


def _decided(
    store: Store, caller: Caller, directory: Path, policy: Policy, role: str, purpose: str
) -> _Decided:
    """The published worklist when it was decided for this role, purpose, policy and live state; else decided
    here, once per process for each (linkage files, policy, live state, role, purpose)."""
    live = _live_state(store, directory)
    stamp = linkage_stamp(directory)
    published = _published(store, policy, role, purpose, live, stamp)
    if published is not None:
        return published
    key = (str(directory), stamp, policy.content_hash, live, role, purpose)
    with _cache_lock:  # one thread decides; the others wait for its result rather than repeat it
        if key not in _cache:
            as_of = built_as_of(directory)
            inputs = legal_records.decision_inputs(store, caller)  # no authority cited: TAX stays withheld
            journal = read_journal(directory)  # once, for the events and the candidate matches
            events = journaled_events(directory, journal=journal)
            decisions = list(
                worklists.evaluate_linkage(directory, policy, as_of, purpose, role, inputs, events, journal)
            )
            rows = worklists.worklist_table(decisions).to_pylist() if decisions else []
            for stale in [k for k in _cache if k[0] == key[0] and k[1:4] != key[1:4]]:  # older inputs
                del _cache[stale]
            _cache[key] = _Decided(tuple(item_of(r) for r in rows), as_of, "decided when first viewed")
        return _cache[key]


def _live_state(store: Store, directory: Path) -> tuple[int, int]:
    """What decisions take besides the files and the policy, as it stands: the number of recorded reviews
    and the size of the worker's journal (both only grow). Read before the inputs themselves, so a review or
    event arriving meanwhile makes the next view decide again rather than serve a stale list."""
    journal = journal_size(directory)
    with store.transaction() as session:
        return review_count(session), journal


def _published(
    store: Store,
    policy: Policy,
    role: str,
    purpose: str,
    live: tuple[int, int],
    stamp: tuple[tuple[str, int, int], ...],
) -> _Decided | None:
    """The worklist published to the store (`ilos worklist publish`), if decided for this role, purpose and
    policy from the linkage files as they are now (a re-link or subjects rebuild since makes it stale), with
    the same reviews and journal and no cited authority. Its items are read once per process per publish."""
    with store.transaction() as session:
        header = worklist_tables.published_worklist(session, role, purpose)
        if header is None or header.policy_hash != policy.content_hash:
            return None
        made = header.stamp
        if (made.get("reviews"), made.get("journal_bytes"), made.get("authorities")) != (*live, []):
            return None
        if made.get("linkage_files") != [list(f) for f in stamp]:
            return None
        key = ("published", role, purpose, header.published_at)
        with _cache_lock:
            if key not in _cache:
                rows = worklist_tables.worklist_items(session, role, purpose)
                for stale in [k for k in _cache if k[:3] == key[:3]]:  # an earlier publish
                    del _cache[stale]
                source = f"published by {header.published_by} ({header.subjects:,} subjects)"
                _cache[key] = _Decided(tuple(item_of(r) for r in rows), header.as_of, source)
            return _cache[key]


def _with_names(store: Store, items: Sequence[WorklistItem]) -> list[WorklistItem]:
    """The published display name of each subject on the page (one query)."""
    ids = [i.subject_id for i in items]
    if not ids:
        return []
    with store.transaction() as session:
        names = dict(
            session.execute(
                select(SubjectRow.subject_id, SubjectRow.display_name).where(SubjectRow.subject_id.in_(ids))
            ).all()
        )
    return [replace(i, display_name=names.get(i.subject_id, "")) for i in items]
