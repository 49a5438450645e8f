"""Every route added for the review queue, live alerts and cases refuses a missing session (the browser is
sent to sign in: the pages' form of a 401) and a role that may not use it (403, the error page)."""

from __future__ import annotations

import httpx
import pytest
from test_web_pages import signed_in

from conftest import World

GETS = ["/review"]
POSTS = ["/review/judgements"]


@pytest.mark.parametrize("path", GETS + POSTS)
def test_new_routes_need_a_session(server: str, path: str) -> None:
    method = "GET" if path in GETS else "POST"
    response = httpx.request(method, f"{server}{path}")
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/signin?next={path}")


def test_an_analyst_may_not_open_the_review_queue_or_judge(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        assert analyst.get("/review").status_code == 403
        form = {"left": "a|1", "right": "b|2", "verdict": "match", "csrf": analyst.cookies["ilos_csrf"]}
        response = analyst.post("/review/judgements", data=form)
    assert response.status_code == 403
    assert "Not allowed" in response.text
