"""Why two records were (or were not) linked: the prior, each comparison's level and match weight, and the
term-frequency adjustments, which together add up to the pair's total match weight."""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ilos.errors import InvalidInputError, NotFoundError
from ilos.file_version import FileVersion, file_version
from ilos.resolve import linkage, model_spec
from ilos.resolve.judgements import Judgement, judgement_on
from ilos.resolve.records import split_record_key, typed_record_key
from ilos.resolve.scoring import prior_weight


@dataclass(frozen=True, slots=True)
class LiveLinks:
    """What was linked after the batch files were written (by the near-real-time worker, read from its
    journal): its records (`source|record_id`) and the pairs they were scored in, in links.parquet's columns.
    Explaining and judging know them as they know the batch's."""

    records: frozenset[str]
    links: pa.Table


@dataclass(frozen=True, slots=True)
class ComparisonExplanation:
    comparison: str
    level: str
    match_weight: float
    tf_adjustment: float  # what the values' term frequencies added to the level's weight


@dataclass(frozen=True, slots=True)
class WeightLine:
    """One line of an explanation: the prior, a comparison's level, or a term-frequency adjustment."""

    label: str
    detail: str
    weight: float


@dataclass(frozen=True, slots=True)
class PairExplanation:
    left: str
    right: str
    match_probability: float
    match_weight: float
    prior_weight: float
    decision: str
    same_subject: bool
    comparisons: tuple[ComparisonExplanation, ...]
    judgement: Judgement | None
    unstored_tf: float
    """The term-frequency adjustments of a linkage written before links.parquet stored them per comparison:
    the part of the total no comparison line carries."""

    def lines(self) -> list[WeightLine]:
        """The parts of the total in reading order; they sum to `match_weight`."""
        out = [WeightLine("prior", "log2 odds that two records match", self.prior_weight)]
        for c in self.comparisons:
            out.append(WeightLine(c.comparison, c.level, c.match_weight))
            if c.tf_adjustment:
                out.append(WeightLine(c.comparison, "term-frequency adjustment", c.tf_adjustment))
        if self.unstored_tf:
            detail = "adjustments not stored per comparison by this older linkage; re-run `ilos link`"
            out.append(WeightLine("term frequencies", detail, self.unstored_tf))
        return out

    def lines_in_hundredths(self) -> tuple[list[tuple[WeightLine, int]], int]:
        """The lines with their weights in hundredths, rounded so they add up to the total shown, and that
        total: rounding each on its own could leave a printed explanation a hundredth or two off."""
        lines = self.lines()
        shown = rounded_to_total([line.weight for line in lines])
        return list(zip(lines, shown, strict=True)), sum(shown)


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Each comparison's levels by comparison-vector value (-1: missing), as the trained model labels them."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        name = comparison["output_column_name"]
        labels[name] = {len(levels) - 1 - i: lv.get("label_for_charts", "") for i, lv in enumerate(levels)}
        labels[name][-1] = "missing"
    return labels


@dataclass(frozen=True, slots=True)
class StoredModel:
    """The trained model as parsed and each comparison's level labels (`level_labels`): both shared by every
    caller, not to be changed."""

    parsed: dict[str, Any]
    labels: dict[str, dict[int, str]]


def stored_model(linkage_dir: Path) -> StoredModel:
    """The linkage's model.json as explanations and the subject page read it (FileNotFoundError without
    one), parsed again only when the file is rewritten (`file_version`): both ask on every look."""
    path = linkage_dir / linkage.MODEL_FILE
    version = file_version(path)
    if version is None:
        raise FileNotFoundError(f"No trained model at {path}")
    return _parsed_model(path, version)


@functools.lru_cache(maxsize=8)
def _parsed_model(path: Path, _version: FileVersion) -> StoredModel:
    """Keyed by the file's version as well as its path: a linkage re-run replaces its model."""
    model = json.loads(path.read_text())
    return StoredModel(model, level_labels(model))


def explain_pair(linkage_dir: Path, left: str, right: str, live: LiveLinks | None = None) -> PairExplanation:
    """Read the stored link between two records (ids as `source|record_id` or `source:record_id`): each
    comparison's level, weight and term-frequency adjustment as scored, by Splink, by `ilos link add` or by
    the worker (`live`)."""
    a, b, row = find_scored_pair(linkage_dir, left, right, live)
    model = stored_model(linkage_dir)
    parts = []
    for comparison in model_spec.comparisons():
        gamma = int(row[comparison.gamma_column])
        weight = float(row[comparison.weight_column])
        tf_column = comparison.tf_weight_column
        tf = float(row.get(tf_column) or 0.0) if tf_column else 0.0
        level = model.labels.get(comparison.name, {}).get(gamma, str(gamma))
        parts.append(ComparisonExplanation(comparison.name, level, weight, tf))
    prior = prior_weight(model.parsed)
    total = float(row["match_weight"])
    stored_apart = all(c.tf_weight_column in row for c in model_spec.comparisons() if c.tf_weight_column)
    unstored = total - prior - sum(c.match_weight + c.tf_adjustment for c in parts)
    return PairExplanation(
        left=a,
        right=b,
        match_probability=float(row["match_probability"]),
        match_weight=total,
        prior_weight=prior,
        decision=str(row["decision"]),
        same_subject=bool(row["same_subject"]),
        comparisons=tuple(parts),
        judgement=judgement_on(linkage_dir, a, b),
        unstored_tf=0.0 if stored_apart else unstored,
    )


def rounded_to_total(weights: list[float], places: int = 2) -> list[int]:
    """Each weight in units of 10**-places, rounded so that they add up to their rounded sum (largest
    remainder), so a printed explanation adds up to its printed total; no part moves by a unit or more."""
    scale = 10**places
    exact = [w * scale for w in weights]
    rounded = [round(x) for x in exact]
    short = round(sum(exact)) - sum(rounded)
    step = 1 if short > 0 else -1
    by_error = sorted(range(len(exact)), key=lambda i: (exact[i] - rounded[i]) * step, reverse=True)
    for i in by_error[: abs(short)]:
        rounded[i] += step
    return rounded


def parse_record_key(record: str) -> tuple[str, str]:
    """`source:record_id` as typed by people (or `source|record_id` as stored) -> (source, record_id). The
    source ends at the first ':' or '|' (source names hold neither), so a record id may hold either."""
    source, record_id = split_record_key(record) or ("", "")
    if not source.strip() or not record_id.strip():
        raise InvalidInputError(
            f"Expected SOURCE:RECORD_ID (e.g. court_cases:EOIR0000000001), got {record!r}"
        )
    return source.strip(), record_id.strip()


def linked_record_keys(
    con: duckdb.DuckDBPyConnection, linkage_dir: Path, left: str, right: str, live: LiveLinks | None = None
) -> tuple[str, str]:
    """Both records as stored keys, once each is known to be in the linkage (its clusters, or the records
    linked since, `live`). Each mistake gets its own message (a malformed argument, an unknown source, a
    missing record, one record twice), so a person can tell a typo from a pair that was never compared."""
    clusters = linkage_dir / linkage.CLUSTERS_FILE
    if not clusters.is_file() or not (linkage_dir / linkage.LINKS_FILE).is_file():
        raise NotFoundError(f"No linkage at {linkage_dir}; run `ilos link CONFIG --out {linkage_dir}` first")
    typed = [parse_record_key(left), parse_record_key(right)]
    later = {split_record_key(k) or (k, "") for k in (live.records if live else ())}
    sources = [
        r[0] for r in con.execute("SELECT DISTINCT source FROM read_parquet(?)", [str(clusters)]).fetchall()
    ]
    sources += sorted({source for source, _ in later} - set(sources))
    keys = [(_known_source(source, sources), record_id) for source, record_id in typed]
    if keys[0] == keys[1]:
        raise InvalidInputError(f"The two records are the same ({keys[0][0]}:{keys[0][1]}); name two records")
    found = con.execute(
        "SELECT source, record_id FROM read_parquet(?) "
        "WHERE (source = ? AND record_id = ?) OR (source = ? AND record_id = ?)",
        [str(clusters), *keys[0], *keys[1]],
    ).fetchall()
    known = set(found) | later
    missing = [f"{s}:{r}" for s, r in keys if (s, r) not in known]
    if missing:
        raise NotFoundError(
            f"Record {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in this linkage"
        )
    return "|".join(keys[0]), "|".join(keys[1])


def _known_source(typed: str, sources: list[str]) -> str:
    """The linkage's spelling of a source typed in any case; otherwise a message naming the sources."""
    by_case = {s.lower(): s for s in sources}
    if typed.lower() in by_case:
        return by_case[typed.lower()]
    close = difflib.get_close_matches(typed.lower(), list(by_case), n=1)
    hint = f"; did you mean {by_case[close[0]]!r}?" if close else ""
    raise NotFoundError(f"No source {typed!r} in this linkage (sources: {', '.join(sorted(sources))}){hint}")


def find_scored_pair(
    linkage_dir: Path, left: str, right: str, live: LiveLinks | None = None
) -> tuple[str, str, dict[str, Any]]:
    """The stored link between two records of the linkage (links.parquet, else the pairs linked since,
    `live`), with both keys as stored. One connection serves the keys and the pair: opening a DuckDB
    connection costs tens of milliseconds, more than these lookups on a linkage of thousands."""
    con = duckdb.connect()
    try:
        a, b = linked_record_keys(con, linkage_dir, left, right, live)
        found = _pair_row(con, "read_parquet(?)", [str(linkage_dir / linkage.LINKS_FILE)], a, b)
        if found is None and live is not None:
            con.register("ilos_live_links", live.links)
            found = _pair_row(con, "ilos_live_links", [], a, b)
    finally:
        con.close()
    if found is None:
        raise NotFoundError(
            f"{typed_record_key(a)} and {typed_record_key(b)} are both in this linkage but were never compared (no blocking rule "
            f"put them together) or scored below the floor, so there is no evidence linking them"
        )
    return a, b, found


def _pair_row(
    con: duckdb.DuckDBPyConnection, table_sql: str, params: list[str], a: str, b: str
) -> dict[str, Any] | None:
    result = con.execute(
        f"SELECT * FROM {table_sql} WHERE (unique_id_l = ? AND unique_id_r = ?) "  # noqa: S608 - read_parquet(?) or a registered name
        "OR (unique_id_l = ? AND unique_id_r = ?) LIMIT 1",
        [*params, a, b, b, a],
    )
    row = result.fetchone()
    return None if row is None else dict(zip([d[0] for d in result.description], row, strict=True))
