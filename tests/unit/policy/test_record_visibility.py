"""Which records a subject page may name: its own as its view decided, any other by its source's markings
under the policy (a tax filing in another subject is not named to an analyst without an authority)."""

from __future__ import annotations

import json
from pathlib import Path

from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import SourcesConfig
from ilos.resolve.linkage import SUBJECT_EVENTS_FILE
from ilos.services import web_history
from ilos.services.record_visibility import RecordVisibility


def _visibility(
    role: str,
    purpose: str,
    shown: tuple[str, ...] = ("encounters:E1",),
    hidden: tuple[str, ...] = ("tax_addresses:T9",),
) -> RecordVisibility:
    config = SourcesConfig.model_validate(
        {
            "sources": [
                {"name": name, "path": f"{name}.csv", "record_id": "id", "markings": markings}
                for name, markings in (
                    ("tax_addresses", ["TAX"]), ("court_cases", []), ("encounters", []),
                    ("health_addresses", ["HEALTH"]),
                )
            ]
        }
    )  # fmt: skip
    return RecordVisibility(config, load_policy(), role, purpose, shown, hidden)


def test_a_record_elsewhere_is_named_only_when_the_purpose_may_use_its_source() -> None:
    analyst = _visibility("analyst", "case_investigation")
    assert analyst("encounters:E2") and analyst("court_cases|C7") and analyst("court_cases:A|B")
    assert not analyst("tax_addresses:T2") and not analyst("tax_addresses|T2")
    assert not analyst("tax_addresses:T9")
    assert not analyst("no_such_source:X1")  # unknown markings: fail closed


def test_an_authority_that_shows_this_subjects_tax_record_names_no_other_tax_record() -> None:
    """Authorities cover one taxpayer: the page's own tax record is shown, another subject's is not."""
    analyst = _visibility("analyst", "case_investigation", shown=("tax_addresses:T1",), hidden=())
    assert analyst("tax_addresses:T1") and analyst("tax_addresses|T1")
    assert not analyst("tax_addresses:T2")


def test_the_pages_own_hidden_record_stays_hidden_even_for_a_purpose_that_may_use_its_source() -> None:
    steward = _visibility("data_steward", "data_quality")
    assert steward("tax_addresses:T2") and steward("health_addresses:H5")
    assert not steward("tax_addresses:T9")  # the page's own view decided it (e.g. a tax period not covered)


def test_history_names_no_record_the_page_may_not_name_nor_counts_it(tmp_path: Path) -> None:
    merge = {"kind": "merge", "subject_id": "S-1", "others": ["S-2"], "records_moved": 3,
             "records": ["encounters|E5", "tax_addresses|T3", "court_cases|C2"],
             "at": "2026-12-01T10:00:00+00:00", "config_hash": "abc"}  # fmt: skip
    only_tax = {
        **merge,
        "records_moved": 1,
        "records": ["tax_addresses|T4"],
        "at": "2026-12-02T10:00:00+00:00",
    }
    (tmp_path / SUBJECT_EVENTS_FILE).write_text("".join(json.dumps(e) + "\n" for e in (merge, only_tax)))
    analyst = _visibility("analyst", "case_investigation")
    [entry] = web_history.history_in(tmp_path, "S-1", analyst)
    assert entry.records == ("encounters|E5", "court_cases|C2") and entry.count == 2
    assert "2 records of S-2 joined" in entry.summary
