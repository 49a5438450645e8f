"""An explanation says what a reviewer's verdict did: a "match" a constraint refused is not what joins a
record, nor what decided its pair; a verdict recorded since the linkage's files were written is not applied
yet, so its pair is no longer waiting for one. Suggested commands and the review table quote record ids as a
shell needs, so what is printed pastes back."""

from __future__ import annotations

import shlex
import shutil
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.definitions.sources import load_sources_config
from ilos.errors import NotFoundError
from ilos.resolve import linkage
from ilos.resolve.explain import JudgedApart, PairExplanation
from ilos.resolve.judgements import Judgement, Verdict, judgement_on
from ilos.resolve.records import typed_record_key
from ilos.resolve.threshold import ThresholdChoice
from ilos.services.linking import LinkRun, add_records, explain_link, explain_record, judge_pair, link_config

Row = dict[str, str | None]


def _pair(decision: str, same_subject: bool, verdict: Verdict, since_run: bool) -> PairExplanation:
    choice = ThresholdChoice(0.7, 0.997, 0.9, 0.95, 0.2, 0.95)
    judged = Judgement("a|1", "b|2", verdict, "ana", datetime(2026, 12, 1, tzinfo=UTC))
    since = {"judged_since_run": True} if since_run else {}
    return PairExplanation(
        "a|1", "b|2", 0.9, 3.0, 0.0, decision, same_subject, (), judged, 0.0, choice, **since
    )


@pytest.mark.parametrize(
    ("decision", "same_subject", "verdict", "since_run", "meaning"),
    [
        ("judged", True, "match", False, "decided by a person's verdict: in one subject"),
        ("judged", False, "no_match", False, "decided by a person's verdict: in two subjects"),
        (
            "judged",
            False,
            "match",
            False,
            'judged match, but not honoured: the two records are in two subjects (a "match" gives way to '
            'reviewers\' "no match" judgements, to household conflicts (but on the judged pair itself) and to '
            "the one-record-per-entity rule",
        ),
        # a "match" an `ilos link add` honoured: the pair keeps the decision the run stored
        ("review", True, "match", False, "decided by a person's verdict: in one subject"),
        (
            "judged",
            True,
            "no_match",
            False,
            "judged no_match, but not honoured yet: the two records are in one",
        ),
        (
            "review",
            False,
            "unsure",
            False,
            "in the review band (0.2000 to 0.9500); judged unsure: held out of",
        ),
        (
            "review",
            False,
            "no_match",
            True,
            "in the review band (0.2000 to 0.9500); judged no_match since the linkage's files were written; "
            "the two records are in two subjects already",
        ),
        (
            "match",
            True,
            "no_match",
            True,
            "in one subject; judged no_match since the linkage's files were written: the next `ilos link` run "
            "separates them",
        ),
    ],
)
def test_a_verdict_is_said_as_honoured_refused_or_not_applied_yet(
    decision: str, same_subject: bool, verdict: Verdict, since_run: bool, meaning: str
) -> None:
    said = _pair(decision, same_subject, verdict, since_run).decision_meaning()
    assert said.startswith(meaning), said
    assert "waiting for a person's verdict" not in said


def test_a_review_pair_judged_since_the_run_is_not_said_to_wait_for_a_verdict(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    queued = pq.read_table(out / linkage.REVIEW_FILE).to_pylist()[0]
    a, b = typed_record_key(queued["unique_id_l"]), typed_record_key(queued["unique_id_r"])
    judge_pair(out, a, b, "no_match", "ana")
    shown = CliRunner().invoke(app, ["link", "explain", str(out), a, b], terminal_width=400)
    assert shown.exit_code == 0, shown.output
    assert "decision review" in shown.output
    assert "waiting for a person's verdict" not in shown.output
    assert "judged no_match since the linkage's files were written" in shown.output


def _strong_triangle(out: Path) -> list[str]:
    """Three records alone in one subject, each pair of them scored above 0.99: judged "match", "match" and
    "no match", one of the matches must give way."""
    subject_of = {
        f"{r['source']}|{r['record_id']}": r["subject_id"]
        for r in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    }
    links = pq.read_table(
        out / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r", "match_probability"]
    )
    strong = {
        frozenset((p["unique_id_l"], p["unique_id_r"]))
        for p in links.to_pylist()
        if p["match_probability"] > 0.99
    }
    members: dict[str, list[str]] = {}
    for key, subject in sorted(subject_of.items()):
        members.setdefault(subject, []).append(key)
    return next(
        keys
        for keys in members.values()
        if len(keys) == 3 and all(frozenset(p) in strong for p in combinations(keys, 2))
    )


def test_a_refused_match_is_shown_as_refused_not_as_what_joins_the_record(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    a, b, c = (typed_record_key(k) for k in _strong_triangle(out))
    judge_pair(out, a, b, "match", "ana")
    judge_pair(out, b, c, "match", "ana")
    judge_pair(out, a, c, "no_match", "bo")
    link_config(small_world / "sources.yaml", out)  # the run honours the "no match" and one "match" only

    refused = next((x, y) for x, y in ((a, b), (b, c)) if not explain_link(out, x, y).same_subject)
    pair = explain_link(out, *refused)
    assert pair.decision == "judged"
    assert pair.decision_meaning().startswith(
        "judged match, but not honoured: the two records are in two subjects"
    )
    for record, other in (refused, refused[::-1]):
        explained = explain_record(out, record)
        assert [j for j in explained.judged if other.replace(":", "|", 1) in (j.left, j.right)] == []
        [apart] = explained.judged_apart
        assert (typed_record_key(apart.other), apart.since_run) == (other, False)
        assert apart.other_subject == explain_record(out, other).subject_id != explained.subject_id
    lone = next(r for r in refused if explain_record(out, r).others == 0)
    shown = CliRunner().invoke(app, ["link", "explain", str(out), lone], terminal_width=400).output
    other = refused[1] if lone == refused[0] else refused[0]
    assert f"judged match with {other} (subject " in shown
    assert "not honoured: the two records are in two subjects" in shown


def test_printed_record_ids_paste_back_into_a_shell(
    small_world: Path, small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """A record id with spaces (" BAND 1": leading and inner) in the suggested `explain` command and in the
    review table: each, split as a shell splits it, names the record again."""
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    record_id = load_sources_config(small_world / "sources.yaml").source("court_cases").record_id
    row = {**band["apart"], record_id: " BAND 1"}
    pq.write_table(pa.Table.from_pylist([row]), tmp_path / "new.parquet")
    add_records(out, "court_cases", tmp_path / "new.parquet")
    record = "court_cases: BAND 1"
    runner = CliRunner()

    shown = runner.invoke(app, ["link", "explain", str(out), record], terminal_width=1000)
    assert shown.exit_code == 0, shown.output
    command = shown.output.rsplit("`", 2)[1]
    words = shlex.split(command)
    assert words[:3] == ["ilos", "link", "explain"] and words[4] == record
    assert runner.invoke(app, words[1:]).exit_code == 0

    queue = runner.invoke(app, ["link", "review", str(out), "--limit", "1000"]).output
    line = next(line for line in queue.splitlines() if "BAND 1" in line)
    left, right = shlex.split(line)[:2]
    judged = runner.invoke(app, ["link", "judge", str(out), left, right, "unsure"])
    assert judged.exit_code == 0, judged.output
    keys = [k.replace(":", "|", 1) for k in (left, right)]
    assert "court_cases| BAND 1" in keys
    assert judgement_on(out, *keys) is not None


def test_a_judgement_on_a_pair_no_longer_scored_can_be_changed_and_is_named(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """A "match" decides its pair whatever the evidence, so when the records' values change and the pair no
    longer scores (here: its row taken out of links.parquet), the judgement must stay revocable, and the
    explanation of the missing pair names it."""
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    links = pq.read_table(out / linkage.LINKS_FILE)
    first = links.slice(0, 1).to_pylist()[0]
    a, b = typed_record_key(first["unique_id_l"]), typed_record_key(first["unique_id_r"])
    judge_pair(out, a, b, "match", "ana")
    rest = [i for i, (x, y) in enumerate(zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True))
            if {x, y} != {first["unique_id_l"], first["unique_id_r"]}]  # fmt: skip
    pq.write_table(links.take(rest), out / linkage.LINKS_FILE)

    with pytest.raises(NotFoundError, match=r"never compared .*; ana judged them match on \d{4}-\d\d-\d\d"):
        explain_link(out, a, b)
    made = judge_pair(out, b, a, "no_match", "bo")
    assert judgement_on(out, first["unique_id_l"], first["unique_id_r"]) == made
    assert made.verdict == "no_match"
    unjudged = links.slice(1, 1).to_pylist()[0]
    pq.write_table(links.take([i for i in rest if i != 1]), out / linkage.LINKS_FILE)
    with pytest.raises(NotFoundError, match="never compared"):  # nobody judged it: nothing to change
        judge_pair(out, unjudged["unique_id_l"], unjudged["unique_id_r"], "no_match", "bo")


def test_a_match_naming_a_record_the_linkage_no_longer_holds_says_it_waits_for_it() -> None:
    judged = Judgement("crm|1", "crm|2", "match", "ana", datetime(2026, 12, 1, tzinfo=UTC))
    meaning = JudgedApart(judged, "crm|2", None, since_run=False).meaning()
    assert meaning.startswith("not applied: crm:2 is in no subject of this linkage")
    assert "two subjects" not in meaning
