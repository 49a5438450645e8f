"""Reference data: detention facilities (capacity by sex and security level, medical level) and
transport resources (flights and buses with seats, destination, date and cost)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ilos.synth import textops as tx
from ilos.synth.geography import CITIES
from ilos.synth.population import COUNTRY_CODES
from ilos.synth.sources.base import Builder, Context, Emitted, labels, record_ids

MEDICAL = ("BASIC", "INTERMEDIATE", "FULL")


def _ints(values: npt.NDArray[np.int64] | npt.NDArray[np.float64]) -> pa.Array:
    return pa.array(values.astype(np.int64)).cast(pa.string())


def emit_facilities(ctx: Context) -> Emitted:
    f = ctx.world.facilities
    n = f["city"].size
    total, female = f["capacity_total"], f["female"]
    male = total - female
    high = f["high_share"] / 100
    b = Builder()
    b.add(
        "facility_id",
        pc.binary_join_element_wise("FAC", tx.digits(np.arange(1, n + 1), 4), ""),
        required=True,
    )
    city = labels(tuple(c[0] for c in CITIES), f["city"])
    b.add(
        "name",
        pc.binary_join_element_wise(
            pc.utf8_title(city),
            labels(
                (
                    "Processing Center",
                    "Detention Facility",
                    "Service Processing Center",
                    "County Jail (IGSA)",
                ),
                np.arange(n) % 4,
            ),
            " ",
        ),
    )
    b.add("latitude", pa.array(f["lat_e4"] / 1e4).cast(pa.string()), "number", required=True)
    b.add("longitude", pa.array(f["lon_e4"] / 1e4).cast(pa.string()), "number", required=True)
    b.add("city", city)
    b.add("state", labels(tuple(c[1] for c in CITIES), f["city"]), required=True)
    for sex, cap in (("male", male), ("female", female)):
        hi = np.round(cap * high)
        med = np.round((cap - hi) * 0.5)
        b.add(f"cap_{sex}_low", _ints(cap - hi - med), "integer", required=True)
        b.add(f"cap_{sex}_medium", _ints(med), "integer", required=True)
        b.add(f"cap_{sex}_high", _ints(hi), "integer", required=True)
    b.add("medical_level", labels(MEDICAL, f["medical"]))
    spec = {
        "name": "facilities",
        "path": "facilities.csv",
        "record_id": "facility_id",
        "markings": ["REFERENCE"],
        "reference": True,
        "description": "Detention facilities with capacity by sex and security level.",
    }
    return b.emit(spec, None)


AIRCRAFT = (("B737-800", 150, 62_000.0), ("E145", 48, 28_000.0), ("MCI-BUS", 55, 4_500.0))
ORIGINS = ("AEX", "HRL", "MIA", "ELP", "BFI", "MSP")


def emit_transport_resources(ctx: Context) -> Emitted:
    t = ctx.world.transport
    n = t["kind"].size
    kind = t["kind"]  # 0 charter flight, 1 bus, 2 commercial flight
    aircraft = np.where(kind == 1, 2, np.where(ctx.rng.random(n) < 0.7, 0, 1))
    seats = np.array([a[1] for a in AIRCRAFT])[aircraft]
    cost = np.array([a[2] for a in AIRCRAFT])[aircraft] * ctx.rng.uniform(0.8, 1.4, n)
    b = Builder()
    b.add("resource_id", record_ids("TR", n, 6), required=True)
    b.add("mode", labels(("CHARTER_FLIGHT", "BUS", "COMMERCIAL_FLIGHT"), kind), required=True)
    b.add("vehicle", labels(tuple(a[0] for a in AIRCRAFT), aircraft))
    b.add("seats", _ints(seats), "integer", required=True)
    b.add("origin", labels(ORIGINS, t["origin"]))
    b.add("destination_country", labels(COUNTRY_CODES, t["country"]), required=True)
    b.add_date("departure_date", t["day"], "%Y-%m-%d", required=True)
    b.add("cost_usd", pa.array(np.round(cost, 2)).cast(pa.string()), "number")
    spec = {
        "name": "transport_resources",
        "path": "transport_resources.csv",
        "record_id": "resource_id",
        "markings": ["REFERENCE"],
        "reference": True,
        "description": "Removal transport: charter and commercial flights and buses.",
    }
    return b.emit(spec, None)
