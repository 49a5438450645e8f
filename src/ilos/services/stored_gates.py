"""Gate text kept in the store (an action's last gates, its halts, a halt's alerts) is each gate's own reason
and evidence with the records they rest on, whoever acted: an officer, or the recheck, which has no purpose.
It is shown to each reader as that reader's purpose may see it now (`decide.withheld_text` in place of the
text of a gate resting on a record the reader may not see), never as it was shown to whoever acted. Text
stored without its records (before migration 0013) is taken to rest on every record the reader may not see, and
on every source the reader may not see (it may name a record that has left the subject since)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from ilos.domain.cases import GateBlock
from ilos.policy.decide import hidden_rested_on, withheld_text
from ilos.policy.results import GateResult
from ilos.services.access import Caller
from ilos.services.action_gates import GateSource

HALT_ALERT = "action_halted"

Hidden = Callable[[Collection[str], bool], frozenset[str]]
"""Of the records `named` (those stored text rests on), and of every record the subject's gates may rest on
now, those one reader may not see; when some text was stored without its records (the bool), also every
source the reader may not see, as `source:*`."""

UNKNOWN_SOURCES = "sources not recorded:*"
"""What text stored without its records rests on for a reader with no purpose to decide by."""


def hidden_for(source: GateSource, reader: Caller, subject_id: str) -> Hidden:
    """What `reader` may not see, decided now by the rule the subject page uses (`GateSource.hidden_from`)."""

    def hidden(named: Collection[str], legacy: bool) -> frozenset[str]:
        return source.hidden_from(subject_id, reader, named, legacy)

    return hidden


def hidden_for_nobody(named: Collection[str], legacy: bool) -> frozenset[str]:
    """Every record named (and, for text stored without them, every source): text as a reader who may see
    none of them. What the recheck writes where text is not rendered per reader (its audit line, the halts it
    returns): it has no purpose to decide by."""
    return frozenset(named).union((UNKNOWN_SOURCES,) if legacy else ())


def hidden_among(hidden: Hidden, records: Iterable[Sequence[str] | None]) -> frozenset[str]:
    """`hidden` asked once for the records of several stored gates, and only when there is something to ask:
    a gate that names records, or one stored without them."""
    named: set[str] = set()
    legacy = False
    for rested_on in records:
        legacy = legacy or rested_on is None
        named.update(rested_on or ())
    return hidden(named, legacy) if named or legacy else frozenset()


def text_as_shown(
    reason: str, evidence: Sequence[str], records: Collection[str] | None, hidden: frozenset[str]
) -> tuple[str, tuple[str, ...]]:
    """A stored gate's reason and evidence as a reader who may not see `hidden` is shown them."""
    rests_on = hidden_rested_on(records, hidden)
    return withheld_text(rests_on) if rests_on else (reason, tuple(evidence))


def kept_gates(results: Sequence[GateResult]) -> list[dict[str, Any]]:
    """The gates kept on an action (its `last_gates`): each gate's own reason with the records it rests on."""
    return [
        {
            "gate": r.gate.value,
            "blocks": r.blocks,
            "reason": r.reason,
            "policy": f"v{r.policy_version}:{r.policy_hash}",
            "records": None if r.records is None else list(r.records),
        }
        for r in results
    ]


def kept_as_shown(kept: Sequence[Mapping[str, Any]], hidden: frozenset[str]) -> tuple[dict[str, Any], ...]:
    """An action's kept gates as a reader who may not see `hidden` is shown them, in the shape they have always
    been shown in (gate, blocks, reason, policy)."""
    return tuple(
        {
            "gate": g["gate"],
            "blocks": g["blocks"],
            "reason": text_as_shown(g["reason"], (), g.get("records"), hidden)[0],
            "policy": g["policy"],
        }
        for g in kept
    )


def kept_records(kept: Sequence[Mapping[str, Any]]) -> list[Sequence[str] | None]:
    """The records each kept gate rests on (None: kept before they were)."""
    return [g.get("records") for g in kept]


def alert_gates(blocks: Sequence[GateBlock]) -> list[dict[str, Any]]:
    """The gates a halt alert reports, kept apart from its message."""
    return [
        {"gate": b.gate, "reason": b.reason, "records": None if b.records is None else list(b.records)}
        for b in blocks
    ]


def alert_records(kind: str, gates: Sequence[Mapping[str, Any]] | None) -> list[Sequence[str] | None]:
    """The records an alert's gates rest on; a halt alert stored before its gates were kept apart rests on
    records not known (its message holds its gates' text)."""
    if gates is None:
        return [None] if kind == HALT_ALERT else []
    return [g.get("records") for g in gates]


def alert_message(
    message: str, kind: str, gates: Sequence[Mapping[str, Any]] | None, hidden: frozenset[str]
) -> str:
    """An alert's message with its gates as a reader who may not see `hidden` is shown them. A halt alert from
    before the gates were kept apart ("<action> halted at <step>: <gates>") keeps its gates' text only for a
    reader who may see every record of the subject."""
    if gates:
        shown = (
            f"gate {g['gate']}: {text_as_shown(g['reason'], (), g.get('records'), hidden)[0]}" for g in gates
        )
        return f"{message}: {'; '.join(shown)}"
    if gates is None and kind == HALT_ALERT and hidden:
        label, at, rest = message.partition(" halted at ")
        step = rest.partition(": ")[0]
        return f"{label}{at}{step}: {withheld_text(hidden)[0]}"
    return message


def blocks_as_shown(blocks: Sequence[GateBlock], hidden: Hidden) -> tuple[GateBlock, ...]:
    """Blocking gates as the reader `hidden` stands for is shown them (each keeps its gate and verdict)."""
    withheld = hidden_among(hidden, (b.records for b in blocks))
    shown = []
    for b in blocks:
        reason, evidence = text_as_shown(b.reason, b.evidence, b.records, withheld)
        rests = hidden_rested_on(b.records, withheld)
        records = None if b.records is None else tuple(r for r in b.records if r not in rests)
        shown.append(GateBlock(b.gate, reason, evidence, b.needs_verification, records))
    return tuple(shown)
