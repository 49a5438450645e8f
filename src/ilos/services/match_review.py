"""The match review queue for the pages and the API: the most uncertain unjudged pair with both records' standardized
values (as the purpose's markings allow) and each comparison's match weight, and one-key judgements
recorded through `linking.judge_pair` with who and when. Every read and judgement is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from ilos.definitions.sources import load_sources_config
from ilos.errors import FieldProblem, InvalidInputError
from ilos.policy.access import marking_decision
from ilos.resolve.judgements import read_judgements
from ilos.services import linking
from ilos.services.access import Caller, Role
from ilos.services.audit_log import Action, record_alone, require_role
from ilos.services.policy_in_force import current_policy, policy_role
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir

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
class Weight:
    name: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class ReviewPair:
    left: RecordSide
    right: RecordSide
    probability: float
    weight: float
    comparisons: tuple[Weight, ...]


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


def review_page(store: Store, caller: Caller) -> ReviewPage:
    """The most uncertain pair not yet judged, how many wait, and the latest judgements; audited."""
    require_role(store, caller, REVIEWERS, Action("review.read", "record_pair"))
    directory = linkage_dir(store.settings.home)
    queue = linking.review_queue(directory, 1)
    first = queue.pairs.to_pylist()
    pair = _pair(store, caller, directory, first[0]) if first else None
    ids = (pair.left.key, pair.right.key) if pair else ()
    record_alone(store, caller, Action("review.read", "record_pair", ids, result_count=queue.waiting))
    return ReviewPage(pair, queue.waiting, _recent(directory))


def judge(store: Store, caller: Caller, left: str, right: str, verdict: str) -> RecentJudgement:
    """Record the caller's verdict on a pair (match, no_match or unsure; m, n, u accepted); audited."""
    audit = Action("review.judge", "record_pair", (left, right))
    require_role(store, caller, REVIEWERS, audit)
    verdict = VERDICT_KEYS.get(verdict, verdict)
    if verdict not in VERDICT_KEYS.values():
        message = f"Verdict {verdict!r} is not one of match, no_match, unsure"
        raise InvalidInputError(message, [FieldProblem("verdict", message)])
    made = linking.judge_pair(linkage_dir(store.settings.home), left, right, verdict, caller.actor)
    record_alone(
        store, caller, Action("review.judge", "record_pair", (made.left, made.right), detail=made.verdict)
    )
    return RecentJudgement(made.left, made.right, made.verdict, made.judged_by, made.judged_at)


def _recent(directory: Path) -> tuple[RecentJudgement, ...]:
    latest = sorted(read_judgements(directory), key=lambda j: j.judged_at, reverse=True)[:RECENT]
    return tuple(RecentJudgement(j.left, j.right, j.verdict, j.judged_by, j.judged_at) for j in latest)


def _pair(store: Store, caller: Caller, directory: Path, row: dict[str, object]) -> ReviewPair:
    left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
    explained = linking.explain_link(directory, left, right, term_frequencies=False)
    values = _record_values(directory, (left, right))
    policy = current_policy(store.settings.home)
    role = policy_role(policy, caller)
    config = load_sources_config(directory / linking.CONFIG_COPY)

    def side(key: str) -> RecordSide:
        source, record_id = key.split("|", 1)
        markings = policy.markings_of(source, config.source(source).markings)
        decisions = [marking_decision(policy, role, caller.purpose.value, m) for m in markings]
        refused = [why for decision, why in decisions if decision != "allow"]
        shown = values.get(key, ()) if not refused else ()
        return RecordSide(key, source, record_id, tuple(markings), shown, "; ".join(refused))

    return ReviewPair(
        side(left),
        side(right),
        explained.match_probability,
        explained.match_weight,
        tuple(Weight(c.comparison, c.level, c.match_weight) for c in explained.comparisons),
    )


def _record_values(directory: Path, keys: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    con = duckdb.connect()
    try:
        result = con.execute(
            "SELECT * FROM read_parquet(?) WHERE list_contains(?, source || '|' || record_id)",
            [str(directory / "records.parquet"), list(keys)],
        )
        columns = [d[0] for d in result.description]
        rows = [dict(zip(columns, r, strict=True)) for r in result.fetchall()]
    finally:
        con.close()
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for r in rows:
        shown = [(f, _text(r.get(f))) for f in SHOWN_FIELDS if r.get(f) not in (None, "")]
        out[f"{r['source']}|{r['record_id']}"] = tuple(shown)
    return out


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
