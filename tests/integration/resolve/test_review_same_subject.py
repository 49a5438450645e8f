"""The review queue tells whether a pair's records are in one subject as they stand now: a queued pair whose
subjects `ilos link add` has since joined stays queued until the next `ilos link`, shown as one subject."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.resolve.incremental import IncrementalLinker
from ilos.resolve.records import typed_record_key
from ilos.services.linking import LinkRun, add_records, judge_pair, review_queue
from ilos.services.source_reading import read_source_file


def _clusters(out: Path) -> dict[str, str]:
    rows = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    return {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in rows}


def _queued_with_a_second_link(out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A queued pair of two subjects, and another scored pair between the same two subjects that nothing
    forbids joining (a "match" on it joins the subjects, the queued pair unjudged)."""
    subjects = _clusters(out)
    restricted = set(IncrementalLinker(out, take_in_judgements=False).groups)
    between: dict[frozenset[str], list[dict[str, str]]] = {}
    for p in pq.read_table(out / linkage.LINKS_FILE).to_pylist():
        two = frozenset((subjects[p["unique_id_l"]], subjects[p["unique_id_r"]]))
        if len(two) == 2 and not p["household_conflict"] and not {p["source_l"], p["source_r"]} & restricted:
            between.setdefault(two, []).append(p)
    for queued in pq.read_table(out / linkage.REVIEW_FILE).to_pylist():
        two = frozenset((subjects[queued["unique_id_l"]], subjects[queued["unique_id_r"]]))
        others = [p for p in between.get(two, []) if {p["unique_id_l"], p["unique_id_r"]} != {
            queued["unique_id_l"], queued["unique_id_r"]}]  # fmt: skip
        if len(two) == 2 and others:
            return queued, others[0]
    raise AssertionError("the small linkage has no queued pair with a second link between its subjects")


def test_a_queued_pair_whose_subjects_an_add_joined_shows_as_one_subject(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    queued, other = _queued_with_a_second_link(out)
    a, b = queued["unique_id_l"], queued["unique_id_r"]

    def shown() -> dict[tuple[str, str], bool]:
        pairs = review_queue(out, 999_999).pairs.to_pylist()
        return {(p["unique_id_l"], p["unique_id_r"]): p["same_subject"] for p in pairs}

    assert shown()[(a, b)] is False
    c, d = typed_record_key(other["unique_id_l"]), typed_record_key(other["unique_id_r"])
    judge_pair(out, c, d, "match", "ana")
    config = load_sources_config(small_world / "sources.yaml")
    spec = config.source("court_cases")
    row = read_source_file(config, spec).slice(0, 1)
    row = row.set_column(row.schema.get_field_index(spec.record_id), spec.record_id, pa.array(["SAME-1"]))
    pq.write_table(row, tmp_path / "new.parquet")
    add_records(out, "court_cases", tmp_path / "new.parquet")  # takes the "match" in: one subject now

    now = _clusters(out)
    assert now[a] == now[b]
    assert shown()[(a, b)] is True  # still queued, as what it is now
    listed = CliRunner().invoke(app, ["link", "review", str(out), "--limit", "999999", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    row_of_pair = next(
        line for line in listed.output.splitlines()
        if line.startswith(f"{typed_record_key(a)},{typed_record_key(b)},")
    )  # fmt: skip
    assert row_of_pair.endswith(",true")
