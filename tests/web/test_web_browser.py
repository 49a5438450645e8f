"""The pages in a real browser: sign in, search, the subject page, the audit viewer refusing an analyst
and showing an oversight officer the chain status. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from web_world import ARTIFACTS, History, World


def sign_in(page: Page, world: World, username: str, purpose: str, next_path: str = "/search") -> None:
    page.goto(f"/signin?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(world.passwords[username])
    page.get_by_label("Purpose of use").select_option(purpose)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_refuses_a_wrong_password_generically_then_signs_in(page: Page, world: World) -> None:
    page.goto("/search")
    expect(page).to_have_url(re.compile(r"/signin\?next=/search"))
    page.screenshot(path=str(ARTIFACTS / "signin.png"), full_page=True)
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("not the password")
    page.get_by_label("Purpose of use").select_option("case_investigation")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Username or password is wrong")
    page.get_by_label("Password").fill(world.passwords["analyst"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.get_by_text("case investigation")).to_be_visible()


def test_search_by_name_in_any_order_and_open_the_subject(page: Page, world: World) -> None:
    sign_in(page, world, "analyst", "case_investigation")
    words = world.name.split()
    box = page.get_by_label(re.compile("Name, date of birth"))
    expect(box).to_be_focused()
    box.fill(f"{words[-1].lower()} {words[0].lower()}")
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name=world.name).first
    expect(link).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.name)


def test_subject_page_shows_identity_sources_timeline_links_and_withheld(page: Page, world: World) -> None:
    sign_in(page, world, "analyst", "case_investigation", f"/subjects/{world.subject_id}")
    for heading in ("Legal situation and gates", "Last known location", "Identity", "Timeline",
                    "Why these records were linked", "Withheld for this purpose"):  # fmt: skip
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#identity tbody tr").first).to_be_visible()
    expect(page.locator(".bars .bar").first).to_be_attached()
    page.get_by_label("Filter events").fill("zzzz-no-such-event")
    expect(page.locator("#timeline-table tbody tr:visible")).to_have_count(0)
    page.get_by_label("Filter events").fill("")
    page.screenshot(path=str(ARTIFACTS / "subject.png"), full_page=True)


def test_audit_viewer_refuses_an_analyst(page: Page, world: World) -> None:
    sign_in(page, world, "analyst", "case_investigation", "/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("Error 403")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "audit-refused.png"), full_page=True)


def test_oversight_sees_chain_status_and_the_analysts_reads(page: Page, world: World) -> None:
    sign_in(page, world, "oversight", "oversight", "/audit")
    expect(page.get_by_role("heading", name="Hash chain: intact")).to_be_visible()
    page.get_by_label("Action").fill("subject.read")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.audit tbody tr").first).to_contain_text("subject.read")
    page.get_by_label("Action").fill("")
    page.get_by_role("button", name="Filter").click()
    page.screenshot(path=str(ARTIFACTS / "audit.png"), full_page=True)
    page.get_by_role("link", name="Data health").click()
    expect(page.get_by_role("heading", name="Quarantine by source and reason")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "data-health.png"), full_page=True)


def test_worklist_map_filters_by_state_from_the_keyboard(page: Page, world: World) -> None:
    sign_in(page, world, "analyst", "case_investigation", "/worklist")
    expect(page.get_by_role("heading", name="Worklist", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Where they were last known")).to_be_visible()
    expect(page.locator("#map svg circle").first).to_be_visible()
    expect(page.locator("#map-withheld")).to_contain_text("not plotted: every address withheld")
    page.screenshot(path=str(ARTIFACTS / "worklist.png"), full_page=True)
    largest = page.locator("#map svg a").first  # markers are drawn largest first
    label = largest.get_attribute("aria-label") or ""
    state = label.split(":")[0]
    largest.focus()
    expect(largest).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/worklist\?state=[A-Z]{2}$"))
    expect(page.get_by_label("Location")).to_have_value(re.compile("^[A-Z]{2}$"))
    expect(page.locator("#map-table tbody tr")).to_have_count(1)
    expect(page.locator("#map-table tbody tr")).to_contain_text(state)
    page.get_by_label("Status").select_option("blocked")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=blocked"))
    for badge in page.locator("#worklist tbody td:nth-child(2) .badge").all_inner_texts():
        assert badge == "blocked"
    page.screenshot(path=str(ARTIFACTS / "worklist-filtered.png"), full_page=True)


def test_subject_page_shows_merge_and_split_history(page: Page, world: World, history: History) -> None:
    sign_in(page, world, "analyst", "case_investigation", f"/subjects/{history.kept}")
    page.get_by_role("link", name="Merge and split history").click()
    section = page.locator("#history")
    expect(section.get_by_role("heading", name="Merge and split history")).to_be_visible()
    expect(section).to_contain_text(f"{history.merged} records of {history.gone} joined this subject")
    expect(section).to_contain_text(f"1 record left this subject for {history.split_off}")
    section.screenshot(path=str(ARTIFACTS / "subject-history.png"))
    section.get_by_role("link", name=history.split_off).first.click()
    expect(page).to_have_url(re.compile(f"/subjects/{history.split_off}$"))
    expect(page.locator("#history")).to_contain_text(f"1 record of {history.kept} became this subject")
