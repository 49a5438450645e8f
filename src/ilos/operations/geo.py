"""Great-circle distances in whole kilometres: the unit every logistics cost is counted in, so costs stay
integers and an optimum found by a flow solver is exactly comparable with brute force."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float


def distance_km(a: GeoPoint, b: GeoPoint) -> int:
    """Haversine distance rounded to whole kilometres (the rounding is part of the cost definition)."""
    return int(distance_matrix_km([a], [b])[0, 0])


def distance_matrix_km(rows: list[GeoPoint], cols: list[GeoPoint]) -> npt.NDArray[np.int64]:
    """Every row point to every column point, vectorised; int64 kilometres, rounded half to even."""
    lat1 = np.radians(np.array([p.latitude for p in rows], dtype=np.float64))[:, None]
    lon1 = np.radians(np.array([p.longitude for p in rows], dtype=np.float64))[:, None]
    lat2 = np.radians(np.array([p.latitude for p in cols], dtype=np.float64))[None, :]
    lon2 = np.radians(np.array([p.longitude for p in cols], dtype=np.float64))[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    rounded: npt.NDArray[np.int64] = np.rint(km).astype(np.int64)
    return rounded
