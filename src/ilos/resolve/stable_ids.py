"""Stable subject ids across re-runs: new clusters inherit the ids of the subjects they continue, and merges
and splits are recorded as events so work attached to a subject can follow the right records."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SubjectEvent:
    """A merge (several old subjects in one new) or a split (one old subject's records in several new)."""

    kind: str  # "merge" or "split"
    subject_id: str  # the subject that continues
    others: tuple[str, ...]  # merged into it, or split off from it
    records_moved: int
    records: tuple[str, ...] = ()  # the record keys that moved (split off, or joined it), sorted


def fresh_subject_id(member_ids: Sequence[str]) -> str:
    """A new subject's id, derived from its earliest member so an unchanged first run is reproducible."""
    return "S-" + hashlib.sha256(min(member_ids).encode()).hexdigest()[:12]


def unused_subject_id(members: Sequence[str], is_taken: Callable[[str], bool]) -> str:
    """A fresh id that no other subject holds (an old subject's id may derive from the same record): the
    members' `fresh_subject_id`, salted while `is_taken` says a subject holds it."""
    candidate, salt = fresh_subject_id(members), 0
    while is_taken(candidate):
        salt += 1
        candidate = fresh_subject_id([f"{min(members)}#{salt}"])
    return candidate


def assign_stable_ids(
    clusters: Mapping[int, Sequence[str]], previous: Mapping[str, str]
) -> tuple[dict[int, str], list[SubjectEvent]]:
    """Name each new cluster (label -> member record keys) given the previous record -> subject map.

    A previous subject's id goes to the new cluster holding most of its records (ties: the larger cluster,
    then the lower label). A cluster that receives no old id gets a fresh one.
    """
    overlap: dict[str, Counter[int]] = defaultdict(Counter)
    for label, members in clusters.items():
        for member in members:
            if member in previous:
                overlap[previous[member]][label] += 1
    names: dict[int, str] = {}
    claims = sorted(
        (
            (count, len(clusters[label]), -label, old, label)
            for old, c in overlap.items()
            for label, count in c.items()
        ),
        reverse=True,
    )
    taken: set[str] = set()
    for _, _, _, old, label in claims:
        if label not in names and old not in taken:
            names[label] = old
            taken.add(old)
    for label, members in clusters.items():
        if label not in names:
            names[label] = unused_subject_id(members, taken.__contains__)
            taken.add(names[label])
    moves = [
        (member, previous[member], names[label])
        for label, members in clusters.items()
        for member in members
        if member in previous and previous[member] != names[label]
    ]
    return names, events_of_moves(moves, set(names.values()))


def events_of_moves(moves: Sequence[tuple[str, str, str]], surviving: Collection[str]) -> list[SubjectEvent]:
    """The merges and splits made by records that changed subject, (record, old subject, new subject), when the
    new subjects are named (by `assign_stable_ids`, or by `ilos link add`'s linker): records that left a
    subject still standing (`surviving`) split off from it; a subject no longer standing merged into those its
    records joined."""
    split_off: dict[str, list[tuple[str, str]]] = defaultdict(list)
    merged_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record, old, new in moves:
        if old in surviving:
            split_off[old].append((record, new))
        else:
            merged_in[new].append((record, old))
    events = [
        SubjectEvent(
            "split", old, tuple(sorted({n for _, n in left})), len(left), tuple(sorted(r for r, _ in left))
        )
        for old, left in split_off.items()
    ]
    events += [
        SubjectEvent(
            "merge", new, tuple(sorted({o for _, o in came})), len(came), tuple(sorted(r for r, _ in came))
        )
        for new, came in merged_in.items()
    ]
    return sorted(events, key=lambda e: (e.kind, e.subject_id))
