"""What a change event may carry, checked when it is posted (CLI and API alike, `change_inbox.checked_values`)
and what `ilos link add` may add beside the worker. Each refused value once got through: a lone surrogate
broke every later run that read the journal, a date in the wrong format made the worker link the row with no
event (a stay lost), a reference source's row became a person, and an added id the worker had linked moved the
worker's record (its stay) to another person's subject."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.definitions.sources import load_sources_config
from ilos.errors import ConflictError, InvalidInputError
from ilos.services.linking import LinkRun, add_records
from ilos.services.realtime import Worker, post_change
from ilos.services.source_reading import read_source_file


def _court_row(world: Path, record_id: str, at: int = 0) -> dict[str, Any]:
    """A court_cases row of the world (the `at`-th) under a new id, every declared column given."""
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    row = read_source_file(config, spec).slice(at, 1).to_pylist()[0]
    return {**{c: row.get(c) for c in spec.declared_schema()}, spec.record_id: record_id}


def _date_column(world: Path) -> str:
    spec = load_sources_config(world / "sources.yaml").source("court_cases")
    return next(name for name, column in spec.declared_schema().items() if column.type == "date")


@pytest.fixture
def out(small_linkage: LinkRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))


@pytest.mark.parametrize(
    ("value", "said"),
    [("JOS\ud800", "lone surrogate"), ("A\x00B", "NUL"), ("x" * 4001, "at most 4,000"), (12, "int; values are text"),
     (True, "bool; values are text"), (["A"], "list; values are text")],
)  # fmt: skip
def test_a_value_no_source_file_could_hold_is_refused_at_the_post(
    small_world: Path, out: Path, value: Any, said: str
) -> None:
    spec = load_sources_config(small_world / "sources.yaml").source("court_cases")
    name_column = next(c for c in spec.mapped_columns("family_name"))
    with pytest.raises(InvalidInputError) as caught:
        post_change(out, "court_cases", {**_court_row(small_world, "POST-1"), name_column: value})
    assert said in str(caught.value.problems), caught.value.problems
    assert not (out / "inbox.jsonl").exists()


def test_a_date_its_column_cannot_read_is_refused_and_a_placeholder_date_is_not(
    small_world: Path, out: Path
) -> None:
    column = _date_column(small_world)
    with pytest.raises(InvalidInputError, match="unusable value"):
        post_change(out, "court_cases", {**_court_row(small_world, "POST-2"), column: "not-a-date-2026"})
    post_change(
        out, "court_cases", {**_court_row(small_world, "POST-3"), column: "UNKNOWN"}
    )  # missing, as batch


@pytest.mark.parametrize("row", [[1, 2], None, "abc"])
def test_a_row_that_is_no_object_is_refused_by_name(small_world: Path, out: Path, row: Any) -> None:
    with pytest.raises(InvalidInputError, match="not an object"):
        post_change(out, "court_cases", row)


def test_a_reference_source_is_no_source_of_people(small_world: Path, out: Path) -> None:
    config = load_sources_config(small_world / "sources.yaml")
    reference = next(s for s in config.sources if s not in config.people_sources)
    with pytest.raises(InvalidInputError, match="a reference source"):
        post_change(out, reference.name, {c: "X" for c in reference.declared_schema()})


def _input(world: Path, tmp_path: Path, record_id: str, at: int = 0) -> Path:
    row = _court_row(world, record_id, at)
    path = tmp_path / f"{record_id}-{at}.csv"
    pcsv.write_csv(pa.Table.from_pylist([row]).cast(pa.schema([(k, pa.string()) for k in row])), path)
    return path


def test_add_refuses_an_id_the_worker_linked_or_has_waiting(
    small_world: Path, out: Path, tmp_path: Path
) -> None:
    post_change(out, "court_cases", _court_row(small_world, "BY-WORKER"))
    Worker(out).run_once()
    post_change(out, "court_cases", _court_row(small_world, "WAITING"))
    for record_id, at in (("BY-WORKER", 5), ("WAITING", 0)):  # another person's row; the row posted
        with pytest.raises(InvalidInputError) as caught:
            add_records(out, "court_cases", _input(small_world, tmp_path, record_id, at))
        assert "the change worker linked with other values or has waiting" in str(caught.value.problems)
    [done] = Worker(out).run_once()  # the waiting one links as posted: nothing blocks the inbox
    assert done.record == "court_cases|WAITING"
    with pytest.raises(ConflictError):
        post_change(out, "court_cases", _court_row(small_world, "BY-WORKER"))


def test_the_worker_prints_an_id_as_written(small_world: Path, out: Path) -> None:
    """Rich read `[/]` in a record id as markup: a traceback after the event was journaled."""
    post_change(out, "court_cases", _court_row(small_world, "M1[/][red]"))
    result = CliRunner().invoke(app, ["worker", "run", str(out), "--inbox", "file"])
    assert result.exit_code == 0, result.output
    assert "court_cases|M1[/][red] -> S-" in result.output


def test_a_post_after_one_killed_mid_line_is_a_line_of_its_own(small_world: Path, out: Path) -> None:
    """The torn line of a post that died (never acknowledged) is cut; the next post was glued to it, and every
    worker run stopped at the line no JSON reader could parse."""
    post_change(out, "court_cases", _court_row(small_world, "BEFORE"))
    with (out / "inbox.jsonl").open("a") as inbox:
        inbox.write('{"event_id": "dead", "source": "court_cases", "val')
    post_change(out, "court_cases", _court_row(small_world, "AFTER"))
    records = [p.record for p in Worker(out).run_once()]
    assert records == ["court_cases|BEFORE", "court_cases|AFTER"]
