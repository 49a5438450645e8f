"""Users and sign-in on both backends: Argon2 hashes, lockout, idle timeout, purposes, disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from ilos.errors import (
    ConflictError,
    InvalidInputError,
    NotAuthenticatedError,
    PermissionDeniedError,
    UnknownPurposeError,
)
from ilos.services import users, web_session
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.api_context import Credentials, authenticate
from ilos.services.audit_log import verify_stored_chain
from ilos.services.store_access import Store
from ilos.services.users import SignIn
from ilos.store.tables import ApiTokenRow, AuditEventRow, UserRow

ADMIN = local_operator(Purpose.administration)
PASSWORD = "correct horse battery"


def _sign_in(
    store: Store, password: str = PASSWORD, purpose: str = "case_investigation"
) -> users.IssuedToken:
    return users.sign_in(store, SignIn("ann", password, purpose, "10.1.1.1"))


@pytest.fixture
def ann(store: Store) -> users.UserView:
    return users.create_user(store, ADMIN, "ann", PASSWORD, ["analyst"])


def test_passwords_are_stored_as_argon2_hashes(store: Store, ann: users.UserView) -> None:
    with store.transaction() as session:
        row = session.get(UserRow, ann.user_id)
        assert (
            row is not None
            and row.password_hash.startswith("$argon2id$")
            and PASSWORD not in row.password_hash
        )
    assert len(ann.user_id) == 32 and not ann.user_id.isdigit()


def test_create_user_reports_every_problem_at_once(store: Store) -> None:
    with pytest.raises(InvalidInputError) as caught:
        users.create_user(store, ADMIN, "A B", "short", ["wizard"])
    assert [p.location for p in caught.value.problems] == ["username", "password", "roles"]


def test_usernames_are_unique(store: Store, ann: users.UserView) -> None:
    with pytest.raises(ConflictError):
        users.create_user(store, ADMIN, "ann", PASSWORD, ["analyst"])


def test_only_admins_manage_users(store: Store) -> None:
    analyst = Caller("x", frozenset({Role.analyst}), Purpose.case_investigation, "local")
    with pytest.raises(PermissionDeniedError):
        users.list_users(store, analyst)


def test_a_token_authenticates_for_the_purpose_it_was_issued_for(store: Store, ann: users.UserView) -> None:
    issued = _sign_in(store)
    caller = authenticate(store, Credentials(issued.token, "case_investigation", "10.1.1.2"))
    assert (caller.actor, caller.roles, caller.client) == ("ann", frozenset({Role.analyst}), "10.1.1.2")
    with pytest.raises(UnknownPurposeError):
        authenticate(store, Credentials(issued.token, "curiosity", "10.1.1.2"))
    with pytest.raises(UnknownPurposeError):
        authenticate(store, Credentials(issued.token, None, "10.1.1.2"))
    with pytest.raises(PermissionDeniedError):
        authenticate(store, Credentials(issued.token, "data_quality", "10.1.1.2"))
    with pytest.raises(NotAuthenticatedError):
        authenticate(store, Credentials("not-a-token", "case_investigation", "10.1.1.2"))


def test_api_tokens_and_web_session_tokens_are_not_interchangeable(store: Store, ann: users.UserView) -> None:
    bearer = _sign_in(store)
    cookie = web_session.start_session(store, "ann", PASSWORD, "case_investigation", "10.1.1.1")
    assert web_session.session_caller(store, cookie.token, "case_investigation", "10.1.1.2").actor == "ann"
    with pytest.raises(NotAuthenticatedError, match="session token, not valid here"):
        authenticate(store, Credentials(cookie.token, "case_investigation", "10.1.1.2"))
    with pytest.raises(NotAuthenticatedError, match="bearer token, not valid here"):
        web_session.session_caller(store, bearer.token, "case_investigation", "10.1.1.2")


def test_a_refused_token_is_audited_with_who_it_names_and_where_it_came_from(
    store: Store, ann: users.UserView
) -> None:
    issued = _sign_in(store)
    with store.transaction() as session:
        session.execute(update(ApiTokenRow).values(revoked=True))
    attempts = [
        Credentials(issued.token, "case_investigation", "10.9.9.1"),  # revoked: the token names ann
        Credentials("guessed", "case_investigation", "10.9.9.2"),
        Credentials(None, "case_investigation", "10.9.9.3"),
        Credentials("guessed", "curiosity", "10.9.9.4"),  # no known purpose: 401 without an event
    ]
    for credentials in attempts:
        with pytest.raises(NotAuthenticatedError):
            authenticate(store, credentials)
    with store.transaction() as session:
        events = session.query(AuditEventRow).filter(AuditEventRow.action == "auth.token").all()
        refused = [(e.actor, e.client, e.outcome, e.detail) for e in sorted(events, key=lambda e: e.seq)]
        assert verify_stored_chain(session).ok
    assert refused == [
        ("ann", "10.9.9.1", "denied", "token revoked"),
        ("anonymous", "10.9.9.2", "denied", "token not valid"),
        ("anonymous", "10.9.9.3", "denied", "token missing"),
    ]


def test_a_role_cannot_declare_a_purpose_it_does_not_serve(store: Store, ann: users.UserView) -> None:
    with pytest.raises(PermissionDeniedError, match="oversight"):
        _sign_in(store, purpose="oversight")
    with pytest.raises(UnknownPurposeError):
        _sign_in(store, purpose="curiosity")


def test_five_failed_sign_ins_lock_the_account(store: Store, ann: users.UserView) -> None:
    for _ in range(5):
        with pytest.raises(NotAuthenticatedError):
            _sign_in(store, password="wrong password!")
    with pytest.raises(NotAuthenticatedError):
        _sign_in(store)  # the right password, but locked
    with store.transaction() as session:
        row = session.get(UserRow, ann.user_id)
        assert row is not None and row.locked_until is not None
        row.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    assert _sign_in(store).token
    with store.transaction() as session:
        denials = session.query(AuditEventRow).filter_by(action="auth.sign_in", outcome="denied").count()
        assert denials == 6
        assert verify_stored_chain(session).ok


def test_an_idle_token_expires(store: Store, ann: users.UserView) -> None:
    issued = _sign_in(store)
    idle = datetime.now(UTC) - timedelta(minutes=store.settings.session_idle_minutes + 1)
    with store.transaction() as session:
        session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == issued.token_id).values(last_seen_at=idle)
        )
    with pytest.raises(NotAuthenticatedError, match="idle"):
        authenticate(store, Credentials(issued.token, "case_investigation", "x"))


def test_disabling_a_user_revokes_their_tokens(store: Store, ann: users.UserView) -> None:
    issued = _sign_in(store)
    users.disable_user(store, ADMIN, "ann")
    with pytest.raises(NotAuthenticatedError):
        authenticate(store, Credentials(issued.token, "case_investigation", "x"))
    with pytest.raises(NotAuthenticatedError):
        _sign_in(store)
    assert [u.disabled for u in users.list_users(store, ADMIN)] == [True]


def test_a_hash_with_other_argon2_parameters_still_signs_in_and_is_upgraded(
    store: Store, ann: users.UserView
) -> None:
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=2).hash(PASSWORD)
    with store.transaction() as session:
        session.execute(update(UserRow).where(UserRow.id == ann.user_id).values(password_hash=old))
    _sign_in(store)
    with store.transaction() as session:
        row = session.get(UserRow, ann.user_id)
        assert row is not None and row.password_hash != old
        assert (
            f"m={users.ARGON2_MEMORY_KIB},t={users.ARGON2_TIME_COST},p={users.ARGON2_LANES}"
            in row.password_hash
        )
    _sign_in(store)
