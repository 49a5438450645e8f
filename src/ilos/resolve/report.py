"""report.md for a linkage: model parameters, match-weight charts, cluster sizes and the review band."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ilos.resolve.engine import model_parameters
from ilos.resolve.records import typed_record_key
from ilos.resolve.verdict_effect import RefusedMatch

REPORT_FILE = "report.md"
_BAR_SCALE = 2.0  # characters per bit of match weight


def weight_bar(weight: float | None) -> str:
    """A text bar for a match weight: '+' to the right for evidence for a match, '-' for against."""
    if weight is None:
        return ""
    length = min(int(abs(weight) * _BAR_SCALE), 40)
    return ("-" * length).rjust(40) + "|" if weight < 0 else " " * 40 + "|" + "+" * length


def table_row(*cells: str) -> str:
    """A Markdown table row. A `|` in a cell is escaped, even in a code span such as a chart's axis: GitHub's
    and markdown-it's tables split a row at every unescaped `|` before reading code spans."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def write_report(
    out_dir: Path,
    summary_dict: dict[str, Any],
    model: dict[str, Any],
    clusters: pa.Table,
    probabilities: npt.NDArray[np.float64],
) -> Path:
    lines = ["# Linkage report", ""]
    threshold = summary_dict["threshold"]
    lines += [
        f"- model: {summary_dict['model_version']}",
        f"- records: {summary_dict['records']:,}",
        f"- subjects: {summary_dict['subjects']:,}",
        f"- scored pairs: {summary_dict['scored_pairs']:,}; merged by the clustering: {summary_dict['merged_pairs']:,}",
        f"- decision threshold (chosen from the model): {threshold['threshold']:.4f} "
        f"(expected precision {threshold['expected_precision']:.4f}, expected recall "
        f"{threshold['expected_recall']:.4f})",
        f"- review band: {threshold['review_low']:.4f} to {threshold['review_high']:.4f}; "
        f"pairs for review (in the band, and across two subjects or carrying a merge): "
        f'{summary_dict["review_pairs"]:,} (any judged "unsure" among them are held out of the queue: '
        "`ilos link review --unsure` lists them)",
        f"- household conflicts (same address, different first name or date of birth): "
        f"{summary_dict['household_conflicts']:,}",
        f"- merges refused by constraints: {_counts(summary_dict['refused_merges'])}",
        f'- reviewers\' "match" judgements not honoured: {len(summary_dict.get("refused_matches", ())):,}',
        f"- prior probability two random records match: {_prior(model.get('probability_two_random_records_match'))}",
        f"- against the last run in this directory: {summary_dict.get('merges', 0):,} merge(s), "
        f"{summary_dict.get('splits', 0):,} split(s), {summary_dict.get('dropped_records', 0):,} record(s) no "
        "longer in the inputs",
        "",
        "## Model parameters and match weights",
        "",
        "| comparison | level | m | u | weight | chart |",
        "|---|---|---|---|---|---|",
    ]
    for row in model_parameters(model):
        m, u, w = row["m"], row["u"], row["match_weight"]
        chart = f"`{bar}`" if (bar := weight_bar(w)) else ""
        lines.append(table_row(row["comparison"], row["level"], _fmt(m), _fmt(u), _fmt(w), chart))
    lines += _refused_matches(summary_dict.get("refused_matches", ()))
    lines += ["", "## Cluster size distribution", "", "| records per subject | subjects |", "|---|---|"]
    sizes = Counter(Counter(clusters["subject_id"].to_pylist()).values())
    lines += [table_row(str(size), f"{count:,}") for size, count in sorted(sizes.items())]
    lines += ["", "## Match probability of scored pairs", "", "| band | pairs |", "|---|---|"]
    edges = [0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0001]
    for lo, hi in pairwise(edges):
        n = int(((probabilities >= lo) & (probabilities < hi)).sum())
        lines.append(table_row(f"{lo:g} to {min(hi, 1):g}", f"{n:,}"))
    path = out_dir / REPORT_FILE
    path.write_text("\n".join(lines) + "\n")
    return path


def _refused_matches(refused: Sequence[Mapping[str, Any]]) -> list[str]:
    """The "match" judgements the clustering could not honour, each with why (`RefusedMatch.reason`)."""
    if not refused:
        return []
    lines = ["", '## "Match" judgements not honoured', "", "| record | record | why |", "|---|---|---|"]
    for fields in refused:
        match = RefusedMatch(**fields)
        lines.append(table_row(typed_record_key(match.left), typed_record_key(match.right), match.reason()))
    return lines


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in sorted(counts.items())) or "none"


def _prior(probability: float | None) -> str:
    return "unknown" if not probability else f"{probability:.3g} (1 in {round(1 / probability):,})"


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
