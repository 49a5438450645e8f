"""`ilos link`: generic record linkage from a YAML config, and its explanation, evaluation and review."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.default_group import DefaultCommandGroup
from ilos.cli.errors import reports_errors, stderr
from ilos.cli.progress import spinner
from ilos.services import linking
from ilos.services.linking import TrainingOptions

app = typer.Typer(
    cls=DefaultCommandGroup,
    help="Link records of any CSV/Parquet sources into subjects: `ilos link CONFIG.yaml --out DIR`.",
    no_args_is_help=True,
)
console = Console()


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
    _warn(result.warnings)


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        stderr.print(f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True)


@app.command("explain", help="Why two records were or were not linked: each comparison's level and weight.")
@reports_errors
def explain(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    record_a: str = typer.Argument(..., help="First record as source:record_id."),
    record_b: str = typer.Argument(..., help="Second record as source:record_id."),
) -> None:
    e = linking.explain_link(linkage_dir, record_a, record_b)
    table = Table(
        title=f"{e.left} vs {e.right}: probability {e.match_probability:.4f}, decision {e.decision}"
    )
    for column in ("comparison", "level", "match weight"):
        table.add_column(column)
    for c in e.comparisons:
        table.add_row(c.comparison, c.level, f"{c.match_weight:+.2f}")
    table.add_row("total", "", f"{e.match_weight:+.2f}")
    console.print(table)


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


@app.command("review", help="The review queue: uncertain pairs not yet judged, the most uncertain first.")
@reports_errors
def review(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    limit: int = typer.Option(20, min=1, help="How many pairs to show."),
) -> None:
    queue = linking.review_queue(linkage_dir, limit)
    rows = queue.pairs.to_pylist()
    table = Table(title=f"{queue.waiting} pairs to review, the most uncertain first; the first {len(rows)}")
    for column in ("record a", "record b", "probability", "currently same subject"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["unique_id_l"],
            r["unique_id_r"],
            f"{r['match_probability']:.4f}",
            str(r["same_subject"]),
        )
    console.print(table)


@app.command("judge", help="Record a judgement on a pair: match, no-match or unsure.")
@reports_errors
def judge(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    record_a: str = typer.Argument(..., help="First record as source:record_id."),
    record_b: str = typer.Argument(..., help="Second record as source:record_id."),
    verdict: str = typer.Argument(..., help="match, no-match or unsure."),
    by: str = typer.Option(..., "--by", help="Who judges (recorded with the time)."),
) -> None:
    j = linking.judge_pair(linkage_dir, record_a, record_b, verdict, by)
    console.print(
        f"recorded {j.verdict} for {j.left} / {j.right} by {j.judged_by} at {j.judged_at:%Y-%m-%d %H:%M}Z"
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
        f"subject(s), {len(report.merges):,} merge(s); latency per record p50 {report.percentile(0.5):.2f} ms, "
        f"p95 {report.percentile(0.95):.2f} ms, p99 {report.percentile(0.99):.2f} ms"
    )
    for kept, gone in report.merges:
        console.print(f"merge: subject {gone} merged into {kept}")
    _warn(report.warnings)
