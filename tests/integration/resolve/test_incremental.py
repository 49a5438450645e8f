"""Incremental linking: 90% in batch plus 10% one record at a time ends close to one batch run over all."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
import yaml

from ilos.errors import ConflictError
from ilos.resolve import linkage, model_spec, stable_ids
from ilos.resolve.incremental import IncrementalLinker
from ilos.services.linking import LinkRun, add_records, evaluate_linkage, explain_link, link_config

_BY_PAIR = [("unique_id_l", "ascending"), ("unique_id_r", "ascending")]


def _held_out(record_id: str) -> bool:
    return int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % 10 == 0


def _read(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    names = pcsv.read_csv(path).column_names
    options = pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    return pcsv.read_csv(path, convert_options=options)


def _write(table: pa.Table, path: Path) -> None:
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pcsv.write_csv(table, path)


def _split_world(world: Path, out: Path) -> dict[str, Path]:
    """Copy the world with 10% of each people source's rows held back; return the held-back files."""
    config = yaml.safe_load((world / "sources.yaml").read_text())
    held: dict[str, Path] = {}
    for source in config["sources"]:
        table = _read(world / source["path"])
        if source.get("reference"):
            _write(table, out / source["path"])
            continue
        mask = pa.array([_held_out(r) for r in table[source["record_id"]].to_pylist()])
        _write(table.filter(pa.compute.invert(mask)), out / source["path"])
        held_path = out / f"held_{source['path']}"
        _write(table.filter(mask), held_path)
        held[source["name"]] = held_path
    (out / "sources.yaml").write_text((world / "sources.yaml").read_text())
    return held


@pytest.mark.slow
def test_ninety_batch_plus_ten_incremental_is_within_a_point_of_full_batch(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    held = _split_world(small_world, tmp_path)
    out = tmp_path / "linkage"
    link_config(tmp_path / "sources.yaml", out)
    batch_review_pairs = pq.read_table(out / linkage.REVIEW_FILE).num_rows
    batch_pairs = set(_pairs(pq.read_table(out / linkage.LINKS_FILE)))
    added = 0
    for source, path in held.items():
        report = add_records(out, source, path)
        added += report.records
        assert report.records == len(report.latencies_ms)
    assert added > 200
    # The records added one at a time put their uncertain pairs in the review queue, as batch does.
    links = pq.read_table(out / linkage.LINKS_FILE)
    queued = links.filter(pa.compute.equal(links["decision"], "review")).sort_by(_BY_PAIR)
    review = pq.read_table(out / linkage.REVIEW_FILE).sort_by(_BY_PAIR)
    assert review.equals(queued)
    assert review.num_rows > batch_review_pairs
    truth = small_world / "truth" / "records.parquet"
    incremental = evaluate_linkage(out, truth)
    full = evaluate_linkage(small_linkage.out_dir, truth)
    assert incremental.records == full.records
    assert abs(incremental.pairwise_f1 - full.pairwise_f1) <= 0.01, (incremental, full)
    _added_links_explain_as_scored(out, [p for p in _pairs(links) if p not in batch_pairs])


def _pairs(links: pa.Table) -> list[tuple[str, str]]:
    return list(zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True))


def _added_links_explain_as_scored(out: Path, added: list[tuple[str, str]]) -> None:
    """The pairs `link add` scored explain as batch pairs do: from stored level weights and term-frequency
    adjustments that add up to the stored total, with nothing left over."""
    adjusted = 0
    for left, right in added[:300]:
        e = explain_link(out, left, right)
        assert sum(line.weight for line in e.lines()) == pytest.approx(e.match_weight, abs=1e-9)
        assert e.unstored_tf == 0.0
        adjusted += sum(1 for c in e.comparisons if c.tf_adjustment)
    assert adjusted > 0, "some added pairs had term-frequency adjusted levels"


def test_adding_a_known_record_is_refused(small_linkage: LinkRun) -> None:
    linker = IncrementalLinker(small_linkage.out_dir)
    existing = pq.read_table(small_linkage.out_dir / linkage.RECORDS_FILE).slice(0, 1).to_pylist()[0]
    with pytest.raises(ConflictError, match="already linked"):
        linker.link(existing)


def test_a_copy_of_a_record_under_a_new_id_joins_its_subject(small_linkage: LinkRun) -> None:
    linker = IncrementalLinker(small_linkage.out_dir)
    clusters = pq.read_table(small_linkage.out_dir / linkage.CLUSTERS_FILE).to_pylist()
    records = {
        f"{r['source']}|{r['record_id']}": r
        for r in pq.read_table(small_linkage.out_dir / linkage.RECORDS_FILE).to_pylist()
    }
    sizes: dict[str, int] = {}
    for c in clusters:
        sizes[c["subject_id"]] = sizes.get(c["subject_id"], 0) + 1
    target = next(c for c in clusters if sizes[c["subject_id"]] >= 4 and c["source"] == "court_cases")
    copy = {**records[f"{target['source']}|{target['record_id']}"], "record_id": "COPY-1"}
    outcome = linker.link(copy)
    assert outcome.subject_id == target["subject_id"]
    assert outcome.action == "joined"
    assert outcome.edges[0].probability > 0.99


def test_a_linkage_made_by_another_model_is_refused_until_relinked(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """Records linked into it would be standardized and scored unlike the records it holds."""
    old = tmp_path / "old-linkage"
    old.mkdir()
    for name in (linkage.SUMMARY_FILE, linkage.RECORDS_FILE, linkage.CLUSTERS_FILE, linkage.MODEL_FILE):
        (old / name).write_bytes((small_linkage.out_dir / name).read_bytes())
    summary = json.loads((old / linkage.SUMMARY_FILE).read_text())
    assert summary.pop("model_version") == model_spec.MODEL_VERSION
    (old / linkage.SUMMARY_FILE).write_text(json.dumps(summary))
    with pytest.raises(ConflictError, match="re-run `ilos link`"):
        IncrementalLinker(old)


def test_a_new_subject_never_takes_an_id_a_subject_holds(
    small_linkage: LinkRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record's own id (`fresh_subject_id` of its key) may be held already: a re-run that dropped the record
    left it on the subject that kept most of its records. The new subject's id is salted instead."""
    records = pq.read_table(small_linkage.out_dir / linkage.RECORDS_FILE).to_pylist()
    held = pq.read_table(small_linkage.out_dir / linkage.CLUSTERS_FILE)["subject_id"][0].as_py()
    real = stable_ids.fresh_subject_id
    monkeypatch.setattr(stable_ids, "fresh_subject_id", lambda m: held if "#" not in m[0] else real(m))
    linker = IncrementalLinker(small_linkage.out_dir)
    loner = {**records[0], "record_id": "LONER-1", "given_name": "ZYXWV", "family_name": "QWERTZ",
             "family_first": "QWERTZ", "name_keys": ["QWERTZ", "ZYXWV"], "name_key": None, "date_of_birth": None,
             "a_number": None, "ssn": None, "passport_number": None, "address_key": None, "street": None}  # fmt: skip
    outcome = linker.link(loner)
    assert outcome.action == "new"
    assert outcome.subject_id != held
    assert list(linker.subject_of_root.values()).count(outcome.subject_id) == 1
    assert outcome.subject_id == real([f"{records[0]['source']}|LONER-1#1"])
