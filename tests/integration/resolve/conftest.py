"""One small synthetic world and its linkage, shared by the resolution tests (linking takes seconds), and
the rows the worker tests post."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ilos.definitions.sources import load_sources_config
from ilos.resolve.incremental import IncrementalLinker
from ilos.resolve.records import name_key_of
from ilos.services.linking import LinkRun, link_config
from ilos.services.source_reading import read_source_file
from ilos.services.subjects import build_subjects
from ilos.services.world import generate_world
from ilos.standardize.record import standardized_row

Row = dict[str, str | None]

WORLD_PERSONS = 1200
WORLD_SEED = 5

BUILT_AS_OF = date(2026, 11, 1)
"""The day `built` builds its subjects as of: the day the tests using it decide their gates on."""


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("world")
    generate_world(world, WORLD_PERSONS, WORLD_SEED, None)
    return world


@pytest.fixture(scope="session")
def small_linkage(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> LinkRun:
    return link_config(small_world / "sources.yaml", tmp_path_factory.mktemp("linkage"))


@pytest.fixture(scope="session")
def built(small_world: Path, small_linkage: LinkRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small linkage with its subjects built as of `BUILT_AS_OF` (gates decide on them). Never changed:
    a test takes its own copy (`built_copy`)."""
    out = tmp_path_factory.mktemp("built") / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    build_subjects(out, small_world / "sources.yaml", BUILT_AS_OF)
    return out


@pytest.fixture
def built_copy(built: Path, tmp_path: Path) -> Path:
    """A copy of `built` the test may change (tmp_path/linkage)."""
    return Path(shutil.copytree(built, tmp_path / "linkage"))


@pytest.fixture(scope="session")
def band(small_world: Path, small_linkage: LinkRun) -> dict[str, Row]:
    """Two court_cases rows of known people under new ids, each with two mapped columns blanked: "apart",
    whose best candidate scores in the review band below the threshold (it founds a subject, its band pairs
    waiting for review), and "joined", whose best scores in the band above it (it joins by that pair)."""
    linker = IncrementalLinker(small_linkage.out_dir)
    choice = linker.choice
    wanted = {
        "apart": (choice.review_low, choice.threshold),
        "joined": (choice.threshold, choice.review_high),
    }
    found: dict[str, Row] = {}
    for row in _blanked_rows(small_world):
        best = _best_score(linker, row)
        for name, (low, high) in wanted.items():
            if name not in found and low <= best < high:
                found[name] = row
        if len(found) == len(wanted):
            return found
    raise AssertionError(f"no court_cases row scores in the band {wanted}: {sorted(found)}")


def _blanked_rows(world: Path) -> Iterator[Row]:
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    mapped = sorted(c for f in spec.fields for c in spec.mapped_columns(f))
    for i, row in enumerate(read_source_file(config, spec).slice(0, 200).to_pylist()):
        for n, first in enumerate(mapped):
            for second in mapped[n + 1 :]:
                values = {c: row.get(c) for c in spec.declared_schema()}
                yield {
                    **values,
                    spec.record_id: f"BAND-{i}",
                    first: None,
                    second: None,
                    "REC_TYPE": "HEARING",
                }


def _best_score(linker: IncrementalLinker, row: Row) -> float:
    """The best probability among the row's candidates, scored as `link` scores them; nothing is linked."""
    spec = load_sources_config(linker.dir / "sources.yaml").source("court_cases")
    rec = standardized_row(spec, row)
    rec["name_keys"] = tuple(rec.get("name_keys") or ())
    rec["name_key"] = name_key_of(rec["name_keys"])
    candidates = linker.index.candidates(linker.index.rule_keys(rec))
    scores = [linker.scorer.score(rec, linker.store.get(c)).match_probability for c in candidates]
    return max(scores, default=0.0)


_GIVEN = ("JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID", "ELLEN")  # fmt: skip
_FAMILY = ("SMITH", "JONES", "WILLIAMS", "BROWN", "MILLER", "DAVIS", "WILSON", "MOORE", "TAYLOR", "CLARK")  # fmt: skip
_STREETS = ("OAK ST", "PINE AVE", "MAPLE DR", "CEDAR LN", "ELM ST", "BIRCH RD", "ASH CT", "WALNUT WAY")
_HOUSEHOLD_COLUMNS = ("id", "first", "last", "dob", "anum", "street", "city", "zip")
_ZULU = ("ZED", "ZULU", "1980-08-08", "999888777", "7 LAKE ST", "SPRINGFIELD", "62711")
"""One person's values: crm CZ1 and CZ2, registry RZ1 and RZ2 (one record per entity) all carry them."""
_BAKER = {
    "KA": ("KEVIN", "BAKER", "1985-05-05", "311111111", "9 ELM ST", "SPRINGFIELD", "62712"),
    "KB": ("KEVIN", "BAKER", "", "311111111", "9 ELM ST", "SPRINGFIELD", "62712"),
    "KC": ("KEVIN", "BAKER", "1990-10-10", "", "9 ELM ST", "SPRINGFIELD", "62712"),
}
"""crm records at one address: KA and KB one subject (name and A-number), KC a household conflict with KA (a
son of the same name, born 1990), which KB's missing date of birth does not conflict with."""
_HOUSEHOLD_CONFIG = """version: 1
sources:
  - name: crm
    path: crm.csv
    record_id: id
    fields: &fields
      given_name: first
      family_name: last
      date_of_birth: {column: dob, format: "%Y-%m-%d"}
      a_number: anum
      street: street
      city: city
      postal_code: zip
  - name: registry
    path: registry.csv
    record_id: id
    one_record_per_entity: true
    fields: *fields
"""


def _write_household_world(world: Path) -> Path:
    """A config of two sources, crm and registry (one record per entity), 40 people with three crm records
    and one registry record each, and the ZULU and BAKER records; returns the config's path."""
    world.mkdir(parents=True, exist_ok=True)
    crm, registry = [], []
    for i in range(40):
        person = (
            _GIVEN[i % 10], _FAMILY[(i * 7) % 10], f"19{50 + i:02d}-{i % 12 + 1:02d}-{i % 27 + 1:02d}",
            f"{200000000 + i * 7919:09d}", f"{100 + i} {_STREETS[i % 8]}", "SPRINGFIELD", f"{62700 + i % 9}",
        )  # fmt: skip
        crm += [(f"C{3 * i + k:03d}", *person) for k in range(3)]
        registry.append((f"R{i:03d}", *person))
    crm += [("CZ1", *_ZULU), ("CZ2", *_ZULU), *((key, *values) for key, values in _BAKER.items())]
    registry += [("RZ1", *_ZULU), ("RZ2", *_ZULU)]
    for name, rows in (("crm", crm), ("registry", registry)):
        lines = [",".join(_HOUSEHOLD_COLUMNS), *(",".join(row) for row in rows)]
        (world / f"{name}.csv").write_text("\n".join(lines) + "\n")
    (world / "sources.yaml").write_text(_HOUSEHOLD_CONFIG)
    return world / "sources.yaml"


@pytest.fixture(scope="session")
def household_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The config of the household world (`_write_household_world`)."""
    return _write_household_world(tmp_path_factory.mktemp("household_world"))


@pytest.fixture(scope="session")
def household_linkage(household_world: Path, tmp_path_factory: pytest.TempPathFactory) -> LinkRun:
    """The household world linked, never changed: a test takes its own copy."""
    return link_config(household_world, tmp_path_factory.mktemp("household_linkage"))
