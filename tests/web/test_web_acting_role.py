"""A web session works under one acting role: a user holding several roles is shown every page exactly as a
user holding only the acting role is (status, navigation, and the subject page itself), and one signed in
for oversight is refused subjects as oversight is (docs/users-and-purposes.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from web_world import World

from ilos.services import users
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

PASSWORD = "a long enough web password"
# (roles held, purpose, role named at sign-in or None, the acting role)
CASES = [
    (["analyst", "oversight"], "oversight", None, "oversight"),
    (["analyst", "oversight"], "case_investigation", None, "analyst"),
    (["analyst", "supervisor"], "case_investigation", "analyst", "analyst"),
    (["analyst", "supervisor"], "case_investigation", "supervisor", "supervisor"),
    (["data_steward", "logistics_planner"], "data_quality", None, "data_steward"),
    (["data_steward", "logistics_planner"], "removal_logistics", None, "logistics_planner"),
    (["supervisor", "oversight"], "oversight", None, "oversight"),
]
PAGES = ["/worklist", "/audit", "/data-health", "/review", "/alerts", "/cases"]


@pytest.fixture(scope="module")
def people(world: World) -> Iterator[None]:
    store = open_store(world.settings, migrate=False)
    try:
        wanted = {_name(c[0]): c[0] for c in CASES} | {_name([c[3]]): [c[3]] for c in CASES}
        for username, roles in wanted.items():
            users.create_user(store, local_operator(Purpose.administration), username, PASSWORD, roles)
        yield
    finally:
        store.close()


def _name(roles: list[str]) -> str:
    return "acting-" + "-".join(sorted(roles)).replace("_", "")


@contextmanager
def _sign_in(server: str, username: str, purpose: str, role: str | None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server) as client:
        found = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
        assert found is not None
        form = {"username": username, "password": PASSWORD, "purpose": purpose, "csrf": found.group(1)}
        response = client.post("/signin", data={**form, "role": role or ""})
        assert response.status_code == 303, response.text[:500]
        yield client


def _shown(client: httpx.Client, username: str, world: World) -> dict[str, Any]:
    """Each page's status; the subject page and search as shown (without the user's name and form tokens)."""
    seen: dict[str, Any] = {}
    surname = world.name.split()[-1]
    for path in [f"/subjects/{world.subject_id}", f"/search?q={surname}"]:
        response = client.get(path)
        seen[path] = (response.status_code, _steady(response.text, username))
    for path in PAGES:
        seen[path] = client.get(path).status_code
    return seen


def _steady(html: str, username: str) -> str:
    html = re.sub(r'name="csrf" value="[^"]+"', "", html)
    return html.replace(username, "USER")


@pytest.mark.parametrize(("roles", "purpose", "named", "acting"), CASES)
def test_a_multi_role_session_is_shown_what_its_acting_role_alone_is_shown(
    server: str, world: World, people: None, roles: list[str], purpose: str, named: str | None, acting: str
) -> None:
    multi, single = _name(roles), _name([acting])
    with _sign_in(server, single, purpose, None) as client:
        expected = _shown(client, single, world)
    with _sign_in(server, multi, purpose, named) as client:
        assert _shown(client, multi, world) == expected


def test_analyst_and_oversight_signed_in_for_oversight_may_not_read_subjects(
    server: str, world: World, people: None
) -> None:
    with _sign_in(server, _name(["analyst", "oversight"]), "oversight", None) as client:
        assert client.get(f"/subjects/{world.subject_id}").status_code == 403
        assert client.get("/search?q=a").status_code == 403
        page = client.get("/audit")
        assert page.status_code == 200
        assert 'href="/search"' not in page.text, "no link to a page the acting role may not open"
        assert "as <strong>oversight</strong>" in page.text


def test_sign_in_asks_which_role_when_several_allow_the_purpose(
    server: str, world: World, people: None
) -> None:
    with httpx.Client(base_url=server) as client:
        found = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
        assert found is not None
        form = {"username": _name(["analyst", "supervisor"]), "password": PASSWORD, "csrf": found.group(1)}
        response = client.post("/signin", data={**form, "purpose": "case_investigation"})
    assert response.status_code == 422
    assert "name the one to work under" in response.text
    assert '<select id="role" name="role">' in response.text
