"""A "match" verdict on two records of one `one_record_per_entity` source is refused: clustering never puts
them in one subject, so the verdict could not be honoured and the pair would read as decided by it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from ilos.errors import InvalidInputError
from ilos.resolve import linkage
from ilos.resolve.judgements import read_judgements
from ilos.resolve.records import typed_record_key
from ilos.services.linkage_config import CONFIG_COPY
from ilos.services.linking import LinkRun, judge_pair


def test_a_match_within_a_one_record_per_entity_source_is_refused(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    links = pq.read_table(
        out / linkage.LINKS_FILE, columns=["source_l", "source_r", "unique_id_l", "unique_id_r"]
    )
    pair = next(p for p in links.to_pylist() if p["source_l"] == p["source_r"] == "court_cases")
    a, b = typed_record_key(pair["unique_id_l"]), typed_record_key(pair["unique_id_r"])
    config = yaml.safe_load((out / CONFIG_COPY).read_text())
    for source in config["sources"]:
        if source["name"] == "court_cases":
            source["one_record_per_entity"] = True
    (out / CONFIG_COPY).write_text(yaml.safe_dump(config))

    with pytest.raises(InvalidInputError, match="one record per entity"):
        judge_pair(out, a, b, "match", "ana")
    assert read_judgements(out) == []
    assert judge_pair(out, a, b, "no_match", "ana").verdict == "no_match"  # a verdict it can honour
