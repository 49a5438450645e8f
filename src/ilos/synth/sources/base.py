"""What every source emitter shares: the emitted-table type, a column builder that keeps the declared
schema and the file in step, and renderers for identity columns (names, dates, ids, addresses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ilos.synth import textops as tx
from ilos.synth.errors_model import (
    Corruptions,
    ErrorRates,
    RenderedNames,
    borrow,
    mistype,
    render_dob,
    render_names,
)
from ilos.synth.geography import CITIES, STREET_NAMES, STREET_TYPES
from ilos.synth.model import WorldModel
from ilos.synth.names import NameTables

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Table = dict[str, npt.NDArray[np.int64]]

A_NUMBER_PATTERN = r"^A\d{9}$"
SSN_PATTERN = r"^\d{3}-\d{2}-\d{4}$"


@dataclass(frozen=True, slots=True)
class Context:
    rng: np.random.Generator
    world: WorldModel
    names: NameTables
    rates: ErrorRates


@dataclass(slots=True)
class Emitted:
    """One source file's table, its sources.yaml entry and, for people sources, each row's person."""

    spec: dict[str, Any]
    table: pa.Table
    person: IntArray | None
    log: Corruptions = field(default_factory=Corruptions)

    @property
    def name(self) -> str:
        return str(self.spec["name"])


class Builder:
    """Columns added in order, each with its declared type; `emit` makes the table and the spec."""

    def __init__(self) -> None:
        self.arrays: dict[str, pa.Array] = {}
        self.columns: dict[str, dict[str, Any]] = {}

    def add(
        self,
        name: str,
        values: pa.Array,
        kind: str = "string",
        fmt: str | None = None,
        pattern: str | None = None,
        required: bool = False,
    ) -> None:
        spec: dict[str, Any] = {"type": kind}
        if required:
            spec["required"] = True
        if fmt:
            spec["format"] = fmt
        if pattern:
            spec["pattern"] = pattern
        self.arrays[name] = values.cast(pa.string())
        self.columns[name] = spec

    def add_date(self, name: str, days: IntArray, fmt: str, required: bool = False) -> None:
        self.add(name, tx.format_dates(days, fmt), "date", fmt=fmt, required=required)

    def emit(self, spec: dict[str, Any], person: IntArray | None, log: Corruptions | None = None) -> Emitted:
        full = {**spec, "columns": self.columns}
        return Emitted(full, pa.table(self.arrays), person, log or Corruptions())


def shuffled(rng: np.random.Generator, table: Table) -> Table:
    """Rows in a random order, so a file's order says nothing about who is who."""
    n = len(next(iter(table.values())))
    order = rng.permutation(n)
    return {k: v[order] for k, v in table.items()}


def without_repeats(rng: np.random.Generator, values: IntArray, high: int) -> IntArray:
    """`values` with each repeat drawn again from [0, high) until all differ: a record id drawn at random
    names one record (a 1M-person world drew one receipt number twice). A draw without repeats is returned
    as it is, so such worlds stay as they were."""
    values = values.copy()
    while True:
        _, first = np.unique(values, return_index=True)
        repeat = np.ones(len(values), dtype=bool)
        repeat[first] = False
        if not repeat.any():
            return values
        values[repeat] = rng.integers(0, high, int(repeat.sum()))


def record_ids(prefix: str, n: int, width: int = 9) -> pa.Array:
    return pc.binary_join_element_wise(
        pa.array([prefix] * n, pa.string()), tx.digits(np.arange(1, n + 1), width), ""
    )


def labels(options: tuple[str, ...], index: IntArray) -> pa.Array:
    return tx.take(pa.array(options, pa.string()), index)


def names_for(ctx: Context, person: IntArray, log: Corruptions, ascii_only: bool = False) -> RenderedNames:
    return render_names(ctx.rng, ctx.world.pop, ctx.names, person, ctx.rates, log, ascii_only)


def dob_for(ctx: Context, person: IntArray, log: Corruptions) -> IntArray:
    return render_dob(ctx.rng, ctx.world.pop.dob[person], ctx.rates, log)


def sex_for(ctx: Context, person: IntArray, codes: tuple[str, str] = ("M", "F")) -> pa.Array:
    return labels(codes, ctx.world.pop.sex[person])


def a_number_for(ctx: Context, person: IntArray, log: Corruptions, style: str) -> pa.Array:
    """A-numbers in one source's convention: 'A'=A012345678, 'dashed'=012-345-678, 'bare'=12345678."""
    pop = ctx.world.pop
    values = borrow(
        ctx.rng,
        pop.a_number[person],
        person,
        pop.a_number,
        pop,
        ctx.rates.identifier_borrowed,
        log,
        "a_number",
    )
    nine = tx.digits(np.where(values < 0, 0, values), 9)
    if style == "A":
        out = pc.binary_join_element_wise("A", nine, "")
    elif style == "dashed":
        out = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(nine, 0, 3),
            pc.utf8_slice_codeunits(nine, 3, 6),
            pc.utf8_slice_codeunits(nine, 6, 9),
            "-",
        )
    else:
        out = pa.array(values).cast(pa.string())
    out = tx.where(values < 0, None, out)
    return mistype(ctx.rng, out, ctx.rates, log, "a_number")


def ssn_for(
    ctx: Context, person: IntArray, log: Corruptions, dashed: bool, ssn_only: bool = True
) -> pa.Array:
    pop = ctx.world.pop
    raw = np.where(pop.has_ssn[person] | (not ssn_only), pop.tax_id[person], -1)
    values = borrow(ctx.rng, raw, person, pop.tax_id, pop, ctx.rates.identifier_borrowed, log, "ssn")
    nine = tx.digits(np.where(values < 0, 0, values), 9)
    placeholder = (ctx.rng.random(person.size) < ctx.rates.placeholder_ssn) & (values >= 0)
    log.add(placeholder, "ssn", "placeholder")
    if dashed:
        nine = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(nine, 0, 3),
            pc.utf8_slice_codeunits(nine, 3, 5),
            pc.utf8_slice_codeunits(nine, 5, 9),
            "-",
        )
    out = tx.where(values < 0, None, nine)
    out = mistype(ctx.rng, out, ctx.rates, log, "ssn")
    return tx.where(placeholder, "000-00-0000" if dashed else "000000000", out)


@dataclass(frozen=True, slots=True)
class RenderedAddress:
    street: pa.Array
    city: pa.Array
    state: pa.Array
    zip5: pa.Array


def address_for(
    ctx: Context, person: IntArray, day: IntArray, log: Corruptions, abbreviate: bool
) -> RenderedAddress:
    """Each row's person's address on that day, in the source's street style, some reduced to a ZIP."""
    addr = ctx.world.pop.address_at(person, day)
    a = ctx.world.pop.addresses
    types = pa.array([t[1] if abbreviate else t[0] for t in STREET_TYPES], pa.string())
    unit_word = "APT" if abbreviate else "UNIT"
    unit = a.unit[addr]
    unit_s = tx.where(
        unit < 0, None, pc.binary_join_element_wise(unit_word, pa.array(unit).cast(pa.string()), " ")
    )
    street = tx.join(
        [
            pa.array(a.street_no[addr]).cast(pa.string()),
            tx.take(pa.array(STREET_NAMES, pa.string()), a.street[addr]),
            tx.take(types, a.street_type[addr]),
            unit_s,
        ]
    )
    city = tx.take(pa.array([c[0] for c in CITIES], pa.string()), a.city[addr])
    state = tx.take(pa.array([c[1] for c in CITIES], pa.string()), a.city[addr])
    zip_only = ctx.rng.random(person.size) < ctx.rates.zip_only_address
    log.add(zip_only, "address", "zip_only")
    return RenderedAddress(
        street=tx.where(zip_only, None, street),
        city=tx.where(zip_only, None, city),
        state=tx.where(zip_only, None, state),
        zip5=tx.digits(a.zip5[addr], 5),
    )


def event(
    kind: str,
    date: str,
    attributes: dict[str, str] | None = None,
    when: dict[str, list[str]] | None = None,
    unless: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind, "date": date}
    if attributes:
        out["attributes"] = attributes
    if when:
        out["when"] = when
    if unless:
        out["unless"] = unless
    return out
