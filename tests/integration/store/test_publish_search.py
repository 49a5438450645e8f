"""Publishing subjects in bulk (COPY on PostgreSQL, executemany on SQLite) and searching them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ilos.errors import InvalidInputError
from ilos.services import publish, subject_search
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.store_access import Store

ANALYST = Caller("ann", frozenset({Role.analyst}), Purpose.case_investigation, "10.0.0.8", "u2")
PUBLISHER = local_operator(Purpose.data_quality)


def _rows(n: int, suffix: str = "") -> list[dict[str, object]]:
    return [
        {
            "subject_id": f"S{i:06x}",
            "display_name": f"Person{i} Núñez{suffix}",
            "date_of_birth": f"19{50 + i % 50}-01-0{1 + i % 9}",
            "identifiers": {"a_number": f"A{i:09d}"},
            "payload": {"i": i},
        }
        for i in range(n)
    ]


def test_publish_loads_and_replaces_subjects_in_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "CHUNK", 7)
    assert publish.publish(store, PUBLISHER, _rows(20)) == 20
    assert publish.publish(store, PUBLISHER, _rows(3, suffix=" Quintero")) == 3
    found = subject_search.search(store, ANALYST, "nunez quintero", limit=100)
    assert [s.subject_id for s in found] == ["S000000", "S000001", "S000002"]
    assert subject_search.search(store, ANALYST, "a000000017")[0].identifiers == [("a_number", "A000000017")]
    assert len(subject_search.search(store, ANALYST, "nunez", limit=100)) == 20
    assert len(subject_search.search(store, ANALYST, "nunez jr", limit=100)) == 20  # a suffix is no evidence


def test_publish_is_all_or_nothing(store: Store) -> None:
    rows = [*_rows(3), {"subject_id": "", "display_name": ""}]
    with pytest.raises(InvalidInputError) as caught:
        publish.publish(store, PUBLISHER, rows)
    assert [p.location for p in caught.value.problems] == ["rows[3].subject_id", "rows[3].display_name"]
    assert subject_search.search(store, ANALYST, "nunez") == []


def test_search_text_of_only_wildcards_matches_nothing(store: Store) -> None:
    publish.publish(store, PUBLISHER, [{"subject_id": "Sx", "display_name": "Ann"}])
    assert subject_search.search(store, ANALYST, "%") == []
    assert subject_search.search(store, ANALYST, "_") == []


def test_search_merges_name_and_identifier_matches_in_name_order(store: Store) -> None:
    rows = [
        {"subject_id": "S1", "display_name": "Zoe A123", "identifiers": {}},
        {"subject_id": "S2", "display_name": "Bea Nobody", "identifiers": {"passport": "a-123"}},
        {"subject_id": "S3", "display_name": "a123 Adams", "identifiers": {}},
    ]
    publish.publish(store, PUBLISHER, rows)
    found = subject_search.search(store, ANALYST, "A123", limit=10)
    assert [s.subject_id for s in found] == ["S3", "S2", "S1"]  # prefix match first, then by name
    assert [s.subject_id for s in subject_search.search(store, ANALYST, "A123", limit=2)] == ["S3", "S2"]


def test_postgres_name_search_can_use_the_trigram_index(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    publish.publish(store, PUBLISHER, _rows(50))
    with store.transaction() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # tiny table: make the planner show its hand
        plan = "\n".join(
            session.execute(text("EXPLAIN SELECT * FROM subjects WHERE name_key LIKE '%nune%'")).scalars()
        )
    assert "ix_subjects_name_key_trgm" in plan


FUZZY = [
    {"subject_id": "S1", "display_name": "William Smith", "date_of_birth": "1980-03-07",
     "identifiers": {"a_number": "A012345678"}},
    {"subject_id": "S2", "display_name": "José de la Cruz", "date_of_birth": "1975-11-30"},
    {"subject_id": "S3", "display_name": "Muhammad Haddad", "date_of_birth": "1990-01-02"},
    {"subject_id": "S4", "display_name": "Maria Garcia", "date_of_birth": "1980-07-03"},
    {"subject_id": "S5", "display_name": "Marisol Garsia Lopez"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bill smyth", ["S1"]),  # nickname and spelling
        ("smyth", ["S1"]),
        ("jose cruz", ["S2"]),  # particles dropped, accents folded
        ("kruz", ["S2"]),
        ("mohamed hadad", ["S3"]),  # transliteration variants
        ("maria garsia", ["S4"]),  # sound-alike typo; S5 has GARSIA but not MARIA
        ("garcia", ["S4", "S5"]),  # the exact spelling first, then the one that only sounds like it
        ("1980-07-03", ["S4", "S1"]),  # the date and the same date with day and month swapped, by name
        ("12345678", ["S1"]),  # an A-number without its A and leading zero
        ("walter", []),  # a different name that merely starts alike
    ],
)
def test_search_is_fuzzy_on_names_dates_and_a_numbers(store: Store, q: str, expected: list[str]) -> None:
    publish.publish(store, PUBLISHER, FUZZY)
    assert [s.subject_id for s in subject_search.search(store, ANALYST, q)] == expected


@pytest.mark.parametrize("q", ["A200139349", "a-200-139-349", "200139349"])
def test_an_a_number_finds_the_standardized_nine_digits_a_subject_carries(store: Store, q: str) -> None:
    """The demo world's subjects carry A-numbers standardized (nine digits, no A); a booking or a plan
    spells them with the A."""
    publish.publish(store, PUBLISHER, [{"subject_id": "S1", "display_name": "Juan Vega",
                                        "identifiers": {"a_number": "200139349"}}])  # fmt: skip
    assert [s.subject_id for s in subject_search.search(store, ANALYST, q)] == ["S1"]


def test_postgres_fuzzy_name_search_can_use_the_trigram_index(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    publish.publish(store, PUBLISHER, _rows(50))
    with store.transaction() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            session.execute(text("EXPLAIN SELECT * FROM subjects WHERE name_sounds LIKE '% NNS %'")).scalars()
        )
    assert "ix_subjects_name_sounds_trgm" in plan
