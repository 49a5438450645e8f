"""Properties of ingest over generated files: nothing is lost, accepted values are untouched, and bad
input of any shape ends in a reconciled batch or an IlosError with a message, never another exception."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ingest_sources import PEOPLE_COLUMNS

from ilos.definitions.sources import SourceSpec
from ilos.errors import IlosError
from ilos.ingest.landing import ingest_source

KINDS = (
    "good", "good", "good", "bad_date", "bad_ident", "duplicate", "short_line", "long_line", "empty_id", "blank",
)  # fmt: skip
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from([",", '"', "\n", " "]),
    max_size=12,
)
PROPERTY_SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("ILOS_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _spec(file_name: str, encoding: str = "utf-8") -> SourceSpec:
    return SourceSpec.model_validate(
        {
            "name": "people",
            "path": file_name,
            "record_id": "id",
            "columns": PEOPLE_COLUMNS,
            "encoding": encoding,
        }
    )


def _render(kinds: list[str], names: list[str]) -> tuple[str, dict[int, tuple[str, ...]], set[int], set[int]]:
    """CSV text, the rows expected to land (by data row), the data rows expected quarantined whole and those
    expected to land with a flagged value. A blank line holds no record but is a row of the file: the rows
    after it are numbered past it."""
    out = io.StringIO()
    out.write("id,name,dob,a_number,zip\n")
    writer = csv.writer(out, lineterminator="\n")
    good: dict[int, tuple[str, ...]] = {}
    held: set[int] = set()
    flagged: set[int] = set()
    for row, (kind, name) in enumerate(zip(kinds, names, strict=True), start=1):
        values = (f"r{row}", name, "2020-02-29", f"{row:09d}", f"{row % 1000:05d}")
        if kind == "blank":
            out.write("\n")
            continue
        if kind in ("short_line", "long_line"):
            out.write(f"r{row},x\n" if kind == "short_line" else f"r{row},a,b,c,d,e\n")
            held.add(row)
            continue
        if kind in ("bad_date", "bad_ident"):
            values = (
                (*values[:2], "2020-02-30", *values[3:])
                if kind == "bad_date"
                else (*values[:3], str(row), *values[4:])
            )
            good[row] = values
            flagged.add(row)
        elif kind != "good" and (kind != "duplicate" or good):
            first_id = next(iter(good.values()))[0] if good else ""
            values = (first_id if kind == "duplicate" else "", *values[1:])
            held.add(row)
        else:
            good[row] = values
        writer.writerow(values)
    return out.getvalue(), good, held, flagged


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.sampled_from(KINDS), TEXT), min_size=1, max_size=25))
def test_rows_read_equal_accepted_plus_quarantined_and_values_are_untouched(
    rows: list[tuple[str, str]],
) -> None:
    """Only rows that cannot be placed are held; a row with a bad value lands as written, its value flagged."""
    text, good, held, flagged = _render([k for k, _ in rows], [n for _, n in rows])
    records = sum(kind != "blank" for kind, _ in rows)
    assume(records > 0)  # only blank lines: no data rows, refused (test_ingest_file_errors)
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as lake:
        path = Path(tmp) / "people.csv"
        path.write_text(text, encoding="utf-8")
        outcome = ingest_source(lake, _spec(path.name), path, "cfg")
        landed = lake.execute("SELECT _row_number, id, name, dob, a_number, zip FROM raw_people").fetchall()
        quarantined = lake.execute("SELECT row_number, scope, reasons FROM quarantine").fetchall()
    assert outcome.rows_read == records == outcome.rows_accepted + outcome.rows_quarantined
    assert {r[0]: tuple(v if v is not None else "" for v in r[1:]) for r in landed} == good
    assert {r[0] for r in quarantined if r[1] == "row"} == held
    assert {r[0] for r in quarantined if r[1] == "value"} == flagged
    assert outcome.values_flagged == len(flagged)
    assert all(reason for _, _, reason in quarantined)


def _valid_csv() -> bytes:
    rows = "".join(f"{i},Jos\u00e9 {i},2020-01-{i:02d},{i:09d},{i:05d}\n" for i in range(1, 9))
    return ("id,name,dob,a_number,zip\n" + rows).encode("utf-8")


MUTATIONS = st.one_of(
    st.tuples(st.just("garbage"), st.binary(max_size=300), st.integers(0, 10_000)),
    st.tuples(st.just("truncate"), st.just(b""), st.integers(0, 10_000)),
    st.tuples(st.just("insert"), st.binary(min_size=1, max_size=20), st.integers(0, 10_000)),
    st.tuples(st.sampled_from(["utf-16", "latin-1", "cp1252", "utf-8-sig"]), st.just(b""), st.integers(0, 0)),
)


def _mutate(data: bytes, kind: str, blob: bytes, at: int) -> bytes:
    body = len(b"id,name,dob,a_number,zip\n")
    at = body + at % (len(data) - body + 1)
    if kind == "garbage":
        return blob
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + blob + data[at:]
    return data.decode("utf-8").encode(kind)


def _ingest_or_error(path: Path, spec: SourceSpec) -> None:
    with duckdb.connect() as lake:
        try:
            outcome = ingest_source(lake, spec, path, "cfg")
        except IlosError as exc:
            assert exc.message.strip()
            return
        assert outcome.is_reconciled


@PROPERTY_SETTINGS
@given(MUTATIONS, st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]))
def test_mangled_csv_lands_reconciled_or_raises_ilos_error(
    mutation: tuple[str, bytes, int], declared: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        path.write_bytes(_mutate(_valid_csv(), *mutation))
        _ingest_or_error(path, _spec(path.name, declared))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.binary(max_size=8))
def test_truncated_or_patched_parquet_lands_reconciled_or_raises_ilos_error(cut: int, patch: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.parquet"
        columns = ("id", "name", "dob", "a_number", "zip")
        pq.write_table(pa.table({c: [f"{c}{i}" for i in range(5)] for c in columns}), path)
        data = path.read_bytes()
        cut %= len(data) + 1
        path.write_bytes(data[:cut] + patch + data[cut + len(patch) :])
        _ingest_or_error(path, _spec(path.name))
