"""Why two records were (or were not) linked: the prior, each comparison's level and match weight, and the
term-frequency adjustments, which together add up to the pair's total match weight."""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ilos.duckdb_paths import literal_path
from ilos.errors import InvalidInputError, NotFoundError
from ilos.file_version import FileVersion, file_version
from ilos.resolve import linkage, model_spec, verdict_effect
from ilos.resolve.judgements import Judgement, judgement_on, read_judgements, recorded_since
from ilos.resolve.records import split_record_key, typed_record_key
from ilos.resolve.scoring import prior_weight
from ilos.resolve.threshold import ThresholdChoice
from ilos.resolve.verdict_effect import RefusedMatch


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
    choice: ThresholdChoice | None = None
    """The linkage's threshold and review band (linkage.json), which say what the decision means."""

    judged_since_run: bool = False
    """The judgement was recorded since the linkage's files were written (`judgements_applied`): the decision
    and `same_subject` predate it."""
    moved_since: bool = False
    """`same_subject` is where clusters.parquet puts the two records now, which is not where they were when the
    pair was decided: an `ilos link add` joined their subjects, or moved one of them, since."""
    refused: RefusedMatch | None = None
    """Why the run's clustering refused the pair's "match", as it recorded it (linkage.json)."""

    def decision_meaning(self) -> str:
        """The decision in words: it records where the pair's records ended up, which is not always what
        its probability alone would say (a high-scoring pair a clustering rule kept apart, a weak one
        joined through other links), nor what a person judged (a verdict made since, or not honoured)."""
        j = self.judgement
        if j is None:
            return self._placement()
        if self.judged_since_run:
            return f"{self._placement()}; judged {j.verdict} {verdict_effect.since_run(j.verdict, self.same_subject)}"
        if j.verdict == "unsure":
            return f"{self._placement()}; judged unsure: {verdict_effect.UNSURE}"
        if (j.verdict == "match") != self.same_subject:
            return f"judged {j.verdict}, but {verdict_effect.not_honoured(j.verdict, self.refused)}"
        return f"decided by a person's verdict: in {self._subjects()}"

    def _subjects(self) -> str:
        return "one subject" if self.same_subject else "two subjects"

    def _placement(self) -> str:
        """Where the decision put the pair's records, and why, as the run decided it (or where they are now,
        when an `ilos link add` has moved them since)."""
        if self.moved_since:
            change = "joined their subjects" if self.same_subject else "moved one of them to another subject"
            return (
                f"in {self._subjects()}: `ilos link add` {change} after the pair was decided {self.decision}"
            )
        above = self.choice is not None and self.match_probability >= self.choice.threshold
        at = f" ({self.choice.threshold:.4f})" if self.choice is not None else ""
        if self.decision == "match":
            if self.choice is not None and not above:
                return f"in one subject, joined through other, stronger links: the pair alone is below the threshold{at}"
            return "in one subject"
        if self.decision == "non_match":
            if self.choice is None:
                return "in two subjects"
            if above:
                return (
                    f"in two subjects: the pair scored above the threshold{at}, but a clustering rule kept the "
                    'subjects apart (a household conflict or a "no match" between their records, dates of '
                    "birth, age at a record, identity numbers, one record per entity, or a single weak link "
                    'between two clusters; docs/linking.md, "Clustering that does not over-merge")'
                )
            return f"in two subjects: the pair is below the threshold{at}"
        if self.decision == "review":
            band = f" ({self.choice.review_low:.4f} to {self.choice.review_high:.4f})" if self.choice else ""
            waiting = (
                ": waiting for a person's verdict (`ilos link review`)" if self.judgement is None else ""
            )
            return f"in the review band{band}{waiting}"
        if self.decision == "household_conflict":
            return (
                "a household conflict: same address, and given names or dates of birth that clearly differ; "
                "never merged, directly or through others"
            )
        if self.decision == "judged":
            return f"decided by a person's verdict: in {self._subjects()}"
        return self.decision

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


@dataclass(frozen=True, slots=True)
class NearestPair:
    """A record's strongest scored pair with a record of another subject."""

    other: str
    other_subject: str | None
    """None: a record of no subject this linkage knows (scored by a run, then replaced)."""
    match_probability: float
    decision: str


@dataclass(frozen=True, slots=True)
class JudgedApart:
    """A "match" judgement on a record whose other record is not in its subject: refused by a constraint, or
    recorded since the linkage's files were written (`since_run`) and not applied yet."""

    judgement: Judgement
    other: str
    other_subject: str | None
    """None: a record of no subject this linkage knows."""
    since_run: bool
    refused: RefusedMatch | None = None
    """Why the run's clustering refused it, as it recorded it (linkage.json)."""

    def meaning(self) -> str:
        """Why the verdict did not join the two, in words."""
        if self.other_subject is None:
            return verdict_effect.waiting_for_record(typed_record_key(self.other))
        if self.since_run:
            return verdict_effect.since_run("match", same_subject=False)
        return verdict_effect.not_honoured("match", self.refused)


@dataclass(frozen=True, slots=True)
class RecordExplanation:
    """Why one record is in its subject: the subject and how many other records it holds; the record's
    strongest scored link to one of them, explained (None when no scored pair joins it to them: alone, or
    joined by a reviewer); the "match" judgements joining it to them; those naming a record of another
    subject (`judged_apart`: a verdict refused or not applied yet, never what joins it); and its strongest
    pair with a record of another subject (why it did not join that one)."""

    record: str
    subject_id: str
    others: int
    inside: PairExplanation | None
    judged: tuple[Judgement, ...]
    outside: NearestPair | None
    judged_apart: tuple[JudgedApart, ...] = ()


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
    return _explained(linkage_dir, *find_scored_pair(linkage_dir, left, right, live))


def _explained(linkage_dir: Path, a: str, b: str, row: dict[str, Any]) -> PairExplanation:
    """A stored pair's row (links.parquet's columns) explained."""
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
    judgement = judgement_on(linkage_dir, a, b)
    decided_together = bool(row["same_subject"])
    together = _together_now(linkage_dir, a, b)
    return PairExplanation(
        left=a,
        right=b,
        match_probability=float(row["match_probability"]),
        match_weight=total,
        prior_weight=prior,
        decision=str(row["decision"]),
        same_subject=decided_together if together is None else together,
        comparisons=tuple(parts),
        judgement=judgement,
        unstored_tf=0.0 if stored_apart else unstored,
        choice=linkage.threshold_choice(linkage_dir),
        judged_since_run=judgement is not None
        and (judgement.left, judgement.right) in _judged_since(linkage_dir),
        moved_since=together is not None and together != decided_together,
        refused=linkage.recorded_refusals(linkage_dir).get((min(a, b), max(a, b))),
    )


def _together_now(linkage_dir: Path, a: str, b: str) -> bool | None:
    """Whether clusters.parquet puts the two records in one subject now; None when it lacks one (a record the
    worker linked: its pair's row says where the worker put it)."""
    with duckdb.connect() as con:
        con.register("ilos_live_subjects", _subjects_table({}))
        subject_of = _subjects_of_records(con, linkage_dir, [a, b])
    return subject_of[a] == subject_of[b] if a in subject_of and b in subject_of else None


def _judged_since(linkage_dir: Path) -> frozenset[tuple[str, str]]:
    """The pairs whose latest judgement the linkage's files do not reflect yet."""
    return recorded_since(linkage_dir, linkage.judgements_applied(linkage_dir))


def explain_record(
    linkage_dir: Path,
    record: str,
    live: LiveLinks | None = None,
    live_subjects: Mapping[str, str] | None = None,
) -> RecordExplanation:
    """Why a record (`source:record_id`) is in its subject: read from clusters.parquet and links.parquet, and
    from what was linked since (`live`, with `live_subjects`: each record the worker linked -> its subject
    now)."""
    live_subjects = live_subjects or {}
    con = duckdb.connect()
    try:
        (key,) = known_record_keys(con, linkage_dir, [record], live)
        con.register("ilos_live_subjects", _subjects_table(live_subjects))
        con.register("ilos_live_links", live.links if live is not None else _no_links(linkage_dir))
        params = {"clusters": literal_path(linkage_dir / linkage.CLUSTERS_FILE), "key": key}
        found = con.execute(_SUBJECT_SQL, params).fetchone()
        matches = _judged_matches(linkage_dir, key)
        subject_of = _subjects_of_records(con, linkage_dir, [other for other, _ in matches])
        params["links"] = literal_path(linkage_dir / linkage.LINKS_FILE)
        pairs = con.execute(_RECORD_PAIRS_SQL, params).fetchall()
        subject_id = found[0] if found is not None else None
        inside = next((other for other, subject, *_ in pairs if subject == subject_id), None)
        inside_row = _stored_pair(con, linkage_dir, key, inside, live) if inside is not None else None
    finally:
        con.close()
    if found is None:
        raise NotFoundError(f"{typed_record_key(key)} is in no subject of this linkage; re-run `ilos link`")
    since, refused = _judged_since(linkage_dir), linkage.recorded_refusals(linkage_dir)
    apart = [
        JudgedApart(
            j, other, subject_of.get(other), (j.left, j.right) in since, refused.get((j.left, j.right))
        )
        for other, j in matches
        if subject_of.get(other) != subject_id
    ]
    return RecordExplanation(
        record=key,
        subject_id=str(subject_id),
        others=int(found[1]),
        inside=_explained(linkage_dir, key, str(inside), inside_row) if inside_row is not None else None,
        judged=tuple(j for other, j in matches if subject_of.get(other) == subject_id),
        outside=next((NearestPair(*p) for p in pairs if p[1] != subject_id), None),
        judged_apart=tuple(apart),
    )


def _judged_matches(linkage_dir: Path, key: str) -> list[tuple[str, Judgement]]:
    """The pairs of the record whose latest verdict is "match", oldest first, each with its other record."""
    judged = [j for j in read_judgements(linkage_dir) if key in (j.left, j.right) and j.verdict == "match"]
    return [(j.right if j.left == key else j.left, j) for j in sorted(judged, key=lambda j: j.judged_at)]


def _subjects_of_records(
    con: duckdb.DuckDBPyConnection, linkage_dir: Path, keys: list[str]
) -> dict[str, str]:
    """Each record's subject now (the linkage's clusters.parquet, or the worker's `ilos_live_subjects`)."""
    if not keys:
        return {}
    sql = f"SELECT k, min(subject_id) FROM ({_MEMBERS_SQL}) WHERE list_contains($keys, k) GROUP BY k"  # noqa: S608 - constant text
    clusters = literal_path(linkage_dir / linkage.CLUSTERS_FILE)
    return dict(con.execute(sql, {"clusters": clusters, "keys": keys}).fetchall())


_MEMBERS_SQL = """
  SELECT source || '|' || record_id AS k, subject_id FROM read_parquet($clusters)
  UNION ALL SELECT k, subject_id FROM ilos_live_subjects
"""
_SUBJECT_SQL = f"""
WITH members AS ({_MEMBERS_SQL}), mine AS (SELECT min(subject_id) AS subject_id FROM members WHERE k = $key)
SELECT mine.subject_id, count(DISTINCT m.k) FILTER (WHERE m.k <> $key)
FROM mine LEFT JOIN members m USING (subject_id) WHERE mine.subject_id IS NOT NULL GROUP BY mine.subject_id
"""  # noqa: S608 - constant text
# The record's scored pairs, strongest first, each with its other record's subject.
_RECORD_PAIRS_SQL = f"""
WITH members AS ({_MEMBERS_SQL}),
pairs AS (
  SELECT unique_id_l, unique_id_r, match_weight, match_probability, decision FROM read_parquet($links)
  WHERE unique_id_l = $key OR unique_id_r = $key
  UNION ALL
  SELECT unique_id_l, unique_id_r, match_weight, match_probability, decision FROM ilos_live_links
  WHERE unique_id_l = $key OR unique_id_r = $key
)
SELECT CASE WHEN p.unique_id_l = $key THEN p.unique_id_r ELSE p.unique_id_l END AS other,
  any_value(m.subject_id), arg_max(p.match_probability, p.match_weight), arg_max(p.decision, p.match_weight)
FROM pairs p LEFT JOIN members m ON m.k = CASE WHEN p.unique_id_l = $key THEN p.unique_id_r ELSE p.unique_id_l END
GROUP BY ALL ORDER BY max(p.match_weight) DESC, other
"""  # noqa: S608 - constant text


def _subjects_table(subjects: Mapping[str, str]) -> pa.Table:
    return pa.table(
        {
            "k": pa.array(list(subjects), pa.string()),
            "subject_id": pa.array(list(subjects.values()), pa.string()),
        }
    )


def _no_links(linkage_dir: Path) -> pa.Table:
    """links.parquet's schema with no rows: the live pairs when nothing was linked since."""
    return pq.read_schema(linkage_dir / linkage.LINKS_FILE).empty_table()


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
    source ends at the first ':' or '|' (source names hold neither), so a record id may hold either. The
    record id is kept as typed, spaces at either end included: ids are stored as their files write them, and
    "1", " 1" and "1 " are three records (trimming the argument left an id ending in a space unnameable)."""
    source, record_id = split_record_key(record) or ("", "")
    if not source.strip() or not record_id.strip():
        raise InvalidInputError(
            f"Expected SOURCE:RECORD_ID (e.g. court_cases:EOIR0000000001), got {record!r}"
        )
    return source.strip(), record_id


def linked_record_keys(
    con: duckdb.DuckDBPyConnection, linkage_dir: Path, left: str, right: str, live: LiveLinks | None = None
) -> tuple[str, str]:
    """Both records as stored keys, once each is known to be in the linkage (`known_record_keys`) and they
    are two."""
    a, b = known_record_keys(con, linkage_dir, [left, right], live)
    if a == b:
        raise InvalidInputError(f"The two records are the same ({typed_record_key(a)}); name two records")
    return a, b


def known_record_keys(
    con: duckdb.DuckDBPyConnection, linkage_dir: Path, records: list[str], live: LiveLinks | None = None
) -> list[str]:
    """Records as typed, as stored keys, once each is known to be in the linkage (its clusters, or the
    records linked since, `live`). Each mistake gets its own message (a malformed argument, an unknown
    source, a missing record), so a person can tell a typo from a pair that was never compared."""
    clusters = linkage_dir / linkage.CLUSTERS_FILE
    if not clusters.is_file() or not (linkage_dir / linkage.LINKS_FILE).is_file():
        raise NotFoundError(f"No linkage at {linkage_dir}; run `ilos link CONFIG --out {linkage_dir}` first")
    typed = [parse_record_key(r) for r in records]
    later = {split_record_key(k) or (k, "") for k in (live.records if live else ())}
    sources = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT source FROM read_parquet(?)", [literal_path(clusters)]
        ).fetchall()
    ]
    sources += sorted({source for source, _ in later} - set(sources))
    keys = [(_known_source(source, sources), record_id) for source, record_id in typed]
    asked = pa.table({"source": [s for s, _ in keys], "record_id": [r for _, r in keys]})
    con.register("ilos_asked", asked)
    found = con.execute(
        "SELECT source, record_id FROM read_parquet(?) JOIN ilos_asked USING (source, record_id)",
        [literal_path(clusters)],
    ).fetchall()
    con.unregister("ilos_asked")
    known = set(found) | later
    unknown = [(s, r) for s, r in keys if (s, r) not in known]
    missing = list(dict.fromkeys(f"{s}:{r if r == r.strip() else repr(r)}" for s, r in unknown))
    if missing:
        spaced = (
            any(r != r.strip() for _, r in unknown) * " (record ids are matched exactly, spaces included)"
        )
        raise NotFoundError(
            f"Record {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in this linkage{spaced}"
        )
    return ["|".join(k) for k in keys]


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
    `live`), with both keys as stored."""
    a, b, found = _keys_and_pair(linkage_dir, left, right, live)
    if found is None:
        raise NotFoundError(_never_scored(linkage_dir, a, b))
    return a, b, found


def judgeable_pair(
    linkage_dir: Path, left: str, right: str, live: LiveLinks | None = None
) -> tuple[str, str]:
    """Both records as stored keys, when a judgement may be recorded on them: a scored pair, or one judged
    before whose pair no longer scores (its records' values changed). Such a judgement still decides the
    pair, so it must stay revocable."""
    a, b, found = _keys_and_pair(linkage_dir, left, right, live)
    if found is None and judgement_on(linkage_dir, a, b) is None:
        raise NotFoundError(_never_scored(linkage_dir, a, b))
    return a, b


def _keys_and_pair(
    linkage_dir: Path, left: str, right: str, live: LiveLinks | None
) -> tuple[str, str, dict[str, Any] | None]:
    """Both keys as stored and their pair's row, if scored. One connection serves the keys and the pair:
    opening a DuckDB connection costs tens of milliseconds, more than these lookups on a linkage of
    thousands."""
    con = duckdb.connect()
    try:
        a, b = linked_record_keys(con, linkage_dir, left, right, live)
        return a, b, _stored_pair(con, linkage_dir, a, b, live)
    finally:
        con.close()


def _never_scored(linkage_dir: Path, a: str, b: str) -> str:
    """Why there is no pair to show; a judgement that decides the pair all the same is named."""
    said = (
        f"{typed_record_key(a)} and {typed_record_key(b)} are both in this linkage but were never compared (no "
        "blocking rule put them together) or scored below the floor, so there is no evidence linking them"
    )
    judged = judgement_on(linkage_dir, a, b)
    if judged is None:
        return said
    return (
        f"{said}; {judged.judged_by} judged them {judged.verdict} on {judged.judged_at:%Y-%m-%d}, and runs "
        "honour that judgement whatever the evidence: `ilos link judge` may change it"
    )


def _stored_pair(
    con: duckdb.DuckDBPyConnection, linkage_dir: Path, a: str, b: str, live: LiveLinks | None
) -> dict[str, Any] | None:
    """The row of a scored pair of two stored keys: links.parquet's, else the worker's (`live`)."""
    found = _pair_row(con, "read_parquet(?)", [literal_path(linkage_dir / linkage.LINKS_FILE)], a, b)
    if found is None and live is not None:
        con.register("ilos_live_links", live.links)
        found = _pair_row(con, "ilos_live_links", [], a, b)
    return found


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
