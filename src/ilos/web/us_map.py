"""The US states map drawn server-side as inline SVG from the geometry shipped in `web/geo/` (us-atlas,
already projected to a 975×610 viewport): land and state borders as paths, and one circle per state sized
by a count. Decoding TopoJSON is a few pure functions; the file is read once per process."""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ATLAS = Path(__file__).parent / "geo" / "us-states-albers-10m.json"
WIDTH, HEIGHT = 975, 610
MAX_RADIUS = 28.0
MIN_RADIUS = 4.0

# The atlas names states by FIPS code; the worklist knows them by USPS code.
FIPS_TO_USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE",
    "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA",
    "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN",
    "28": "MS", "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM",
    "36": "NY", "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI",
    "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA",
    "54": "WV", "55": "WI", "56": "WY",
}  # fmt: skip

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class State:
    code: str  # USPS
    name: str
    anchor: Point  # where its circle goes: the centroid of its largest polygon


@dataclass(frozen=True, slots=True)
class BaseMap:
    land: str  # SVG path data of the nation's outline
    borders: str  # SVG path data of every border between two states, each drawn once
    states: Mapping[str, State]


@dataclass(frozen=True, slots=True)
class Marker:
    code: str
    name: str
    count: int
    x: float
    y: float
    radius: float


def decode_arcs(topology: Mapping[str, Any]) -> list[list[Point]]:
    """Quantized, delta-encoded arcs to absolute coordinates (TopoJSON's `transform`)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def ring_points(arcs: Sequence[Sequence[Point]], indexes: Sequence[int]) -> list[Point]:
    """One closed ring from arc indexes (a negative index ~i is arc i reversed); shared ends appear once."""
    points: list[Point] = []
    for i in indexes:
        arc = list(arcs[i]) if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc[1:] if points else arc)
    return points


def path_data(lines: Sequence[Sequence[Point]], closed: bool) -> str:
    """SVG path data in whole-pixel relative steps (compact; a pixel is finer than the atlas' 1:10m)."""
    parts = []
    for line in lines:
        pixels = [(round(x), round(y)) for x, y in line]
        steps = [f"M{pixels[0][0]} {pixels[0][1]}"]
        for (x0, y0), (x1, y1) in itertools.pairwise(pixels):
            if (x0, y0) != (x1, y1):
                steps.append(f"l{x1 - x0} {y1 - y0}")
        parts.append("".join(steps) + ("z" if closed else ""))
    return "".join(parts)


def polygon_centroid(ring: Sequence[Point]) -> tuple[Point, float]:
    """A ring's area-weighted centroid and its absolute area (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return ring[0], 0.0
    return (cx / (3 * area), cy / (3 * area)), abs(area) / 2


def build_base_map(topology: Mapping[str, Any]) -> BaseMap:
    arcs = decode_arcs(topology)
    states = {}
    border_arcs: set[int] = set()
    for geometry in topology["objects"]["states"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        outer = [ring_points(arcs, polygon[0]) for polygon in polygons]
        anchor, _ = max((polygon_centroid(r) for r in outer), key=lambda ca: ca[1])
        code = FIPS_TO_USPS[geometry["id"]]
        states[code] = State(code, geometry["properties"]["name"], anchor)
        border_arcs.update(i if i >= 0 else ~i for p in polygons for r in p for i in r)
    nation = topology["objects"]["nation"]["geometries"][0]
    nation_polygons = nation["arcs"] if nation["type"] == "MultiPolygon" else [nation["arcs"]]
    land_rings = [ring_points(arcs, r) for p in nation_polygons for r in p]
    coast = {i if i >= 0 else ~i for p in nation_polygons for r in p for i in r}
    borders = [arcs[i] for i in sorted(border_arcs - coast)]
    return BaseMap(path_data(land_rings, closed=True), path_data(borders, closed=False), states)


@functools.cache
def base_map() -> BaseMap:
    """The shipped atlas, decoded once per process."""
    topology: dict[str, Any] = json.loads(ATLAS.read_text())
    return build_base_map(topology)


def markers(counts: Mapping[str, int], states: Mapping[str, State]) -> list[Marker]:
    """One circle per state with a count, its area proportional to the count (largest first, so small
    circles are drawn on top and stay reachable). Codes the atlas does not know are left out."""
    top = max(counts.values(), default=0)
    out = []
    for code, count in counts.items():
        state = states.get(code)
        if state is None or count <= 0:
            continue
        radius = max(MIN_RADIUS, MAX_RADIUS * math.sqrt(count / top))
        out.append(
            Marker(code, state.name, count, round(state.anchor[0], 1), round(state.anchor[1], 1), radius)
        )
    return sorted(out, key=lambda m: (-m.count, m.code))
