"""Throughput of standardize_table on ~1M seeded, realistic-ish rows of a typical 12-column source.

Run: .venv/bin/python benchmarks/bench_standardize.py [rows]   (prints rows/s; asserts nothing)."""

from __future__ import annotations

import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.definitions.sources import DateField, SourceSpec
from ilos.standardize import standardize_table


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = _words("""
    José Juan María Guadalupe Francisco Pepe Paco Pancho Luis Carlos Jesús Chuy Ana Rosa Lupe Miguel
    Ángel Jorge Pedro Antonio Toño Manuel Rafael Fernando Alejandro Ricardo Eduardo Lalo Roberto Mario
    Sergio Victor Raúl Héctor Arturo Javier Andrés Pablo Ramón César Hugo Julio Ignacio Nacho Guillermo
    Memo Mohamed Mohammed Yosef Joseph Jean Pierre Wei Li Ming William Bill Robert Bob Michael Mike James
    John Mary Patricia Elena Lucía Sofía Paula Claudia Laura Andrea Gabriela Verónica Adriana Mónica
    Silvia Beatriz Alicia Marta Julia Carmen Teresa Dolores Isabel Margarita Rosario Consuelo Esperanza
    Yesenia Daniela Fernanda Valentina Camila
""")
FAMILY = _words("""
    García López Martínez Rodríguez Hernández González Pérez Sánchez Ramírez Torres Flores Rivera Gómez
    Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ruiz Jiménez Mendoza Álvarez Castillo Romero Vásquez
    Herrera Medina Aguilar Vargas Castro Ramos Moreno Guzmán Núñez Rojas Peña Salazar Delgado Campos Vega
    Ríos Cabrera Fuentes Espinoza Navarro Molina Silva Santos Souza Oliveira Pierre Joseph Jean-Baptiste
    Zhang Chang Wang Chen Nguyen Smith Johnson
""")
COMPOUND = ["de la Cruz", "del Río", "de los Santos", "dos Santos", "Garcia y Lopez", "Pérez-Gómez"]
STREETS = _words("""
    Main Oak Pine Maple Cedar Elm Washington Lake Hill Sunset Lincoln Jackson Park Ridge Mission Valley
    Broadway Central Union Church Spring Highland Forest River Chestnut Walnut Madison Franklin Jefferson
""")
SUFFIXES = ["Street", "St", "St.", "Avenue", "Ave", "Blvd", "Boulevard", "Rd", "Road", "Drive", "Dr", "Ln"]
UNITS = ["", "", "", " Apt 4", " #12", " Apt. 3B", " Unit 7"]
CITIES = ["Los Angeles", "Houston", "Miami", "Chicago", "New York", "San Antonio", "Phoenix", "Dallas",
          "El Paso", "San Diego", "St. Louis", "Saint Paul", "Newark", "Atlanta", "Denver", "Las Vegas"]  # fmt: skip
STATES = ["CA", "TX", "FL", "IL", "NY", "Texas", "California", "AZ", "NJ", "GA", "CO", "NV"]
COUNTRIES = ["MEXICO", "México", "MEX", "GUATEMALA", "Honduras", "El Salvador", "SLV", "Venezuela", "CUBA",
             "Haiti", "Colombia", "Ecuador", "Nicaragua", "Brasil", "China", "India", "UNKNOWN"]  # fmt: skip
SEXES = ["M", "F", "Male", "Female", "m", "f", "U", ""]
PLACEHOLDER_NAMES = ["UNKNOWN", "FNU", "NA NA", "Unknown"]


def _typo(rng: np.random.Generator, word: str) -> str:
    i = int(rng.integers(0, max(len(word) - 1, 1)))
    return (
        word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i : i + 2][::-1] + word[i + 2 :]
    )


def _pick(rng: np.random.Generator, pool: list[str], n: int) -> pa.Array:
    return pc.take(pa.array(pool), pa.array(rng.integers(0, len(pool), n)))


def _names(rng: np.random.Generator, pool: list[str], n: int, typo_variants: int) -> pa.Array:
    typos = [_typo(rng, pool[int(rng.integers(0, len(pool)))]) for _ in range(typo_variants)]
    full_pool = pool + typos + PLACEHOLDER_NAMES
    weights = np.concatenate([np.full(len(pool), 0.95 / len(pool)), np.full(len(typos), 0.04 / len(typos)),
                              np.full(len(PLACEHOLDER_NAMES), 0.01 / len(PLACEHOLDER_NAMES))])  # fmt: skip
    return pc.take(pa.array(full_pool), pa.array(rng.choice(len(full_pool), n, p=weights / weights.sum())))


def _digits(rng: np.random.Generator, n: int, width: int, low: int = 0) -> pa.Array:
    return pc.utf8_lpad(pa.array(rng.integers(low, 10**width, n)).cast(pa.string()), width=width, padding="0")


def _sl(values: pa.Array, start: int, stop: int) -> pa.Array:
    return pc.utf8_slice_codeunits(values, start, stop)


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def make_table(n: int, seed: int = 20240611) -> pa.Table:
    """n rows of a court-like source: names with nicknames, typos and compound surnames, dates, ids."""
    rng = np.random.default_rng(seed)
    a = _digits(rng, n, 9)
    a_styles = [
        a,
        _join("A", a),
        _join("A-", _sl(a, 0, 3), "-", _sl(a, 3, 6), "-", _sl(a, 6, 9)),
        _sl(a, 1, 9),
    ]
    style = pa.array(rng.integers(0, len(a_styles), n))
    a_number = pc.choose(style, *a_styles)
    tel = _digits(rng, n, 10, low=2 * 10**9)
    phone = _join("(", _sl(tel, 0, 3), ") ", _sl(tel, 3, 6), "-", _sl(tel, 6, 10))
    house = pa.array(rng.integers(1, 9999, n)).cast(pa.string())
    street = _join(house, " ", _pick(rng, STREETS, n), " ", _pick(rng, SUFFIXES, n), _pick(rng, UNITS, n))
    days = pa.array(rng.integers(-15000, 15000, n).astype("datetime64[D]"))
    dob = pc.strftime(days, format="%m/%d/%Y")
    family = _names(rng, FAMILY + COMPOUND, n, 5000)
    return pa.table(
        {
            "case_id": pa.array(np.arange(n)).cast(pa.string()),
            "first": _names(rng, GIVEN, n, 2000),
            "last": family,
            "dob": dob,
            "sex": _pick(rng, SEXES, n),
            "anum": a_number,
            "addr": street,
            "city": _pick(rng, CITIES, n),
            "st": _pick(rng, STATES, n),
            "zip": _digits(rng, n, 5, low=1000),
            "nat": _pick(rng, COUNTRIES, n),
            "tel": phone,
            "_batch_id": pa.array(["bench"] * n),
            "_row_number": pa.array(np.arange(n)).cast(pa.string()),
        }
    )


SPEC = SourceSpec(
    name="bench",
    path="bench.csv",
    record_id="case_id",
    fields={
        "given_name": "first",
        "family_name": "last",
        "date_of_birth": DateField(column="dob", format="%m/%d/%Y"),
        "sex": "sex",
        "a_number": "anum",
        "street": "addr",
        "city": "city",
        "state": "st",
        "postal_code": "zip",
        "nationality": "nat",
        "phone": "tel",
    },
)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    pa.set_cpu_count(1)  # the target is per core
    table = make_table(n)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        out = standardize_table(table, SPEC)
        best = min(best, time.perf_counter() - start)
    assert out.num_rows == n
    print(f"standardize_table: {n:,} rows x 12 columns in {best:.2f} s -> {n / best:,.0f} rows/s")


if __name__ == "__main__":
    main()
