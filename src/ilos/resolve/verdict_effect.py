"""What a reviewer's "match" or "no match" did to a pair, in words: refused by a constraint, or recorded since
the linkage's files were written and waiting for a run (docs/linking.md, "Reviewing pairs")."""

from __future__ import annotations

_MATCH_GIVES_WAY = (
    'a "match" gives way to reviewers\' "no match" judgements, on these two records or on others of their '
    'subjects, and to the one-record-per-entity rule; docs/linking.md, "Clustering that does not over-merge"'
)
UNSURE = "held out of the review queue; each run decides the pair as if nobody had judged it"


def not_honoured(verdict: str) -> str:
    """A settled verdict the linkage's files reflect but its subjects contradict: a "match" a constraint
    refused, or a "no match" on records still in one subject."""
    if verdict == "match":
        return f"not honoured: the two records are in two subjects ({_MATCH_GIVES_WAY})"
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
            f"{since}: the next `ilos link` or `ilos link add` joins their subjects (a running worker, at once) "
            f"unless a constraint forbids it ({_MATCH_GIVES_WAY})"
        )
    if verdict == "no_match" and same_subject:
        return f"{since}: the next `ilos link` run separates them; until then the identity gate holds the subject"
    if verdict == "match":
        return f"{since}; the two records are in one subject already"
    return (
        f"{since}; the two records are in two subjects already, and every later run, `ilos link add` and the "
        "worker keep them apart"
    )
