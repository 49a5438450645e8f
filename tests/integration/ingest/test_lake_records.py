"""Reading the lake for linking: a people source whose file had no data rows lands no batch; it is linked
as zero records when the caller knows it is empty (a small synthetic world), and refused otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ilos.config import Settings
from ilos.definitions.sources import load_sources_config
from ilos.errors import NotFoundError
from ilos.services.ingestion import ingest_config
from ilos.services.linking import lake_records

HEADER_ONLY = "id,name,dob,a_number,zip\n"


def test_a_known_empty_source_is_linked_as_no_records(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    config_path = write_config(people=HEADER_ONLY)
    report = ingest_config(config_path, settings)
    assert [o.status for o in report.outcomes] == ["failed", "landed"]  # ingest refuses a file with no rows

    sources = lake_records(settings, load_sources_config(config_path), empty_sources=["people"])

    assert sources.counts == {"people": 0, "encounters": 2}
    assert sources.records.num_rows == 2
    assert set(sources.records.column("source").to_pylist()) == {"encounters"}


def test_a_source_missing_from_the_lake_is_refused_unless_known_empty(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    config_path = write_config(people=HEADER_ONLY)
    ingest_config(config_path, settings)
    with pytest.raises(NotFoundError, match="Source 'people' has no batch in the lake; ingest it first"):
        lake_records(settings, load_sources_config(config_path))
