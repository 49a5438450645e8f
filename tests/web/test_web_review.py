"""The review queue in a real browser: a pair side by side with its match weights, judged with one key and
seen recorded with who and when (and in the judgements file the next linking run reads)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_web_browser import sign_in
from web_world import ARTIFACTS, World

from ilos.resolve.judgements import read_judgements


def test_a_review_judgement_is_made_with_one_key_and_recorded(page: Page, world: World) -> None:
    sign_in(page, world, "steward", "data_quality", "/review")
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    expect(page.locator("#weights .bar").first).to_be_attached()
    expect(page.locator("table.record").first).to_be_visible()
    left = page.locator('input[name="left"]').input_value()
    right = page.locator('input[name="right"]').input_value()
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
    page.get_by_role("button", name="Match (m)").focus()
    expect(page.get_by_role("button", name="Match (m)")).to_be_focused()
    page.locator("body").focus()
    page.keyboard.press("m")
    row = page.locator("#recent tbody tr").filter(has_text=left.replace("|", ":")).first
    expect(row).to_contain_text(right.replace("|", ":"))
    expect(row).to_contain_text("match")
    expect(row).to_contain_text("steward")
    expect(row).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"))
    page.screenshot(path=str(ARTIFACTS / "review-judged.png"), full_page=True)
    recorded = {(j.left, j.right): j for j in read_judgements(world.settings.home / "linkage")}
    judged = recorded[tuple(sorted((left, right)))]  # type: ignore[index]
    assert (judged.verdict, judged.judged_by) == ("match", "steward")
