"""SQL that gathers every observed attribute value of every subject, with its provenance.

Identity values come from the standardized records the linker saw (so they compare the way the
linker compared them); status facts (citizenship) come from events. Returns SQL text only."""

from __future__ import annotations

from collections.abc import Iterable

from ilos.subjects.events_sql import quote_ident, quote_literal

IDENTITY_ATTRIBUTES = (
    "given_name",
    "middle_name",
    "family_name",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "country_of_birth",
    "a_number",
    "fbi_number",
    "ssn",
    "passport_number",
    "state_id",
    "phone",
)
OBSERVATIONS_ORDER = "subject_id, attribute, source, record_id, value"
"""The order of the gathered observations, by which a subject's are grouped in one pass."""
OBSERVATION_COLUMNS = (
    "subject_id",
    "attribute",
    "value",
    "source",
    "record_id",
    "observed_on",
    "link_confidence",
    "markings",
)
US_CITIZEN, NON_CITIZEN = "US_CITIZEN", "NON_CITIZEN"

# Which events assert a citizenship status: (kind, attribute, accepted values or None for any) -> status.
# A removal order or an alien admission treats the person as a non-citizen; citizenship evidence, a US
# passport admission or an approved naturalization as a citizen. Both on one subject is a conflict.
CITIZENSHIP_SIGNALS: tuple[tuple[str, str | None, tuple[str, ...], str], ...] = (
    ("citizenship_evidence", None, (), US_CITIZEN),
    ("entry", "class", ("USC",), US_CITIZEN),
    ("benefit_decision", "benefit", ("NATURALIZATION",), US_CITIZEN),
    ("entry", "class", ("LPR", "B2", "H1B", "F1", "PAROLE"), NON_CITIZEN),
    ("removal_order", None, (), NON_CITIZEN),
    ("court_proceeding", None, (), NON_CITIZEN),
    ("detention_booking", None, (), NON_CITIZEN),
    ("encounter", "disposition", ("NOTICE_TO_APPEAR", "EXPEDITED_REMOVAL"), NON_CITIZEN),
)


def link_confidence_sql() -> str:
    """Per record: the strongest link to another record of its subject; a lone record is certain (1.0).

    A record joined only by a reviewer's judgement, with no scored link inside its subject, gets 0.0
    so it is never mistaken for a strong match."""
    return """
WITH sizes AS (SELECT subject_id, count(*) AS n FROM clusters GROUP BY subject_id),
inside AS (
  SELECT l.source_l, l.record_id_l, l.source_r, l.record_id_r, l.match_probability AS p
  FROM links l
  JOIN clusters a ON a.source = l.source_l AND a.record_id = l.record_id_l
  JOIN clusters b ON b.source = l.source_r AND b.record_id = l.record_id_r
  WHERE a.subject_id = b.subject_id
),
ends AS (
  SELECT source_l AS source, record_id_l AS record_id, p FROM inside
  UNION ALL
  SELECT source_r, record_id_r, p FROM inside
),
best AS (SELECT source, record_id, max(p) AS p FROM ends GROUP BY source, record_id)
SELECT c.source, c.record_id, c.subject_id,
       CASE WHEN s.n = 1 THEN 1.0 ELSE coalesce(b.p, 0.0) END AS link_confidence
FROM clusters c JOIN sizes s USING (subject_id)
LEFT JOIN best b ON b.source = c.source AND b.record_id = c.record_id
"""


def identity_observations_sql(columns: Iterable[str]) -> str:
    """One row per non-empty identity value of every clustered record (`records` holds the standardized rows)."""
    present = set(columns)
    selects = []
    for attribute in IDENTITY_ATTRIBUTES:
        if attribute not in present:
            continue
        value = f"CAST(r.{quote_ident(attribute)} AS VARCHAR)"
        selects.append(
            f"SELECT r.source, r.record_id, {quote_literal(attribute)} AS attribute, {value} AS value FROM records r"  # noqa: S608
        )
    if {"street", "city", "state", "postal_code"} <= present:
        selects.append(
            "SELECT r.source, r.record_id, 'address' AS attribute, "
            "CASE WHEN r.street IS NOT NULL THEN concat_ws(', ', r.street, r.city, concat_ws(' ', r.state, r.postal_code)) END AS value "
            "FROM records r"
        )
    return " UNION ALL ".join(selects)


def citizenship_observations_sql() -> str:
    """Citizenship status as asserted by events (a status fact, observed like any attribute)."""
    cases = []
    for kind, attribute, values, status in CITIZENSHIP_SIGNALS:
        condition = f"e.kind = {quote_literal(kind)}"
        if attribute is not None:
            listed = ", ".join(quote_literal(v) for v in values)
            condition += (
                f" AND upper(list_any_value(list_transform(list_filter(e.attributes, lambda x: x.k = {quote_literal(attribute)}), "
                f"lambda x: x.v))) IN ({listed})"
            )
        if kind == "benefit_decision":
            condition += " AND upper(list_any_value(list_transform(list_filter(e.attributes, lambda x: x.k = 'decision'), lambda x: x.v))) = 'APPROVED'"
        cases.append(f"WHEN {condition} THEN {quote_literal(status)}")
    return (
        "SELECT e.source, e.record_id, 'citizenship' AS attribute, "  # noqa: S608
        f"CASE {' '.join(cases)} END AS value, e.occurred_on AS event_on FROM subject_events e"
    )


def observations_sql(record_columns: Iterable[str]) -> str:
    """Every observation with provenance, in no order (`OBSERVATIONS_ORDER` is the order to group them by;
    sorting them apart from these joins is what lets DuckDB spill the sort of millions of rows)."""
    return f"""
WITH identity AS ({identity_observations_sql(record_columns)}),
seen AS (SELECT source, record_id, max(occurred_on) AS observed_on FROM subject_events GROUP BY source, record_id),
status AS ({citizenship_observations_sql()}),
rows AS (
  SELECT i.source, i.record_id, i.attribute, i.value, s.observed_on FROM identity i
  LEFT JOIN seen s ON s.source = i.source AND s.record_id = i.record_id
  UNION ALL
  SELECT source, record_id, attribute, value, event_on FROM status
)
SELECT m.subject_id, r.attribute, r.value, r.source, r.record_id, r.observed_on, m.link_confidence, k.markings
FROM rows r
JOIN record_meta m ON m.source = r.source AND m.record_id = r.record_id
LEFT JOIN source_markings k ON k.source = r.source
WHERE r.value IS NOT NULL AND r.value <> ''
"""  # noqa: S608
