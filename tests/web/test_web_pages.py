"""The pages over HTTP against the real server (no browser): sign-in rules, CSRF, headers, withheld values."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import httpx
from web_world import World


@contextmanager
def signed_in(server: str, world: World, username: str, purpose: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server) as client:
        yield _sign_in(client, world, username, purpose)


def _sign_in(client: httpx.Client, world: World, username: str, purpose: str) -> httpx.Client:
    csrf = form_token(client, "/signin")
    form = {"username": username, "password": world.passwords[username], "purpose": purpose, "csrf": csrf}
    assert client.post("/signin", data=form).status_code == 303
    return client


def form_token(client: httpx.Client, page: str = "/search") -> str:
    """The CSRF token the forms of `page` carry (every signed-in page has the sign-out form; /search is every
    role's home)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert found is not None, f"{page} has no form"
    return found.group(1)


def test_pages_need_a_session_and_send_the_browser_to_sign_in(server: str) -> None:
    response = httpx.get(f"{server}/subjects/S-000000000000")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=/subjects/S-000000000000")


def test_sign_in_without_the_forms_csrf_token_is_refused(server: str, world: World) -> None:
    with httpx.Client(base_url=server) as client:
        client.get("/signin")
        form = {
            "username": "analyst",
            "password": world.passwords["analyst"],
            "purpose": "case_investigation",
        }
        response = client.post("/signin", data=form)
    assert response.status_code == 403
    assert "did not come from ILOS" in response.text


def test_sign_in_with_a_planted_csrf_cookie_and_its_value_is_refused(server: str, world: World) -> None:
    """Before sign-in the token is the server's keyed hash of the browser's cookie: a cookie planted with a
    chosen value, and that value posted, do not pass."""
    planted = "x" * 43
    form = {"username": "analyst", "password": world.passwords["analyst"], "purpose": "case_investigation"}
    response = httpx.post(
        f"{server}/signin", data={**form, "csrf": planted}, headers={"Cookie": f"ilos_csrf={planted}"}
    )
    assert response.status_code == 403
    assert "did not come from ILOS" in response.text


def test_a_form_post_carries_its_sessions_own_token_not_a_planted_cookie(server: str, world: World) -> None:
    """Signed in, the token is the server's keyed hash of the session: a CSRF cookie planted beside a valid
    session with a chosen value, and that value posted, or another session's token, do not pass; the page's
    own token does."""
    judgement = {"left": "a|1", "right": "b|2", "verdict": "match"}
    with signed_in(server, world, "supervisor", "case_investigation") as mine:
        with signed_in(server, world, "steward", "data_quality") as theirs:
            foreign = form_token(theirs)
        session = "; ".join(f"{name}={mine.cookies[name]}" for name in ("ilos_session", "ilos_purpose"))
        planted = httpx.post(
            f"{server}/review/judgements",
            data={**judgement, "csrf": "x"},
            headers={"Cookie": f"{session}; ilos_csrf=x"},
        )
        assert planted.status_code == 403
        assert "did not come from ILOS" in planted.text
        assert mine.post("/review/judgements", data={**judgement, "csrf": foreign}).status_code == 403
        assert mine.post("/signout", data={"csrf": form_token(mine)}).status_code == 303


def test_a_purpose_the_role_may_not_declare_is_refused(server: str, world: World) -> None:
    with httpx.Client(base_url=server) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)  # type: ignore[union-attr]
        form = {
            "username": "analyst",
            "password": world.passwords["analyst"],
            "purpose": "oversight",
            "csrf": csrf,
        }
        response = client.post("/signin", data=form)
    assert response.status_code == 403
    assert "may not work for purpose oversight" in response.text


def test_pages_forbid_framing_and_foreign_scripts(server: str) -> None:
    headers = httpx.get(f"{server}/signin").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def test_tax_records_are_withheld_from_an_analyst_with_the_reason_and_not_named(
    server: str, world: World
) -> None:
    """Without an authority an analyst's page says why tax data is withheld and names no tax record (that a
    filing exists is itself tax return information); a data steward's page names them."""
    observations = world.settings.home / "linkage" / "observations.parquet"
    [(subject_id, source, record_id)] = duckdb.sql(
        f"SELECT subject_id, source, record_id FROM read_parquet('{observations}') "
        "WHERE list_contains(markings, 'TAX') ORDER BY subject_id, record_id LIMIT 1"
    ).fetchall()
    tax_record = f"{source}:{record_id}"
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        page = html.unescape(analyst.get(f"/subjects/{subject_id}").text)
    assert "withheld" in page
    assert "no recorded authority covers this taxpayer" in page
    assert tax_record not in page
    with signed_in(server, world, "steward", "data_quality") as steward:
        page = html.unescape(steward.get(f"/subjects/{subject_id}").text)
    assert "Nothing is withheld" in page
    assert tax_record in page


def test_sign_out_ends_the_session(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as client:
        assert client.post("/signout", data={"csrf": form_token(client)}).status_code == 303
        assert client.get("/search").status_code == 303
