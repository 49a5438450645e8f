"""`ilos link`: generic record linkage from a YAML config, and its explanation, evaluation and review."""

from __future__ import annotations

import csv
import enum
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.default_group import DefaultCommandGroup
from ilos.cli.errors import reports_errors, stderr
from ilos.cli.progress import spinner
from ilos.config import load_settings
from ilos.errors import InvalidInputError
from ilos.resolve.explain import PairExplanation, RecordExplanation
from ilos.resolve.records import typed_record_key
from ilos.services import linking
from ilos.services.linking import TrainingOptions
from ilos.services.operator_reads import operator_reads

app = typer.Typer(
    cls=DefaultCommandGroup,
    help="Link records of any CSV/Parquet sources into subjects: `ilos link CONFIG.yaml --out DIR`.",
    no_args_is_help=True,
)
console = Console(markup=False, emoji=False)  # what it prints holds record ids and names as written


@app.command("run", help="Link the sources of CONFIG (also the default: `ilos link CONFIG --out DIR`).")
@reports_errors
def run(
    config: Path = typer.Argument(..., help="Sources config YAML (see docs/linking.md)."),
    out: Path = typer.Option(..., "--out", help="Directory for clusters, links, model and report."),
    seed: int = typer.Option(42, help="Seed for the random sampling of u probabilities."),
) -> None:
    with spinner("linking") as step:
        result = linking.link_config(config, out, TrainingOptions(seed=seed), step)
    s = result.summary
    console.print(
        f"linked {s.records:,} records into {s.subjects:,} subjects; threshold {s.threshold.threshold:.4f}; "
        f"{s.review_pairs:,} pairs for review; output in {out}"
    )
    if result.journaled_records:
        console.print(
            f"{result.journaled_records:,} of the records are the change worker's, from its journal in {out}"
        )
    _warn(result.warnings)


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        stderr.print(f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True)


@app.command(
    "explain",
    help="Why two records were or were not linked: the prior, each comparison's level and weight, and the "
    "term-frequency adjustments, adding up to the total. With one record: why it is in its subject (its "
    "strongest link to another record of it, explained) and its strongest pair outside it. Audited "
    "(record.explain, by local:<os-user>) in the operational store when there is one (docs/audit.md).",
)
@reports_errors
def explain(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    record_a: str = typer.Argument(..., help="First record as source:record_id."),
    record_b: str | None = typer.Argument(None, help="Second record as source:record_id."),
) -> None:
    with operator_reads(load_settings(), linkage_dir) as reads:  # audited where there is a store
        if record_b is None:
            _print_record(reads.explain_record(record_a), linkage_dir)
        else:
            _print_pair(reads.explain_link(record_a, record_b))


def _print_pair(e: PairExplanation) -> None:
    # Plain lines, not a table title: a title is centred and cut to the table's width.
    print(
        f"{typed_record_key(e.left)} vs {typed_record_key(e.right)}: probability {e.match_probability:.4f}, decision {e.decision}"
    )
    print(f"  {e.decision_meaning()}")
    if e.judgement is not None:
        j = e.judgement
        print(f"judged {j.verdict} by {j.judged_by} at {j.judged_at:%Y-%m-%d %H:%M}Z")
    table = Table()
    for column in ("comparison", "level"):
        table.add_column(column, no_wrap=True, overflow="fold")
    table.add_column("match weight", justify="right", no_wrap=True)
    lines, total = e.lines_in_hundredths()
    for line, hundredths in lines:
        table.add_row(line.label, line.detail, _signed(hundredths))
    table.add_row("total", "", _signed(total))
    console.print(table)


def _print_record(e: RecordExplanation, linkage_dir: Path) -> None:
    record = typed_record_key(e.record)
    if not e.others:
        print(
            f"{record} is alone in subject {e.subject_id}: no scored pair or judgement joins it to another record"
        )
    else:
        print(f"{record} is in subject {e.subject_id} with {e.others:,} other record(s)")
    if e.inside is not None:
        print("its strongest link inside the subject:")
        _print_pair(e.inside)
    elif e.others:
        print("no scored pair joins it to them; a reviewer's judgement does:")
    for j in e.judged:
        other = j.right if j.left == e.record else j.left
        print(
            f"judged match with {typed_record_key(other)} by {j.judged_by} at {j.judged_at:%Y-%m-%d %H:%M}Z"
        )
    for apart in e.judged_apart:
        j = apart.judgement
        print(
            f"judged match with {typed_record_key(apart.other)} (subject {apart.other_subject or 'none'}) by "
            f"{j.judged_by} at {j.judged_at:%Y-%m-%d %H:%M}Z, {apart.meaning()}"
        )
    if e.outside is None:
        print("it has no scored pair with a record of another subject")
        return
    o = e.outside
    print(
        f"its strongest pair outside the subject: {typed_record_key(o.other)} (subject {o.other_subject or 'none'}), "
        f"probability {o.match_probability:.4f}, decision {o.decision}; "
        f"`{_shell_words('ilos', 'link', 'explain', str(linkage_dir), record, typed_record_key(o.other))}` explains it"
    )


def _shell_words(*words: str) -> str:
    """A command as it can be pasted back into a shell: a record id with spaces or quotes is quoted."""
    return " ".join(shlex.quote(word) for word in words)


def _signed(hundredths: int) -> str:
    """A weight in hundredths as +1.25 / -0.50 (never -0.00)."""
    sign = "-" if hundredths < 0 else "+"
    return f"{sign}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"


@app.command("evaluate", help="Pairwise and B-cubed precision/recall/F1 and household false merges.")
@reports_errors
def evaluate(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    truth: Path = typer.Option(
        ..., "--truth", help="CSV or Parquet (by extension) with columns source, record_id, person_id."
    ),
) -> None:
    s = linking.evaluate_linkage(linkage_dir, truth)
    table = Table(title=f"{s.records:,} records scored")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name in (
        "pairwise_precision",
        "pairwise_recall",
        "pairwise_f1",
        "bcubed_precision",
        "bcubed_recall",
        "bcubed_f1",
        "household_false_merge_rate",
    ):
        table.add_row(name, f"{getattr(s, name):.4f}")
    console.print(table)
    if s.linkage_records_without_truth or s.truth_records_not_in_linkage:
        console.print(
            f"warning: partial truth, only the {s.records:,} records in both were scored: "
            f"{s.linkage_records_without_truth:,} linkage records have no truth row and "
            f"{s.truth_records_not_in_linkage:,} truth rows are not in the linkage",
            style="bold yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


class ReviewFormat(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command(
    "review",
    help="The review queue: uncertain pairs not yet judged, the most uncertain first. Audited (review.read, "
    "naming the records shown) in the operational store when there is one.",
)
@reports_errors
def review(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    limit: int = typer.Option(20, min=1, max=linking.REVIEW_LIMIT_MAX, help="How many pairs to show."),
    output: ReviewFormat = typer.Option(
        ReviewFormat.table, "--format", help="table (for reading), csv or json (for programs; to stdout)."
    ),
    unsure: bool = typer.Option(
        False, "--unsure", help='Show the pairs judged "unsure" (held out of the queue, not decided) instead.'
    ),
) -> None:
    with operator_reads(load_settings(), linkage_dir) as reads:  # audited where there is a store
        queue = reads.review_queue(limit, unsure)
    rows = [
        {
            "record_a": typed_record_key(r["unique_id_l"]),
            "record_b": typed_record_key(r["unique_id_r"]),
            "probability": r["match_probability"],
            "same_subject": r["same_subject"],
        }
        for r in queue.pairs.to_pylist()
    ]
    if output is ReviewFormat.json:
        print(json.dumps({"waiting": queue.waiting, "judged_unsure": queue.unsure, "pairs": rows}, indent=2))
    elif output is ReviewFormat.csv:
        writer = csv.DictWriter(
            sys.stdout, fieldnames=["record_a", "record_b", "probability", "same_subject"]
        )
        writer.writeheader()
        writer.writerows({**r, "same_subject": str(r["same_subject"]).lower()} for r in rows)
    else:
        _print_review_table(queue.waiting, queue.unsure, rows, unsure)


def _print_review_table(waiting: int, judged_unsure: int, rows: list[dict[str, Any]], unsure: bool) -> None:
    """Plain aligned lines: ids are never cut or folded, at any width or through a pipe, and are quoted as a
    shell needs (an id with spaces), so each can be copied into `ilos link judge`."""
    what = 'pairs judged "unsure"' if unsure else "pairs to review"
    count = judged_unsure if unsure else waiting
    print(f"{count} {what}, the most uncertain first; the first {len(rows)}")
    if not unsure:
        print(f'{judged_unsure} pairs judged "unsure" are held out of the queue (list them with --unsure)')
    header = ["record a", "record b", "probability", "same subject"]
    cells = [
        [
            _shell_words(r["record_a"]),
            _shell_words(r["record_b"]),
            f"{r['probability']:.4f}",
            "yes" if r["same_subject"] else "no",
        ]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


@app.command(
    "judge",
    help="Record a judgement on a pair: match, no_match (also written no-match) or unsure; stored as "
    'match, no_match or unsure. "unsure" holds the pair out of the review queue but decides nothing. '
    "The judgement is the local operator's, local:<os-user>, and is audited (review.judge) in the "
    "operational store when there is one.",
)
@reports_errors
def judge(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    record_a: str = typer.Argument(..., help="First record as source:record_id."),
    record_b: str = typer.Argument(..., help="Second record as source:record_id."),
    verdict: str = typer.Argument(..., help="match, no_match (or no-match) or unsure."),
    by: str | None = typer.Option(None, "--by", hidden=True),
) -> None:
    if by is not None:
        raise InvalidInputError(
            f"--by {by!r} is not taken: a judgement is recorded as the local operator who makes it "
            "(local:<os-user>), never a name given on the command line. Run it as the person who judges, or "
            "judge on the review page signed in as them"
        )
    with operator_reads(load_settings(), linkage_dir) as reads:  # audited where there is a store
        j = reads.judge_pair(record_a, record_b, verdict)
    console.print(
        f"recorded {j.verdict} for {typed_record_key(j.left)} / {typed_record_key(j.right)} by {j.judged_by} "
        f"at {j.judged_at:%Y-%m-%d %H:%M}Z",
        soft_wrap=True,
    )


@app.command("add", help="Link new records of one source into an existing linkage, one at a time.")
@reports_errors
def add(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    source: str = typer.Option(
        ..., "--source", help="Which source of the linkage's config the records belong to."
    ),
    input_path: Path = typer.Option(..., "--input", help="CSV or Parquet file with that source's columns."),
) -> None:
    with spinner("linking new records") as step:
        report = linking.add_records(linkage_dir, source, input_path, step)
    console.print(
        f"linked {report.records:,} record(s): {report.joined:,} joined a subject, {report.new_subjects:,} new "
        f"subject(s), {len(report.merges):,} merge(s), {len(report.splits):,} split(s); latency per record p50 "
        f"{report.percentile(0.5):.2f} ms, p95 {report.percentile(0.95):.2f} ms, p99 {report.percentile(0.99):.2f} ms"
    )
    for kept, gone in report.merges:
        console.print(f"merge: subject {gone} merged into {kept}")
    for kept, to in report.splits:
        console.print(f"split: records of subject {kept} moved to {to}")
    _warn(report.warnings)
