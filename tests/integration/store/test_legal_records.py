"""Legal records on both backends: authorities recorded complete or refused with every problem named,
cited by id into the access decision, revoked by a new row; gate reviews recorded only by a supervisor
(an analyst's attempt is refused and audited), read back into gate evaluation and action creation; the
database refuses to change any of them."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ilos.domain.cases import ActionKind
from ilos.domain.subjects import Subject
from ilos.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from ilos.policy.decide import evaluate_subject
from ilos.policy.results import Status
from ilos.services import action_gates, case_actions, legal_records
from ilos.services.access import Caller, Purpose, Role
from ilos.services.legal_records import AuthorityRequest, ReviewRequest
from ilos.services.legal_store import recorded_reviews
from ilos.services.store_access import Store
from ilos.store.tables import AuditEventRow

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "policy"))
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

sys.path.insert(0, str(Path(__file__).parents[1] / "operations_workflows"))
from gates_fake import ScenarioGates

SAM = Caller("sam", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
ANN = Caller("ann", frozenset({Role.analyst}), Purpose.case_investigation, "test")
OLGA = Caller("olga", frozenset({Role.oversight}), Purpose.oversight, "test")
PAT = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
TAX_ADDR = "address=2|TAX|ST tax_addresses:T1 2026-09-01"
TAX_EVENT = "2026-09-01 tax_addresses:T1 address_observation tax_year=2025 street=2|TAX|ST"
CITIZEN = [FINAL_ORDER, "2026-05-01 citizenship_evidence:C9 citizenship_evidence type=BIRTH_RECORD"]
NEXT_YEAR = date.today() + timedelta(days=365)


def complete(subject_id: str = SUBJECT, **changes: object) -> AuthorityRequest:
    fields: dict[str, object] = {
        "subject_id": subject_id,
        "taxpayer_name": "JOHN DOE",
        "tax_periods": (2025,),
        "statute": "26 U.S.C. 6103(i)(1)",
        "reason": "locating a person with a final order",
        "granted_by": "US District Court ND Ill., order 26-17",
        "granted_on": date.today() - timedelta(days=30),
        "expires_on": NEXT_YEAR,
    }
    fields.update(changes)
    return AuthorityRequest(**fields)  # type: ignore[arg-type]


def audited(store: Store, action: str) -> list[AuditEventRow]:
    with store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


def tax_shown(store: Store, caller: Caller, ids: list[str], used_on: date | None = None) -> bool:
    cited = legal_records.cite_authorities(store, caller, ids)
    s = subject([FINAL_ORDER, TAX_EVENT], [TAX_ADDR])
    decision = evaluate_subject(
        s,
        TODAY,
        policy(),
        "logistics_planner",
        "removal_logistics",
        authorities=cited,
        used_on=used_on or date.today(),  # the day the data is used: a revocation applies from then
    )
    return decision.location.value == "2 TAX ST"


def test_tax_address_shown_only_under_a_recorded_authority_for_that_subject(store: Store) -> None:
    mine = legal_records.record_authority(store, SAM, complete())
    other = legal_records.record_authority(store, SAM, complete("S-11111111ffff"))
    assert mine.state == "in_force" and mine.recorded_by == "sam"
    # scenario | cited | used on | shown
    table = [
        ("none cited", [], None, False),
        ("this subject's authority", [mine.authority_id], None, True),
        ("another subject's authority", [other.authority_id], None, False),
        ("this subject's, after it expired", [mine.authority_id], NEXT_YEAR + timedelta(days=1), False),
    ]
    for name, ids, on, shown in table:
        assert tax_shown(store, PAT, ids, on) == shown, name
    revoked = legal_records.revoke_authority(store, OLGA, mine.authority_id, "order vacated")
    assert revoked.state == "revoked" and revoked.revoked_by == "olga"
    assert not tax_shown(store, PAT, [mine.authority_id])
    with pytest.raises(ConflictError, match="already revoked"):
        legal_records.revoke_authority(store, SAM, mine.authority_id, "again")
    cited = [e.object_ids for e in audited(store, "legal_authority.cite")]
    assert cited[:2] == [[mine.authority_id, SUBJECT], [other.authority_id, "S-11111111ffff"]]
    listed = legal_records.list_authorities(store, OLGA, SUBJECT)
    assert [(a.authority_id, a.state) for a in listed] == [(mine.authority_id, "revoked")]


def test_an_unknown_authority_cannot_be_cited(store: Store) -> None:
    with pytest.raises(NotFoundError, match="No recorded legal authority 'nope'"):
        legal_records.cite_authorities(store, PAT, ["nope"])


# scenario | request | problems named
# fmt: off
INCOMPLETE: list[tuple[str, AuthorityRequest, list[str]]] = [
    ("a postal code alone", complete("60627", taxpayer_name="", statute="", reason=""),
     ["'60627' is a postal code", "name is required", "cite the statutory authority", "state the reason"]),
    ("an identifier alone", complete("123-45-6789", taxpayer_name="123-45-6789"),
     ["an identifier alone does not name a taxpayer", "is a number"]),
    ("no periods, grant or expiry", complete(tax_periods=(), granted_by="", granted_on=None, expires_on=None),
     ["name the tax periods", "who granted", "date the authority was granted", "date the authority expires"]),
    ("already expired", complete(expires_on=date.today() - timedelta(days=1)), ["has passed"]),
]
# fmt: on


@pytest.mark.parametrize(("request_", "named"), [pytest.param(*r[1:], id=r[0]) for r in INCOMPLETE])
def test_incomplete_authority_is_refused_with_every_problem_named(
    store: Store, request_: AuthorityRequest, named: list[str]
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        legal_records.record_authority(store, SAM, request_)
    assert len(refused.value.problems) == len(named)
    for part in named:
        assert part in refused.value.message
    assert legal_records.list_authorities(store, SAM) == []


def test_only_a_supervisor_records_an_authority_and_the_refusal_is_audited(store: Store) -> None:
    with pytest.raises(PermissionDeniedError):
        legal_records.record_authority(store, ANN, complete())
    (denied,) = audited(store, "legal_authority.record")
    assert denied.actor == "ann" and denied.outcome == "denied"


def scenario_gates(subjects: dict[str, Subject]) -> action_gates.GateSource:
    """Real gate evaluation over scenario subjects (the store path reads them from the linkage)."""
    return ScenarioGates(subjects, policy(), TODAY)


CLEAR = ReviewRequest(
    SUBJECT, "us_citizenship_signal", "cleared", "not_this_person", "birth record is a namesake's",
    ("birth record C9: born 1961, this person entered 2003 aged 20",),
)  # fmt: skip


def test_citizenship_stop_cleared_only_by_a_supervisors_recorded_review(store: Store) -> None:
    gates = scenario_gates({SUBJECT: subject(CITIZEN)})
    removal = case_actions.ActionRequest(SUBJECT, ActionKind.REMOVAL)
    with pytest.raises(PermissionDeniedError):
        legal_records.record_review(store, ANN, CLEAR, gates)
    (denied,) = audited(store, "gate_review.record")
    assert denied.actor == "ann" and denied.outcome == "denied" and denied.object_ids == [SUBJECT]
    with pytest.raises(ConflictError, match="us_citizenship_signal"):
        case_actions.create_action(store, SAM, removal, gates)

    review = legal_records.record_review(store, SAM, CLEAR, gates)
    assert review.reviewer_role == "supervisor" and review.policy_hash == policy().content_hash
    assert review.covers == ("citizenship_evidence 2026-05-01 citizenship_evidence:C9",)
    with store.transaction() as session:
        reviews = recorded_reviews(session, [SUBJECT])[SUBJECT]
    decision = evaluate_subject(
        subject(CITIZEN), TODAY, policy(), "supervisor", "removal_logistics", reviews=reviews
    )
    assert decision.status == Status.ACTIONABLE
    assert (
        f"review:us_citizenship_signal:sam:{review.at.isoformat()}:cleared:not_this_person:{review.review_id}"
        in (decision.inputs)
    )
    assert case_actions.create_action(store, SAM, removal, gates).state == "planned"
    assert [r.review_id for r in legal_records.list_reviews(store, OLGA, SUBJECT)] == [review.review_id]


def test_a_review_of_a_gate_that_does_not_block_is_refused(store: Store) -> None:
    gates = scenario_gates({SUBJECT: subject([FINAL_ORDER])})
    with pytest.raises(ConflictError, match="does not block"):
        legal_records.record_review(store, SAM, CLEAR, gates)


def test_an_incomplete_review_names_every_problem(store: Store) -> None:
    bad = ReviewRequest(SUBJECT, "stay_in_effect", "cleared", "", "", ())
    with pytest.raises(InvalidInputError) as refused:
        legal_records.record_review(store, SAM, bad, scenario_gates({}))
    assert {p.location for p in refused.value.problems} == {"gate", "reason", "evidence"}
    wrong = ReviewRequest(SUBJECT, "us_citizenship_signal", "cleared", "citizen", "r", ("e",))
    with pytest.raises(InvalidInputError, match="not_citizenship, not_this_person"):
        legal_records.record_review(store, SAM, wrong, scenario_gates({}))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE legal_authorities SET subject_id = 'S-999999'",
        "DELETE FROM legal_authorities",
        "UPDATE gate_reviews SET decision = 'cleared'",
        "DELETE FROM gate_reviews",
        "DELETE FROM legal_authority_revocations",
    ],
)
def test_database_refuses_to_change_legal_records(store: Store, statement: str) -> None:
    authority = legal_records.record_authority(store, SAM, complete())
    legal_records.revoke_authority(store, SAM, authority.authority_id, "test")
    legal_records.record_review(store, SAM, CLEAR, scenario_gates({SUBJECT: subject(CITIZEN)}))
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))


def test_a_concurrent_second_revocation_is_a_conflict_not_a_crash(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = legal_records.record_authority(store, SAM, complete())
    legal_records.revoke_authority(store, OLGA, authority.authority_id, "order vacated")
    real = legal_records.authority_rows
    stale = []

    def read_before_the_first_committed(session, **kw):  # type: ignore[no-untyped-def]
        rows = real(session, **kw)
        if not stale:  # the second request read the authority before the first revocation committed
            stale.append(True)
            return [(row, None) for row, _ in rows]
        return rows

    monkeypatch.setattr(legal_records, "authority_rows", read_before_the_first_committed)
    with pytest.raises(ConflictError, match="already revoked by olga"):
        legal_records.revoke_authority(store, SAM, authority.authority_id, "order vacated too")
    monkeypatch.undo()
    with pytest.raises(ConflictError, match="already revoked by olga"):  # a later one, in sequence
        legal_records.revoke_authority(store, SAM, authority.authority_id, "again")
    revokes = audited(store, "legal_authority.revoke")
    assert [e.actor for e in revokes] == ["olga"]
