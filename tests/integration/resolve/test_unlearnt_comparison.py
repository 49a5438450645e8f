"""A comparison training cannot learn (its field on one source only, a source without duplicates) must not
count agreement against a match: it is made to weigh nothing, and the run says so."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

from ilos.resolve import engine, linkage
from ilos.services.linking import link_config

GIVEN = [
    "JOSE",
    "MARIA",
    "JUAN",
    "ANA",
    "LUIS",
    "CARMEN",
    "PEDRO",
    "ROSA",
    "CARLOS",
    "LUCIA",
    "MIGUEL",
    "ELENA",
    "JORGE",
    "SOFIA",
    "DIEGO",
    "PAULA",
    "RAUL",
    "TERESA",
    "ANDRES",
    "MONICA",
    "JOHN",
    "MARY",
    "DAVID",
    "SARAH",
    "JAMES",
    "LINDA",
    "ROBERT",
    "KAREN",
    "WILLIAM",
    "NANCY",
]
FAMILY = [
    "GARCIA",
    "LOPEZ",
    "MARTINEZ",
    "RODRIGUEZ",
    "HERNANDEZ",
    "GONZALEZ",
    "PEREZ",
    "SANCHEZ",
    "RAMIREZ",
    "TORRES",
    "FLORES",
    "RIVERA",
    "GOMEZ",
    "DIAZ",
    "CRUZ",
    "MORALES",
    "REYES",
    "SMITH",
    "JOHNSON",
    "BROWN",
    "WILSON",
    "TAYLOR",
    "MOORE",
    "CLARK",
    "LEWIS",
    "WALKER",
    "HALL",
    "YOUNG",
    "KING",
    "WRIGHT",
    "SCOTT",
    "GREEN",
    "BAKER",
    "ADAMS",
    "NELSON",
    "CARTER",
    "MITCHELL",
    "ROBERTS",
    "TURNER",
    "PHILLIPS",
]


def _two_sources(directory: Path) -> Path:
    """Source a: 2,200 people, with sex. Source c (one record per entity): 600 of them again without it, 30
    of those twice, and 40 placeholder rows."""
    rng = random.Random(7)
    people = []
    for _ in range(3000):
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 25000))
        given = rng.choice(GIVEN)
        family = rng.choice(FAMILY) + (" " + rng.choice(FAMILY) if rng.random() < 0.3 else "")
        a_number = f"{rng.randint(10_000_000, 99_999_999):09d}" if rng.random() < 0.6 else ""
        people.append(
            (
                given,
                family,
                born.strftime("%m/%d/%Y"),
                a_number,
                f"{rng.randint(501, 99950):05d}",
                rng.choice("MF"),
            )
        )
    with (directory / "a.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rid", "first", "last", "dob", "anum", "zip", "sex"])
        w.writerows([f"A{i:05d}", *person] for i, person in enumerate(people[:2200]))
    with (directory / "c.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["cid", "given", "family", "dob", "anum", "ssn"])
        w.writerows([f"C{i:04d}", *p[:4], f"{100000000 + i:09d}"] for i, p in enumerate(people[:600]))
        w.writerows([f"CD{i:04d}", *p[:4], f"{100000000 + i:09d}"] for i, p in enumerate(people[:30]))
        w.writerows([f"CP{i:04d}", "UNKNOWN", "NA NA", "01/01/1900", "", "000-00-0000"] for i in range(40))
    config = directory / "link.yaml"
    dob = "date_of_birth: {column: dob, format: '%m/%d/%Y'}"
    config.write_text(
        "version: 1\nsources:\n"
        f"  - {{name: a, path: a.csv, record_id: rid, fields: {{given_name: first, family_name: last, {dob},"
        " a_number: anum, postal_code: zip, sex: sex}}\n"
        f"  - {{name: c, path: c.csv, record_id: cid, one_record_per_entity: true, fields: {{given_name: given,"
        f" family_name: family, {dob}, a_number: anum, ssn: ssn}}}}\n"
    )
    return config


def test_a_comparison_learnt_backwards_weighs_nothing_and_the_run_says_so(tmp_path: Path) -> None:
    run = link_config(_two_sources(tmp_path), tmp_path / "out")
    assert run.summary.unlearnt_comparisons == ("sex",)
    assert any("training learnt sex backwards" in w for w in run.warnings)
    model = json.loads((tmp_path / "out" / linkage.MODEL_FILE).read_text())
    sex = next(c for c in model["comparisons"] if c["output_column_name"] == "sex")
    levels = [lv for lv in sex["comparison_levels"] if not lv.get("is_null_level")]
    assert all(lv["m_probability"] == lv["u_probability"] for lv in levels)
    raw = json.loads((tmp_path / "out" / linkage.UNREGULARISED_MODEL_FILE).read_text())
    assert engine.neutralise_inverted(raw)[1] == ("sex",)  # as trained, agreeing on sex counted against


def test_a_model_whose_agreements_count_for_a_match_is_kept_as_it_is() -> None:
    model = _one_comparison(
        "sex", {"m_probability": 0.98, "u_probability": 0.5}, {"m_probability": 0.02, "u_probability": 0.5}
    )
    assert engine.neutralise_inverted(model) == (model, ())


def test_a_neutralised_level_loses_its_term_frequency_adjustment_too() -> None:
    model = _one_comparison(
        "address",
        {
            "m_probability": 0.1,
            "u_probability": 0.4,
            "tf_adjustment_column": "address_key",
            "tf_adjustment_weight": 1.0,
        },
        {"m_probability": 0.9, "u_probability": 0.6},
    )
    neutral, names = engine.neutralise_inverted(model)
    levels = neutral["comparisons"][0]["comparison_levels"][1:]
    assert names == ("address",)
    assert [lv["m_probability"] for lv in levels] == [0.4, 0.6]
    assert levels[0]["tf_adjustment_weight"] == 0.0


def _one_comparison(name: str, *levels: dict[str, object]) -> dict[str, object]:
    """A model of one comparison: its null level, then `levels`."""
    return {
        "comparisons": [{"output_column_name": name, "comparison_levels": [{"is_null_level": True}, *levels]}]
    }
