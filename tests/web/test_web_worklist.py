"""The worklist page over HTTP against the real server: roles, filters, paging, the audit event, and the map,
which counts only locations the purpose may use (a withheld address is never plotted, only counted)."""

from __future__ import annotations

import html
import re

import duckdb
import pytest
from test_web_pages import signed_in
from web_world import World

ROW = re.compile(r'<tr>\s*<td><a href="/subjects/([^"]+)">')


def _map_counts(page: str) -> dict[str, int]:
    table = page[page.index('id="map-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'state=([A-Z]{2})">[^<]+</a></th><td class="num">(\d+)</td>', table)
    return {state: int(n) for state, n in rows}


def test_the_worklist_maps_usable_locations_and_counts_the_withheld(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        page = analyst.get("/worklist").text
    matching = int(re.search(r"(\d+) matching subjects?", page).group(1))  # type: ignore[union-attr]
    note = re.search(r'id="map-withheld"><strong>(\d+)</strong> not plotted', page)
    assert note is not None
    plotted = _map_counts(page)
    assert plotted, "the synthetic world has usable US addresses"
    assert sum(plotted.values()) + int(note.group(1)) <= matching
    circles = dict(re.findall(r'data-state="([A-Z]{2})"><title>[^:]+: (\d+)</title>', page))
    assert {s: int(n) for s, n in circles.items()} == plotted
    assert page.count("<circle") == len(plotted)


def test_a_subject_whose_every_address_is_withheld_is_not_plotted(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        withheld = analyst.get("/worklist?state=withheld").text
        everyone = analyst.get("/worklist").text
    ids = ROW.findall(withheld)
    assert ids, "some subjects have only TAX or HEALTH addresses, which case investigation may not use"
    assert "<circle" not in withheld  # none of them is on the map
    assert "0 of" in withheld
    addresses = duckdb.sql(
        "SELECT DISTINCT value FROM read_parquet(?) WHERE attribute = 'address' AND list_contains(?, subject_id)",
        params=[str(world.settings.home / "linkage" / "observations.parquet"), ids],
    ).fetchall()
    assert addresses
    for (address,) in addresses:
        assert address not in withheld
    note = re.search(r'id="map-withheld"><strong>(\d+)</strong>', everyone)
    assert note is not None and int(note.group(1)) >= len(ids)


def test_filters_narrow_the_list_and_unknown_values_are_refused(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        blocked = analyst.get("/worklist?status=blocked").text
        statuses = re.findall(r'<td><span class="badge status-([a-z_]+)">', blocked)
        assert statuses and set(statuses) == {"blocked"}
        texas = analyst.get("/worklist?state=TX").text
        locations = re.findall(r'<td class="small">([^<]*, [A-Z]{2} \d{5})<div', texas)
        assert locations and all(", TX " in loc for loc in locations)
        assert set(_map_counts(texas)) == {"TX"}
        gate = re.search(r'<option value="([a-z_]+)" >', blocked[blocked.index('id="f-gate"') :])
        assert gate is not None
        gated = analyst.get(f"/worklist?gate={gate.group(1)}").text
        assert ROW.findall(gated)
        refused = analyst.get("/worklist?status=gone&priority=urgent")
    assert refused.status_code == 422
    message = html.unescape(refused.text)
    assert "status 'gone' is not one of: actionable, blocked, needs_verification" in message
    assert "priority 'urgent' is not one of" in message


def test_pages_hold_fifty_subjects_each_and_do_not_repeat(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        first = analyst.get("/worklist").text
        second = analyst.get("/worklist?page=2").text
    one, two = ROW.findall(first), ROW.findall(second)
    assert len(one) == 50
    assert two and not set(one) & set(two)
    assert 'rel="next"' in first and 'rel="prev"' in second


@pytest.mark.parametrize(("username", "purpose"), [("steward", "data_quality"), ("oversight", "oversight")])
def test_roles_that_do_not_work_cases_may_not_open_the_worklist(
    server: str, world: World, username: str, purpose: str
) -> None:
    with signed_in(server, world, username, purpose) as client:
        response = client.get("/worklist")
        assert response.status_code == 403
        assert 'href="/worklist"' not in client.get("/search").text


def test_every_worklist_read_is_audited_with_its_filter(server: str, world: World) -> None:
    with signed_in(server, world, "supervisor", "case_investigation") as supervisor:
        assert supervisor.get("/worklist?status=blocked&state=TX").status_code == 200
    with signed_in(server, world, "oversight", "oversight") as oversight:
        audit = oversight.get("/audit?action=worklist.read").text
    assert "worklist.read" in audit
    assert "supervisor" in audit


def test_the_api_is_served_beside_the_pages(server: str) -> None:
    import httpx

    health = httpx.get(f"{server}/api/v1/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    missing = httpx.get(f"{server}/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{server}/no-such-page").headers["content-type"].startswith("text/html")
