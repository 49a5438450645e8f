"""What the API tests share besides fixtures: the test password, the subjects they publish, and users with
live tokens. A module of its own name, so a test imports it unambiguously (every test directory has a
`conftest`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ilos.services.store_access import Store
from ilos.services.users import token_digest
from ilos.store.tables import ApiTokenRow, UserRow
from ilos.store.users import add_token, add_user

PASSWORD = "a long enough password"
ROLE_PURPOSE = {
    "analyst": "case_investigation",
    "supervisor": "case_investigation",
    "data_steward": "data_quality",
    "logistics_planner": "removal_logistics",
    "oversight": "oversight",
    "admin": "administration",
}
SUBJECTS = [
    {
        "subject_id": "S7f3a9c",
        "display_name": "José de la Cruz",
        "date_of_birth": "1980-02-03",
        "identifiers": {"a_number": "A-012-345-678"},
        "payload": {"nationality": ["MX"]},
    },
    {
        "subject_id": "S0b41d2",
        "display_name": "Maria Cruz Lopez",
        "date_of_birth": "1992-11-30",
        "identifiers": {"passport": "P1234567"},
        "payload": {},
    },
    {
        "subject_id": "S99e01a",
        "display_name": "Ann Smith",
        "date_of_birth": "1980-02-03",
        "identifiers": {},
        "payload": {},
    },
]


def add_user_with_token(
    store: Store, role: str, password_hash: str, username: str | None = None
) -> dict[str, str]:
    """A user of `role` (named after it unless `username` is given) and a live token for its purpose, written
    directly (sign-in has its own tests)."""
    now = datetime.now(UTC)
    user = UserRow(
        id=uuid.uuid4().hex,
        username=username or role.replace("_", "-"),
        password_hash=password_hash,
        roles=[role],
        disabled=False,
        failed_attempts=0,
        locked_until=None,
        created_at=now,
    )
    token = f"token-{role}-{uuid.uuid4().hex}"
    secret = store.settings.secret_key.get_secret_value()
    row = ApiTokenRow(
        id=uuid.uuid4().hex,
        token_hash=token_digest(secret, token),
        kind="bearer",
        user_id=user.id,
        purpose=ROLE_PURPOSE[role],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=1),
        revoked=False,
    )
    with store.transaction() as session:
        add_user(session, user)
        add_token(session, row)
    return {"Authorization": f"Bearer {token}", "X-ILOS-Purpose": ROLE_PURPOSE[role]}
