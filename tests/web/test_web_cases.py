"""Cases and actions in a real browser: a removal refused at planning because no final order exists, and a
removal planned and verified for a clear subject, then blocked at approval by a stay posted a moment before
(through the live-alerts form and the worker) — each refusal naming the gate and why, in the error style."""

from __future__ import annotations

import re
from datetime import date

import duckdb
from playwright.sync_api import Page, expect
from test_web_browser import sign_in
from web_world import ARTIFACTS, World

from ilos.services.action_gates import linkage_gates


def _subjects(world: World) -> tuple[str, str]:
    """A subject with no final order, and one with a final order and no blocking gate."""
    home = world.settings.home
    rows = duckdb.sql(
        f"SELECT subject_id, has_final_order FROM read_parquet('{home / 'linkage' / 'subjects.parquet'}') "
        "ORDER BY record_count DESC, subject_id"
    ).fetchall()
    no_order = next(s for s, final in rows if not final)
    gates = linkage_gates(home)
    clear = next(s for s, final in rows if final and not any(r.blocks for r in gates(s, None, ())))
    return no_order, clear


def _open_case(page: Page, title: str, subject_id: str) -> None:
    page.goto("/cases")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Subject id").fill(subject_id)
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_blocked_case_transitions_name_the_gate_and_why(page: Page, world: World) -> None:
    no_order, clear = _subjects(world)
    sign_in(page, world, "analyst", "case_investigation", "/cases")
    _open_case(page, "Removal without an order", no_order)
    page.get_by_label("Kind").select_option("removal")
    page.get_by_role("button", name="Plan the action").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Blocked by a gate")
    expect(refusal).to_contain_text("no_final_order")
    expect(refusal).to_contain_text("no final order of removal")
    expect(refusal).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "case-blocked-at-planning.png"), full_page=True)

    _open_case(page, "Removal interrupted by a stay", clear)
    page.get_by_label("Kind").select_option("removal")
    page.get_by_role("button", name="Plan the action").click()
    expect(page.locator("#action-state")).to_have_text("planned")
    action_url = page.url
    page.goto("/cases")
    expect(page.locator("#cases")).to_contain_text("Removal interrupted by a stay")
    page.screenshot(path=str(ARTIFACTS / "cases.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, world, "supervisor", "case_investigation", re.sub(r"^https?://[^/]+", "", action_url))
    for step in ("Verify identity", "Verify legal status"):
        page.get_by_label("Evidence (what was checked)").fill("passport and court record checked")
        page.get_by_role("button", name=step).click()
    expect(page.locator("#action-state")).to_have_text("verified")

    page.goto("/alerts")
    page.get_by_label("Subject id").fill(clear)
    page.get_by_label("Stay granted on").fill(date.today().isoformat())
    page.get_by_role("button", name="Post the stay").click()
    alert = page.locator("#alert-feed li").filter(has_text=clear).filter(has_text="stay granted")
    expect(alert.first).to_be_visible(timeout=15_000)

    # The worker re-checks the subject's open actions the moment the change lands: the action is halted
    # without anyone pressing a button, the halt names the gate, and no further step is offered.
    page.goto(action_url)
    expect(page.locator("#action-state")).to_have_text("halted", timeout=15_000)
    halts = page.locator("#halts-title").locator("xpath=..")
    expect(halts).to_contain_text("stay_in_effect")
    expect(halts).to_contain_text("change event")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "action-blocked-by-stay.png"), full_page=True)
