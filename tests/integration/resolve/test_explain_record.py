"""`ilos link explain DIR RECORD`: why one record is in its subject — the subject and its size as
clusters.parquet has them, the record's strongest scored link to another record of it (explained as a pair
is), and its strongest pair with a record of another subject; a record the worker linked is explained from
its journal. Each decision is said in words, since it records where the records ended up."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.definitions.sources import load_sources_config
from ilos.errors import NotFoundError
from ilos.resolve import linkage
from ilos.resolve.explain import PairExplanation
from ilos.resolve.records import typed_record_key
from ilos.resolve.threshold import ThresholdChoice
from ilos.services.linking import LinkRun, explain_link, explain_record, review_queue
from ilos.services.realtime import Worker, post_change
from ilos.services.source_reading import read_source_file

Row = dict[str, str | None]


def _subjects(out: Path) -> dict[str, str]:
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    return {f"{r['source']}|{r['record_id']}": r["subject_id"] for r in clusters}


def _pairs_of(out: Path, key: str) -> list[dict[str, Any]]:
    links = pq.read_table(out / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r", "match_weight"])
    return [p for p in links.to_pylist() if key in (p["unique_id_l"], p["unique_id_r"])]


def test_a_record_in_a_subject_is_explained_by_its_strongest_link_inside_it(small_linkage: LinkRun) -> None:
    out = small_linkage.out_dir
    subjects = _subjects(out)
    sizes = Counter(subjects.values())
    key = next(k for k, s in subjects.items() if sizes[s] >= 3 and k.startswith("court_cases|"))
    other_of = {
        (p["unique_id_r"] if p["unique_id_l"] == key else p["unique_id_l"]): p["match_weight"]
        for p in _pairs_of(out, key)
    }
    inside = {o: w for o, w in other_of.items() if subjects.get(str(o)) == subjects[key]}
    outside = {o: w for o, w in other_of.items() if subjects.get(str(o)) != subjects[key]}

    explained = explain_record(out, typed_record_key(key))
    assert (explained.record, explained.subject_id, explained.others) == (
        key,
        subjects[key],
        sizes[subjects[key]] - 1,
    )
    assert explained.inside is not None
    strongest = max(inside.values())
    assert {explained.inside.left, explained.inside.right} - {key} <= {
        o for o, w in inside.items() if w == strongest
    }
    assert explained.inside.match_weight == pytest.approx(strongest)
    assert explained.inside.decision_meaning().startswith("in one subject")
    if outside:
        assert explained.outside is not None
        assert outside[explained.outside.other] == max(outside.values())
        assert explained.outside.other_subject == subjects.get(explained.outside.other)
    else:
        assert explained.outside is None

    printed = CliRunner().invoke(
        app, ["link", "explain", str(out), typed_record_key(key)], terminal_width=200
    )
    assert printed.exit_code == 0, printed.output
    assert f"is in subject {subjects[key]} with {sizes[subjects[key]] - 1} other record(s)" in printed.output
    assert "its strongest link inside the subject:" in printed.output
    assert "│ total" in printed.output


def test_a_record_alone_says_so_and_names_its_nearest_pair(small_linkage: LinkRun) -> None:
    out = small_linkage.out_dir
    subjects = _subjects(out)
    sizes = Counter(subjects.values())
    scored = {k for p in _pairs_of_all(out) for k in p}
    key = next(k for k, s in subjects.items() if sizes[s] == 1 and k in scored)
    explained = explain_record(out, typed_record_key(key))
    assert (explained.others, explained.inside) == (0, None)
    assert explained.outside is not None and explained.outside.other_subject != explained.subject_id
    printed = CliRunner().invoke(
        app, ["link", "explain", str(out), typed_record_key(key)], terminal_width=300
    )
    assert f"is alone in subject {subjects[key]}" in printed.output
    assert (
        f"its strongest pair outside the subject: {typed_record_key(explained.outside.other)}"
        in printed.output
    )


def _pairs_of_all(out: Path) -> list[tuple[str, str]]:
    links = pq.read_table(out / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r"])
    return list(zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True))


def test_a_record_not_in_the_linkage_is_refused(small_linkage: LinkRun) -> None:
    with pytest.raises(NotFoundError, match="Record court_cases:NOPE is not in this linkage"):
        explain_record(small_linkage.out_dir, "court_cases:NOPE")


def test_a_record_the_worker_linked_is_explained_from_its_journal(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    post_change(out, "court_cases", band["joined"])
    [done] = Worker(out).run_once()
    assert done.action == "joined"
    explained = explain_record(out, typed_record_key(done.record))
    assert (explained.record, explained.subject_id) == (done.record, done.subject_id)
    assert explained.others == sum(1 for s in _subjects(out).values() if s == done.subject_id)
    assert explained.inside is not None  # the pair it joined by, from the journal
    other = explained.inside.right if explained.inside.left == done.record else explained.inside.left
    assert _subjects(out)[other] == done.subject_id
    assert explain_link(out, done.record, other).match_weight == explained.inside.match_weight


def _explained(decision: str, probability: float) -> PairExplanation:
    choice = ThresholdChoice(0.7, 0.997, 0.9, 0.95, 0.2, 0.95)
    return PairExplanation(
        "a|1", "b|2", probability, 0.0, 0.0, decision, decision == "match", (), None, 0.0, choice
    )


@pytest.mark.parametrize(
    ("decision", "probability", "meaning"),
    [
        ("match", 0.99, "in one subject"),
        (
            "match",
            0.3,
            "in one subject, joined through other, stronger links: the pair alone is below the threshold (0.7000)",
        ),
        (
            "non_match",
            0.98,
            "in two subjects: the pair scored above the threshold (0.7000), but a clustering rule kept",
        ),
        ("non_match", 0.1, "in two subjects: the pair is below the threshold (0.7000)"),
        ("review", 0.5, "in the review band (0.2000 to 0.9500): waiting for a person's verdict"),
        ("household_conflict", 0.9, "a household conflict"),
        ("judged", 0.9, "decided by a person's verdict"),
    ],
)
def test_each_decision_is_said_in_words(decision: str, probability: float, meaning: str) -> None:
    said = _explained(decision, probability).decision_meaning()
    assert said.startswith(meaning), said
    if decision == "match" and probability >= 0.7:
        assert said == "in one subject"


def _weakest_held_court_record(out: Path) -> tuple[str, float]:
    """The court record, in a subject with other records, whose strongest stored link is the weakest, and that
    link's weight: an exact copy of it outscores every pair it has (a record whose mates carry its fields
    exactly ties the copy, and a tie is broken by float noise)."""
    subjects = _subjects(out)
    sizes = Counter(subjects.values())
    links = pq.read_table(out / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r", "match_weight"])
    strongest: dict[str, float] = {}
    for pair in links.to_pylist():
        for key in (pair["unique_id_l"], pair["unique_id_r"]):
            if key.startswith("court_cases|") and sizes[subjects[key]] > 1:
                strongest[key] = max(strongest.get(key, float("-inf")), pair["match_weight"])
    weakest = min(strongest, key=lambda k: (strongest[k], k))
    return weakest, strongest[weakest]


def test_a_batch_record_whose_strongest_mate_the_worker_linked_is_explained_by_that_pair(
    small_linkage: LinkRun, small_world: Path, tmp_path: Path
) -> None:
    """An exact copy of a court record, posted under a new id, scores its strongest pair with the original:
    the original's strongest link inside its subject is then with a record only the journal holds."""
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    original, stored_strongest = _weakest_held_court_record(out)
    config = load_sources_config(small_world / "sources.yaml")
    spec = config.source("court_cases")
    rows = read_source_file(config, spec).to_pylist()
    row = next(r for r in rows if f"court_cases|{r[spec.record_id]}" == original)
    copy = {c: None if row.get(c) is None else str(row[c]) for c in spec.declared_schema()}
    post_change(out, "court_cases", {**copy, spec.record_id: "COPY-1"})
    [done] = Worker(out).run_once()
    assert done.subject_id == _subjects(out)[original]

    explained = explain_record(out, typed_record_key(original))
    assert explained.inside is not None
    assert {explained.inside.left, explained.inside.right} == {original, "court_cases|COPY-1"}
    assert explained.inside.match_weight > stored_strongest
    assert explained.others == sum(1 for s in _subjects(out).values() if s == done.subject_id)  # and the copy
    assert explained.inside.decision_meaning() == "in one subject"


def test_without_the_threshold_a_decision_is_said_without_it() -> None:
    bare = PairExplanation("a|1", "b|2", 0.98, 0.0, 0.0, "non_match", False, (), None, 0.0, None)
    assert bare.decision_meaning() == "in two subjects"


def test_a_linkage_directory_named_with_glob_characters_is_the_one_read(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """DuckDB expands `[…]` in a path: explain and review of `run[1]` read `run1`'s files beside it."""
    named = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "run[1]"))
    beside = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "run1"))
    for name in (linkage.CLUSTERS_FILE, linkage.LINKS_FILE, linkage.REVIEW_FILE):
        pq.write_table(pq.read_table(beside / name).slice(0, 0), beside / name)
    key = next(iter(_subjects(named)))
    assert explain_record(named, typed_record_key(key)).subject_id == _subjects(named)[key]
    assert review_queue(named, 10).pairs.num_rows == min(
        10, pq.read_metadata(named / linkage.REVIEW_FILE).num_rows
    )


def test_a_pair_in_a_linkage_directory_named_with_glob_characters_is_placed_by_its_own_clusters(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """Where a pair's records are now was read from `run2`'s clusters for a linkage in `run[2]`."""
    named = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "run[2]"))
    beside = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "run2"))
    alone = pq.read_table(beside / linkage.CLUSTERS_FILE).to_pydict()
    alone["subject_id"] = [f"ALONE-{i}" for i in range(len(alone["subject_id"]))]
    pq.write_table(pa.table(alone), beside / linkage.CLUSTERS_FILE)
    subjects = _subjects(named)
    links = pq.read_table(named / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r"]).to_pylist()
    a, b = next(
        (p["unique_id_l"], p["unique_id_r"])
        for p in links
        if subjects[p["unique_id_l"]] == subjects[p["unique_id_r"]]
    )
    explained = explain_link(named, typed_record_key(a), typed_record_key(b))
    assert explained.same_subject and not explained.moved_since
