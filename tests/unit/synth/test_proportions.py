"""Population-level proportions match the published figures the world is scaled to, and the truth
flags agree with each other."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.synth import WorldSummary


def test_most_persons_have_no_criminal_history(world: WorldSummary) -> None:
    persons = pq.read_table(world.truth_dir / "persons.parquet")
    share = pc.mean(persons["has_criminal_history"].cast("int8")).as_py()
    assert 0.02 < share < 0.15


def test_about_three_quarters_of_detainees_have_no_conviction(world: WorldSummary) -> None:
    persons = pq.read_table(world.truth_dir / "persons.parquet")
    detained = persons.filter(persons["is_detained"])
    assert detained.num_rows >= 5
    without = 1 - pc.mean(detained["has_conviction"].cast("int8")).as_py()
    assert abs(without - 0.73) < 0.1


def test_docket_has_a_backlog_and_final_orders_in_published_proportions(world: WorldSummary) -> None:
    persons = pq.read_table(world.truth_dir / "persons.parquet")
    docket = persons.filter(pc.equal(persons["status"], "docket"))
    assert 0.25 < docket.num_rows / persons.num_rows < 0.6
    final = pc.mean(docket["has_final_order"].cast("int8")).as_py()
    pending = pc.mean(pc.equal(docket["court_outcome"], "PENDING").cast("int8")).as_py()
    assert abs(final - 1.45 / 7.5) < 0.06  # ~1.45M final orders in a ~7.5M docket
    assert abs(pending - 3.7 / 7.5) < 0.1  # ~3.7M immigration court backlog


def test_some_us_citizens_appear_in_enforcement_sources(world: WorldSummary) -> None:
    persons = pq.read_table(world.truth_dir / "persons.parquet")
    records = pq.read_table(world.truth_dir / "records.parquet")
    enforcement = records.filter(pc.is_in(records["source"], pa_list("encounters", "detention_bookings")))
    citizens = persons.filter(persons["is_us_citizen"])["person_id"]
    seen = enforcement.filter(pc.is_in(enforcement["person_id"], citizens))
    assert seen.num_rows > 0
    kinds = set(persons.filter(persons["is_us_citizen"])["citizenship_kind"].to_pylist())
    assert kinds == {"born", "naturalized", "derived"}


def test_removable_now_is_final_order_without_protection_citizenship_or_departure(
    world: WorldSummary,
) -> None:
    persons = pq.read_table(world.truth_dir / "persons.parquet").to_pylist()
    removable = 0
    for p in persons:
        expected = (
            p["has_final_order"]
            and not p["protections"]
            and not p["is_us_citizen"]
            and p["departed"] == "none"
        )
        assert p["removable_now"] == expected, p["person_id"]
        removable += expected
        if p["is_us_citizen"]:
            assert p["citizenship_kind"] != "none"
    assert removable > 0
    labels = {label.split(":")[0] for p in persons for label in p["protections"]}
    assert {"stay_judicial", "appeal_window_open", "withholding", "tps", "lpr", "asylum_pending"} <= labels


def test_twins_share_birth_date_surname_and_household(world: WorldSummary) -> None:
    twins = pq.read_table(world.truth_dir / "twins.parquet").to_pylist()
    persons = {p["person_id"]: p for p in pq.read_table(world.truth_dir / "persons.parquet").to_pylist()}
    assert twins
    for pair in twins:
        a, b = persons[pair["person_id"]], persons[pair["twin_person_id"]]
        assert a["date_of_birth"] == b["date_of_birth"]
        assert a["household_id"] == b["household_id"]
        assert a["family_name"] == b["family_name"]
        assert a["given_name"] != b["given_name"]


def pa_list(*values: str) -> object:
    import pyarrow as pa

    return pa.array(values)
