"""What a reviewer's "match" or "no match" did to a pair, in words: refused by a constraint, or recorded since
the linkage's files were written and waiting for a run (docs/linking.md, "Reviewing pairs")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ilos.resolve.records import typed_record_key

_MATCH_GIVES_WAY = (
    'a "match" gives way to reviewers\' "no match" judgements, to household conflicts (but on the judged pair '
    "itself) and to the one-record-per-entity rule between the records it would join: a run joins the two and "
    'the records other "match" judgements join to them, the worker (and `ilos link add` for a record it links) '
    'their whole subjects; docs/linking.md, "Clustering that does not over-merge"'
)
UNSURE = "held out of the review queue; each run decides the pair as if nobody had judged it"


def not_honoured(verdict: str, refused: RefusedMatch | None = None) -> str:
    """A settled verdict the linkage's files reflect but its subjects contradict: a "match" a constraint
    refused (why, when the run recorded it: `refused`), or a "no match" on records still in one subject."""
    if verdict == "match":
        why = refused.reason() if refused is not None else _MATCH_GIVES_WAY
        return f"not honoured: the two records are in two subjects ({why})"
    return (
        "not honoured yet: the two records are in one subject; the next `ilos link` run separates them, and "
        "until then the identity gate holds the subject"
    )


def waiting_for_record(record: str) -> str:
    """A "match" naming a record the linkage no longer holds: it decides nothing until the record returns."""
    return (
        f"not applied: {record} is in no subject of this linkage (its source's file no longer holds it); the "
        "judgement is kept and joins the two if a later run or `ilos link add` brings it back"
    )


def since_run(verdict: str, same_subject: bool) -> str:
    """A verdict the linkage's files do not reflect yet (recorded after they were written), and when it takes
    effect; `same_subject`: where the files put the two records."""
    since = "since the linkage's files were written"
    if verdict == "unsure":
        return f"{since}: {UNSURE}"
    if verdict == "match" and not same_subject:
        return (
            f"{since}: the next `ilos link` or `ilos link add` joins the two records (a running worker, their "
            f"subjects at once) unless a constraint forbids it ({_MATCH_GIVES_WAY})"
        )
    if verdict == "no_match" and same_subject:
        return f"{since}: the next `ilos link` run separates them; until then the identity gate holds the subject"
    if verdict == "match":
        return f"{since}; the two records are in one subject already"
    return (
        f"{since}; the two records are in two subjects already, and every later run, `ilos link add` and the "
        "worker keep them apart"
    )


@dataclass(frozen=True, slots=True)
class RefusedMatch:
    """A reviewer's "match" that a linking constraint refused (`clustering.Refusal`): its two records stay in
    two subjects. `whole_subjects`: refused joining the records' whole subjects (`ilos link add` linking a
    record a judgement waited for), where a run joins the two records first and may move the others."""

    left: str
    right: str
    refusal: str
    whole_subjects: bool = False

    def reason(self) -> str:
        """Why, in words: a forced merge is refused only by a cannot-link or by one record per entity."""
        said = _REFUSED_BECAUSE.get((self.refusal, self.whole_subjects), self.refusal.replace("_", " "))
        return f"{said}{_WHOLE_SUBJECTS}" if self.whole_subjects else said


_REFUSED_BECAUSE = {
    ("cannot_link", False): (
        'a "no match" or a household conflict lies between them, counting the records other "match" '
        "judgements join to each"
    ),
    ("one_record_per_entity", False): (
        "it would put two records of a source with one record per entity in one subject, counting the records "
        'other "match" judgements join to each'
    ),
    ("cannot_link", True): 'a "no match" or a household conflict lies between their two subjects\' records',
    ("one_record_per_entity", True): (
        "their two subjects each hold a record of a source with one record per entity"
    ),
}
_WHOLE_SUBJECTS = (
    ", and `ilos link add` joins whole subjects, where the next `ilos link` joins the two records first and may "
    "move the others"
)
_NAMED = 3
"""How many refused judgements a warning names (a run's linkage.json and report.md list every one)."""


def refused_matches_warning(refused: Sequence[RefusedMatch]) -> list[str]:
    """The warning `ilos link` and `ilos link add` give for the "match" judgements they could not honour,
    naming the first few and why: a verdict a person gave is never dropped silently."""
    if not refused:
        return []
    named = "; ".join(
        f"{typed_record_key(r.left)} and {typed_record_key(r.right)}: {r.reason()}" for r in refused[:_NAMED]
    )
    more = f"; and {len(refused) - _NAMED:,} more" if len(refused) > _NAMED else ""
    return [
        f'{len(refused):,} "match" judgement(s) could not be honoured, so their records stay in two subjects '
        f"({named}{more}); `ilos link explain` shows each pair"
    ]
