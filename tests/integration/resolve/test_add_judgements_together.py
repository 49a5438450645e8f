"""`ilos link add` takes the judgements in as a batch run does: each pair's latest verdict, all together, so a
run of "match" judgements cannot join a pair a later "no match" keeps apart (match A-B, match B-C, then no
match A-C: batch keeps A and C apart and refuses B-C). It once took them row by row, and the two matches
merged A, B and C before the "no match" was read: an unrelated add then merged the pair batch kept apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.resolve.incremental import IncrementalLinker
from ilos.resolve.judgements import judgement_history, record_judgement
from ilos.services.linking import LinkRun, add_records, link_config
from ilos.services.source_reading import read_source_file


def _three_subjects(out: Path) -> tuple[str, str, str]:
    """One record from each of three batch subjects of a source that may hold many records per person."""
    linker = IncrementalLinker(out, take_in_judgements=False)
    seen: dict[str, str] = {}
    for row in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist():
        key = f"{row['source']}|{row['record_id']}"
        if row["source"] not in linker.groups and row["subject_id"] not in seen.values():
            seen[key] = row["subject_id"]
        if len(seen) == 3:
            break
    a, b, c = seen
    return a, b, c


def test_a_later_no_match_keeps_apart_what_two_earlier_matches_would_chain(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    a, b, c = _three_subjects(out)
    record_judgement(out, a, b, "match", "reviewer-a")
    record_judgement(out, b, c, "match", "reviewer-a")
    record_judgement(out, a, c, "no_match", "reviewer-b")

    linker = IncrementalLinker(out)
    assert linker.subject_of(a) == linker.subject_of(b)
    assert linker.subject_of(c) != linker.subject_of(a)
    assert [(o.left, o.right) for o in linker.refused_at_load] == [tuple(sorted((b, c)))]
    del linker

    source = a.split("|", 1)[0]
    config = load_sources_config(small_world / "sources.yaml")
    one = read_source_file(config, config.source(source)).slice(0, 1)
    id_column = one.column_names.index(config.source(source).record_id)
    extra = tmp_path / "extra.csv"
    pcsv.write_csv(one.set_column(id_column, one.field(id_column), [["ADDED-1"]]), extra)
    report = add_records(out, source, extra)  # any record: the add takes every judgement in
    subjects = {
        f"{r['source']}|{r['record_id']}": r["subject_id"]
        for r in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    }
    assert subjects[a] != subjects[c]
    assert any('"match" judgement(s) could not be honoured' in w for w in report.warnings)


def test_a_replay_takes_the_rows_a_run_took_in_together_whatever_its_lines_count(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    """The worker replays its journal line by line, each taking judgements in up to the count on the line;
    rows a later run took in act together at the first line, as that run took them (A and C kept apart)."""
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    a, b, c = _three_subjects(out)
    record_judgement(out, a, b, "match", "reviewer-a")
    record_judgement(out, b, c, "match", "reviewer-a")
    record_judgement(out, a, c, "no_match", "reviewer-b")
    link_config(small_world / "sources.yaml", out)  # the run takes all three in
    history = judgement_history(out)

    linker = IncrementalLinker(out, take_in_judgements=False)
    assert linker.judgements_applied == 3
    linker.take_in(history, 2)  # the first journal line was written when two rows had been taken in
    linker.take_in(history, 3)
    assert linker.subject_of(a) != linker.subject_of(c)
    assert linker.subject_of(a) == linker.subject_of(b)
