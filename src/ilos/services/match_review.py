"""The match review queue for the pages and the API: the most uncertain unjudged pair with both records' standardized
values (as the purpose's markings allow) and each comparison's match weight, and one-key judgements
recorded through `linking.judge_pair` with who and when. Every read and judgement is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from ilos.duckdb_paths import literal_path
from ilos.errors import FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from ilos.resolve.explain import parse_record_key
from ilos.resolve.judgements import Judgement, read_judgements
from ilos.resolve.records import split_record_key
from ilos.services import linking
from ilos.services.access import Caller, Role
from ilos.services.audit_log import Action, record_alone, require_role
from ilos.services.journal_links import journaled_records
from ilos.services.linkage_config import load_linkage_config
from ilos.services.policy_in_force import current_policy, policy_role
from ilos.services.published_view import SourceRule
from ilos.services.store_access import Store
from ilos.services.subject_record import Comparison, link_comparisons, linkage_dir, read_level_labels

REVIEWERS = frozenset({Role.data_steward, Role.supervisor})
VERDICT_KEYS = {"m": "match", "n": "no_match", "u": "unsure"}
RECENT = 10
SHOWN_FIELDS = (
    "full_name", "given_name", "middle_name", "family_name", "date_of_birth", "sex", "nationality",
    "country_of_birth", "a_number", "fbi_number", "passport_number", "state_id", "ssn", "phone",
    "street", "city", "state", "postal_code",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecordSide:
    key: str  # source|record_id
    source: str
    record_id: str
    markings: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # (field, standardized value), non-empty values only
    withheld: str  # why the values are withheld for this purpose ("" when shown)


@dataclass(frozen=True, slots=True)
class ReviewPair:
    left: RecordSide
    right: RecordSide
    probability: float
    weight: float
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True, slots=True)
class RecentJudgement:
    left: str
    right: str
    verdict: str
    judged_by: str
    judged_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewPage:
    pair: ReviewPair | None
    waiting: int
    recent: tuple[RecentJudgement, ...]
    withheld: int = 0
    """Pairs waiting with a record of a source the purpose may not see: counted, neither shown nor named."""
    withheld_sources: tuple[tuple[str, str], ...] = ()
    """(source, why) for each source the purpose may not see."""


def review_page(store: Store, caller: Caller) -> ReviewPage:
    """The most uncertain pair not yet judged that the caller's purpose may see, how many wait, and the latest
    judgements; audited. A pair with a record of a source the purpose may not use (tax data for case
    investigation) is left to a purpose that may: without its values it cannot be judged, and that such a
    record exists is itself protected."""
    require_role(store, caller, REVIEWERS, Action("review.read", "record_pair"))
    directory = linkage_dir(store.settings.home)
    uses = _source_uses(store, caller, directory)
    refused = _refused_sources(uses)
    judged = read_judgements(directory)
    queue = linking.review_queue(directory, 1, withheld_sources=refused, judged=judged)
    first = queue.pairs.to_pylist()
    pair = _pair(directory, first[0], uses) if first else None
    ids = (pair.left.key, pair.right.key) if pair else ()
    record_alone(store, caller, Action("review.read", "record_pair", ids, result_count=queue.waiting))
    recent = tuple(j for j in _recent(judged) if not {_source(j.left), _source(j.right)} & refused.keys())
    return ReviewPage(pair, queue.waiting, recent, queue.withheld, tuple(refused.items()))


@dataclass(frozen=True, slots=True)
class _SourceUse:
    markings: tuple[str, ...]
    refused: str  # why the caller's purpose may not use the source's records; "" when it may


def _source_uses(store: Store, caller: Caller, directory: Path) -> dict[str, _SourceUse]:
    """Each people source of the linkage: its markings under the policy in force, and whether the caller's
    purpose may use them."""
    policy = current_policy(store.settings.home)
    rule = SourceRule(policy, policy_role(policy, caller), caller.purpose.value)  # the summary's own rule
    return {
        spec.name: _SourceUse(
            policy.markings_of(spec.name, spec.markings), rule.refusal(spec.name, list(spec.markings))
        )
        for spec in load_linkage_config(directory).people_sources
    }


def _refused_sources(uses: dict[str, _SourceUse]) -> dict[str, str]:
    return {name: use.refused for name, use in uses.items() if use.refused}


def _source(key: str) -> str:
    return (split_record_key(key) or (key, ""))[0]


def _typed_source(key: str) -> str:
    """The source a typed key names as `linking.judge_pair` will find it (spaces around it and its case do
    not matter there), so the purpose's refusal is asked of that source before anything is looked up: a
    refusal decided on the spelling let `TAX_ADDRESSES|…` through, and the lookup's answer told which tax
    records exist."""
    return parse_record_key(key)[0].lower()


def judge(store: Store, caller: Caller, left: str, right: str, verdict: str) -> RecentJudgement:
    """Record the caller's verdict on a pair (match, no_match or unsure; m, n, u accepted); audited, and so
    is a refusal: a malformed, unknown or unscored pair too, or probing for records would leave no trace."""
    audit = Action("review.judge", "record_pair", (left, right))
    require_role(store, caller, REVIEWERS, audit)
    try:
        made = _judged(store, caller, audit, left, right, verdict)
    except (NotFoundError, InvalidInputError) as error:
        record_alone(store, caller, replace(audit, outcome=error.code, detail=error.message))
        raise
    record_alone(
        store, caller, Action("review.judge", "record_pair", (made.left, made.right), detail=made.verdict)
    )
    return RecentJudgement(made.left, made.right, made.verdict, made.judged_by, made.judged_at)


def _judged(store: Store, caller: Caller, audit: Action, left: str, right: str, verdict: str) -> Judgement:
    """The judgement recorded, once the verdict is known and the purpose may use both records' sources (the
    refusal audited here)."""
    verdict = VERDICT_KEYS.get(verdict, verdict)
    if verdict not in VERDICT_KEYS.values():
        message = f"Verdict {verdict!r} is not one of match, no_match, unsure"
        raise InvalidInputError(message, [FieldProblem("verdict", message)])
    directory = linkage_dir(store.settings.home)
    refused = _refused_sources(_source_uses(store, caller, directory))
    if {_typed_source(left), _typed_source(right)} & refused.keys():
        why = "the pair holds a record your purpose may not use; a reviewer whose purpose may see it must judge it"
        record_alone(store, caller, replace(audit, outcome="denied", detail=why))
        raise PermissionDeniedError(f"This pair cannot be judged here: {why}")
    return linking.judge_pair(directory, left, right, verdict, caller.actor)


def _recent(judged: Sequence[Judgement]) -> tuple[RecentJudgement, ...]:
    latest = sorted(judged, key=lambda j: j.judged_at, reverse=True)[:RECENT]
    return tuple(RecentJudgement(j.left, j.right, j.verdict, j.judged_by, j.judged_at) for j in latest)


def _pair(directory: Path, row: dict[str, Any], uses: dict[str, _SourceUse]) -> ReviewPair:
    """The queued pair as the queue stores it (the link's own row): its keys need no checking against the
    linkage, nor its weights another read of the links."""
    left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
    values = _record_values(directory, (left, right))

    def side(key: str) -> RecordSide:
        source, record_id = key.split("|", 1)
        use = uses.get(source, _SourceUse((), "the linkage's config does not know this source"))
        shown = values.get(key, ()) if not use.refused else ()
        return RecordSide(key, source, record_id, use.markings, shown, use.refused)

    return ReviewPair(
        side(left),
        side(right),
        float(row["match_probability"]),
        float(row["match_weight"]),
        link_comparisons(row, read_level_labels(directory)),
    )


def _record_values(directory: Path, keys: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each record's standardized values: from records.parquet, or for a record the worker linked, its
    journaled raw values standardized as the worker standardized them to link them."""
    con = duckdb.connect()
    try:
        result = con.execute(
            "SELECT * FROM read_parquet(?) WHERE list_contains(?, source || '|' || record_id)",
            [literal_path(directory / "records.parquet"), list(keys)],
        )
        columns = [d[0] for d in result.description]
        rows = [dict(zip(columns, r, strict=True)) for r in result.fetchall()]
    finally:
        con.close()
    out = {f"{r['source']}|{r['record_id']}": _shown(r) for r in rows}
    missing = [k for k in keys if k not in out]
    if missing:  # linked by the worker
        out.update({k: _shown(r) for k, r in journaled_records(directory, missing).items()})
    return out


def _shown(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((f, _text(record.get(f))) for f in SHOWN_FIELDS if record.get(f) not in (None, ""))


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
