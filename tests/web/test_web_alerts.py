"""Live alerts in a real browser: one tab watches the feed (server-sent events) while another posts a stay
for a subject through the form; the worker running beside the web app links it and the alert appears in
the first tab without a reload."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from test_web_browser import sign_in
from web_world import ARTIFACTS, World


def test_an_alert_appears_live_after_a_change_is_posted(page: Page, world: World) -> None:
    sign_in(page, world, "supervisor", "case_investigation", "/alerts")
    expect(page.get_by_role("heading", name="Live alerts", level=1)).to_be_visible()
    expect(page.locator("#live-status")).to_contain_text("Live: connected")
    before = page.locator("#alert-feed li").count()

    poster = page.context.new_page()
    poster.goto("/alerts")
    poster.get_by_label("Subject id").fill(world.subject_id)
    poster.get_by_label("Stay type").select_option("JUDICIAL")
    poster.get_by_role("button", name="Post the stay").click()
    expect(poster.get_by_text("is in the worker's inbox")).to_be_visible()
    poster.screenshot(path=str(ARTIFACTS / "alerts-posted.png"), full_page=True)
    poster.close()

    fresh = page.locator("#alert-feed li.fresh").filter(has_text=world.subject_id).first
    expect(fresh).to_contain_text("stay granted", timeout=15_000)
    expect(fresh).to_contain_text("judicial stay")
    expect(page.locator("#alert-feed li")).to_have_count(before + 1)
    page.screenshot(path=str(ARTIFACTS / "alerts-live.png"), full_page=True)
