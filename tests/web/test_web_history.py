"""Merge and split history on the subject page over HTTP: what the linker recorded for a re-run (which
subject joined or left, how many records, which run) and a record the change worker linked live."""

from __future__ import annotations

import html
import re
import time
from datetime import date

from test_web_pages import form_token, signed_in
from web_world import History, World


def _history_section(page: str) -> str:
    start = page.index('id="history"')
    return html.unescape(page[start : page.index("</section>", start)])


def test_the_subject_page_shows_the_merge_and_split_a_re_run_recorded(
    server: str, world: World, history: History
) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        kept = _history_section(analyst.get(f"/subjects/{history.kept}").text)
        split_off = _history_section(analyst.get(f"/subjects/{history.split_off}").text)
    assert f"merge: {history.merged} records of {history.gone} joined this subject" in kept
    assert f"split: 1 record left this subject for {history.split_off}" in kept
    assert f'href="/subjects/{history.split_off}"' in kept
    assert "link run of" in kept and "(config test-config)" in kept
    assert f"split: 1 record of {history.kept} became this subject" in split_off


def test_a_subject_nothing_happened_to_says_so(server: str, world: World, history: History) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        found = analyst.get("/search", params={"q": "a"}).text
        ids = set(re.findall(r'href="/subjects/([^"]+)"', found)) - {history.kept, history.split_off}
        assert ids
        section = _history_section(analyst.get(f"/subjects/{sorted(ids)[0]}").text)
    assert "No merge or split has touched this subject" in section


def test_a_record_linked_live_is_named_with_its_change_event(
    server: str, world: World, history: History
) -> None:
    with signed_in(server, world, "supervisor", "case_investigation") as supervisor:
        form = {"subject_id": history.split_off, "stay_type": "JUDICIAL", "on": date.today().isoformat(),
                "csrf": form_token(supervisor)}  # fmt: skip
        assert supervisor.post("/alerts/changes", data=form).status_code in (200, 303)
        deadline = time.monotonic() + 60  # the background worker's pass; slow when the cores are shared
        while time.monotonic() < deadline:
            section = _history_section(supervisor.get(f"/subjects/{history.split_off}").text)
            if "change event" in section:
                break
            time.sleep(0.3)
    assert re.search(r"court_cases:\S+ joined this subject", section), section
    assert "change event" in section
