"""The shipped map geometry and the worklist's location rules, without a server."""

from __future__ import annotations

from ilos.services.worklist_view import WorklistItem, count_locations, item_of, location_state
from ilos.web import us_map


def test_every_state_and_dc_has_an_anchor_inside_the_viewport() -> None:
    atlas = us_map.base_map()
    assert len(atlas.states) == 51
    for state in atlas.states.values():
        x, y = state.anchor
        assert 0 < x < us_map.WIDTH and 0 < y < us_map.HEIGHT, state
    assert atlas.land.startswith("M") and atlas.borders.startswith("M")
    # Texas sits south-west of Illinois on an Albers USA map
    assert atlas.states["TX"].anchor[0] < atlas.states["IL"].anchor[0]
    assert atlas.states["TX"].anchor[1] > atlas.states["IL"].anchor[1]


def test_marker_area_follows_the_count_and_unknown_codes_are_left_out() -> None:
    states = us_map.base_map().states
    markers = us_map.markers({"TX": 100, "CA": 25, "ZZ": 7, "NY": 0}, states)
    assert [m.code for m in markers] == ["TX", "CA"]
    assert markers[0].radius == us_map.MAX_RADIUS
    assert abs(markers[1].radius - us_map.MAX_RADIUS / 2) < 1e-9


def test_a_ring_from_a_reversed_arc_closes_on_its_start() -> None:
    arcs = [[(0.0, 0.0), (4.0, 0.0), (4.0, 3.0)], [(0.0, 0.0), (4.0, 3.0)]]
    ring = us_map.ring_points(arcs, [0, ~1])
    assert ring == [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 0.0)]
    (cx, cy), area = us_map.polygon_centroid(ring[:-1])
    assert area == 6.0 and (round(cx, 3), round(cy, 3)) == (2.667, 1.0)


def _row(location: str | None, usable: bool, withheld: str = "") -> dict[str, object]:
    return {
        "subject_id": "S-1", "status": "blocked", "priority": "low", "score": 1, "gates": "stay;final_order",
        "gate_reasons": "", "location": location, "location_usable": usable, "location_source": None,
        "location_date": None, "location_withheld": withheld,
    }  # fmt: skip


def test_withheld_locations_are_counted_never_plotted() -> None:
    items: list[WorklistItem] = [
        item_of(_row("1 MAIN ST, AUSTIN, TX 78701", True)),
        item_of(_row("2 OAK AVE, DALLAS, TX 75201-1234", True, "a newer address from tax withheld: TAX")),
        item_of(_row(None, False, "a newer address from health withheld: HEALTH")),
        item_of(_row(None, False)),
        item_of(_row("CALLE 5, GUADALAJARA, JALISCO", True)),
    ]
    assert [i.location_state for i in items] == ["TX", "TX", "withheld", "none", "unknown"]
    assert items[0].gates == ("stay", "final_order")
    counts = count_locations(items)
    assert counts.by_state == {"TX": 2}
    assert (counts.withheld, counts.no_address, counts.not_us, counts.newer_withheld) == (1, 1, 1, 1)
    assert location_state("1 MAIN ST, AUSTIN, TX 78701", usable=False) == "none"
