"""The audit chain detects any modified, deleted, inserted or reordered event and names the first bad one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ilos.audit.chain import (
    GENESIS_HASH,
    AuditFields,
    AuditRecord,
    ChainHead,
    build_chain,
    canonical_json,
    compute_hash,
    next_record,
    verify_chain,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)

texts = st.text(min_size=0, max_size=12)
fields_strategy = st.builds(
    AuditFields,
    event_id=st.uuids().map(lambda u: u.hex),
    at=st.integers(0, 10**9).map(lambda us: T0 + timedelta(microseconds=us)),
    actor=texts,
    client=texts,
    purpose=st.sampled_from(["oversight", "case_investigation"]),
    action=st.sampled_from(["subject.read", "subject.search", "audit.read"]),
    object_type=st.just("subject"),
    object_ids=st.lists(texts, max_size=3).map(tuple),
    query=st.none() | st.dictionaries(texts, st.integers() | texts, max_size=3),
    result_count=st.none() | st.integers(0, 1000),
    outcome=st.sampled_from(["ok", "denied", "not_found"]),
    detail=texts,
)
chains = st.lists(fields_strategy, min_size=1, max_size=12).map(build_chain)


def _head(records: list[AuditRecord]) -> ChainHead:
    return ChainHead(records[-1].seq, records[-1].hash)


@given(chains)
def test_an_untouched_chain_verifies(records: list[AuditRecord]) -> None:
    result = verify_chain(records, _head(records))
    assert result.ok and result.checked == len(records)


@given(chains, st.data())
@settings(max_examples=300)
def test_any_tampering_is_detected_and_the_first_bad_position_named(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    head = _head(records)
    kind = data.draw(st.sampled_from(["modify", "modify_rehash", "delete", "insert", "swap"]))
    i = data.draw(st.integers(0, len(records) - 1))
    tampered, expected = _tamper(records, kind, i, data)
    result = verify_chain(tampered, head)
    assert not result.ok, kind
    assert result.first_bad_seq == expected, (kind, i, result.reason)


def _tamper(
    records: list[AuditRecord], kind: str, i: int, data: st.DataObject
) -> tuple[list[AuditRecord], int]:
    """Apply one tampering; return the tampered list and the position verification must name."""
    out = list(records)
    target = out[i]
    if kind in ("modify", "modify_rehash"):
        new_detail = data.draw(texts.filter(lambda t: t != target.fields.detail))
        changed = replace(target, fields=replace(target.fields, detail=new_detail))
        if kind == "modify_rehash":
            changed = replace(changed, hash=compute_hash(changed.seq, changed.fields, changed.prev_hash))
            # the forger fixed this link's own hash: the break shows at the next link (or the head)
            out[i] = changed
            return out, target.seq + 1 if i < len(out) - 1 else target.seq
        out[i] = changed
        return out, target.seq
    if kind == "delete":
        del out[i]
        return out, target.seq
    if kind == "insert":
        forged = next_record(ChainHead(target.seq - 1, target.prev_hash), data.draw(fields_strategy))
        out.insert(i, forged)  # a perfectly formed link: the original it displaced no longer fits
        return out, target.seq + 1
    if len(out) < 2:
        del out[i]
        return out, target.seq
    j = data.draw(st.integers(0, len(out) - 1).filter(lambda j: j != i))
    out[i], out[j] = out[j], out[i]
    return out, min(i, j) + 1


def test_a_cut_off_tail_is_detected_by_the_head() -> None:
    records = build_chain([AuditFields("e" * 32, T0, "a", "c", "oversight", "x", "y") for _ in range(3)])
    result = verify_chain(records[:2], _head(records))
    assert result.first_bad_seq == 3 and "missing" in result.reason


def test_events_beyond_the_head_are_reported() -> None:
    records = build_chain([AuditFields("e" * 32, T0, "a", "c", "oversight", "x", "y") for _ in range(3)])
    result = verify_chain(records, ChainHead(2, records[1].hash))
    assert result.first_bad_seq == 3


def test_canonical_json_is_key_sorted_utc_text_with_the_previous_hash() -> None:
    at = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).astimezone(UTC)
    fields = AuditFields("id", at, "ann", "127.0.0.1", "oversight", "audit.read", "audit_event", ("b", "a"))
    text = canonical_json(1, fields, GENESIS_HASH).decode()
    assert text.startswith('{"action":"audit.read","actor":"ann","at":"2025-01-01T12:00:00.000000+00:00"')
    assert text.endswith(
        f'"prev_hash":"{GENESIS_HASH}","purpose":"oversight","query":null,"result_count":null,"seq":1}}'
    )
    naive = replace(fields, at=at.replace(tzinfo=None))
    assert compute_hash(1, naive, GENESIS_HASH) == compute_hash(1, fields, GENESIS_HASH)
