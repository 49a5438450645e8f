"""The resolved-record routes: a subject's provenance, timeline, why-linked and decision; the worklist; the
review queue and judgements. Same services as the web pages, so the same access rules, audit and markings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from ilos.policy.results import Status
from ilos.resolve import judgements
from ilos.services import linkage_publish
from ilos.services.linking import explain_link
from ilos.services.policy_in_force import current_policy
from ilos.store.search_keys import identifier_key
from ilos.store.tables import AuditEventRow, SubjectIdentifierRow, SubjectRow

Headers = Callable[[str], dict[str, str]]
SUBJECT_VIEWS = ("provenance", "timeline", "why-linked", "decision")
ROUTES = [
    *[("get", f"/api/v1/subjects/S7f3a9c/{view}", None) for view in SUBJECT_VIEWS],
    ("get", "/api/v1/worklist", None),
    ("get", "/api/v1/review-queue", None),
    ("post", "/api/v1/review-judgements", {"left": "a|1", "right": "b|2", "verdict": "match"}),
]
ACTIONS = [*["subject.read"] * len(SUBJECT_VIEWS), "worklist.read", "review.read", "review.judge"]
"""The audited action of each route in ROUTES."""
# (role, index in ROUTES): a role each route does not serve
REFUSED = [
    *[(role, i) for i in range(len(SUBJECT_VIEWS)) for role in ("oversight", "admin")],
    ("data_steward", 4),
    ("oversight", 4),
    ("analyst", 5),
    ("logistics_planner", 5),
    ("analyst", 6),
]


def _richest_subject(linkage: Path) -> str:
    """The subject with the most records (ties by id), so every view has something to show."""
    rows = pq.read_table(linkage / "subjects.parquet", columns=["subject_id", "record_count"]).to_pylist()
    return min(rows, key=lambda r: (-r["record_count"], r["subject_id"]))["subject_id"]


def _audited(app: FastAPI, action: str) -> list[AuditEventRow]:
    with app.state.store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_record_route_needs_a_token(client: TestClient, method: str, url: str, body: object) -> None:
    response = client.request(
        method.upper(), url, json=body, headers={"X-ILOS-Purpose": "case_investigation"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("role", "route"), REFUSED)
def test_each_record_route_refuses_a_role_it_does_not_serve(
    client: TestClient, app: FastAPI, headers_for: Headers, role: str, route: int
) -> None:
    method, url, body = ROUTES[route]
    response = client.request(method.upper(), url, json=body, headers=headers_for(role))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "permission_denied"
    denied = [(e.action, e.actor) for e in _all_events(app) if e.outcome == "denied"]
    assert denied == [(ACTIONS[route], role.replace("_", "-"))], "the refusal is audited, once"


def _all_events(app: FastAPI) -> list[AuditEventRow]:
    with app.state.store.transaction() as session:
        return list(session.scalars(select(AuditEventRow)))


def test_provenance_names_the_records_behind_every_value_and_is_audited(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    subject = _richest_subject(published)
    response = client.get(f"/api/v1/subjects/{subject}/provenance", headers=headers_for("analyst"))
    assert response.status_code == 200, response.text
    body = response.json()
    records = {r.replace("|", ":") for r in body["records"]}
    assert len(records) >= 2
    shown = [v for row in body["identity"] for v in row["values"] if v["value"] is not None]
    assert shown, "an analyst sees the subject's unmarked identity"
    for value in shown:
        assert value["sources"], value
        assert {s["record"] for s in value["sources"]} <= records
    assert any(row["attribute"] == "full_name" for row in body["identity"])
    reads = [e for e in _audited(app, "subject.read") if subject in e.object_ids]
    assert reads and reads[-1].purpose == "case_investigation"


def test_a_record_the_purpose_may_not_use_is_named_in_no_subject_view(
    client: TestClient, headers_for: Headers, published: Path
) -> None:
    """Even that a tax filing exists is tax return information: without a cited authority, an analyst's
    provenance, timeline, why-linked and decision (its gates' evidence and inputs) of a taxed subject neither
    list, link nor name its tax records, and `withheld` names the source once with the reason. A data
    steward, who may use TAX data, sees them."""
    taxed = _subject_with_source(published, "tax_addresses")
    mine = [c for c in pq.read_table(published / "clusters.parquet").to_pylist() if c["subject_id"] == taxed]
    tax_records = {f"tax_addresses:{c['record_id']}" for c in mine if c["source"] == "tax_addresses"}
    views = {
        view: client.get(f"/api/v1/subjects/{taxed}/{view}", headers=headers_for("analyst")).json()
        for view in ("provenance", "timeline", "why-linked", "decision")
    }
    text = json.dumps(views)
    assert not [r for r in tax_records if r in text]
    assert "withheld:tax_addresses" in views["decision"]["inputs"]
    for body in (views["provenance"], views["timeline"], views["why-linked"]):
        [withheld] = [w for w in body["withheld"] if "tax_addresses" in w["record"]]
        assert (withheld["what"], withheld["record"]) == ("records", "tax_addresses")
        assert "recorded authority" in withheld["reason"]
    assert len(views["provenance"]["records"]) == len(mine) - len(tax_records)
    assert {r["record"] for r in views["why-linked"]["records"]} == set(views["provenance"]["records"])

    steward = client.get(f"/api/v1/subjects/{taxed}/provenance", headers=headers_for("data_steward")).json()
    assert tax_records <= set(steward["records"])
    decided = client.get(f"/api/v1/subjects/{taxed}/decision", headers=headers_for("data_steward")).json()
    assert tax_records <= set(decided["inputs"])
    assert not [w for w in steward["withheld"] if "tax_addresses" in w["record"]]


def _subject_with_source(linkage: Path, source: str) -> str:
    clusters = pq.read_table(linkage / "clusters.parquet").to_pylist()
    subjects = sorted({c["subject_id"] for c in clusters if c["source"] == source})
    assert subjects, f"the world has {source} records"
    return subjects[0]


def test_withheld_tax_addresses_are_named_by_source_once_without_their_periods(
    client: TestClient, headers_for: Headers, published: Path
) -> None:
    """Which years a person filed taxes for, and how many times, is tax return information too: a supervisor
    with no authority cited is told once that a newer address from tax_addresses is withheld, and why, in
    the decision, the worklist and every subject view, never the tax years nor a line per filing."""
    taxed, years = _subject_with_newer_tax_addresses_of_two_years(published)
    supervisor = headers_for("supervisor")
    views = {
        view: client.get(f"/api/v1/subjects/{taxed}/{view}", headers=supervisor).json()
        for view in SUBJECT_VIEWS
    }
    location = views["decision"]["location"]["withheld"]
    texts = [location, _worklist_item(client, supervisor, taxed)["location_withheld"]]
    texts += [w["reason"] for view in views.values() for w in view.get("withheld", ())]
    assert location.count("tax_addresses") == 1 and "recorded authority" in location
    assert texts[1] == location, "the worklist says what the decision says"
    assert not [(year, text) for year in years for text in texts if year in text]


def _subject_with_newer_tax_addresses_of_two_years(linkage: Path) -> tuple[str, set[str]]:
    """A subject whose tax records of two tax years or more hold an address newer than any an enforcement
    purpose may use (so both are withheld from its location), with those years."""
    rows = duckdb.sql(
        f"""
        WITH usable AS (
            SELECT subject_id, max(observed_on) AS last FROM read_parquet('{linkage / "observations.parquet"}')
            WHERE attribute = 'address' AND NOT list_has_any(markings, ['TAX', 'HEALTH']) GROUP BY subject_id
        ), taxed AS (
            SELECT o.subject_id, list_filter(t.attributes, lambda a: a.k = 'tax_year')[1].v AS tax_year
            FROM read_parquet('{linkage / "observations.parquet"}') o
            JOIN read_parquet('{linkage / "timeline.parquet"}') t USING (subject_id, source, record_id)
            LEFT JOIN usable u USING (subject_id)
            WHERE o.attribute = 'address' AND o.source = 'tax_addresses' AND o.observed_on > coalesce(u.last, DATE '0001-01-01')
        )
        SELECT subject_id, list(DISTINCT tax_year) FROM taxed GROUP BY subject_id
        HAVING count(DISTINCT tax_year) >= 2 ORDER BY subject_id LIMIT 1
        """
    ).fetchall()
    assert rows, "the world has a subject with newer tax addresses of two tax years"
    [(subject_id, years)] = rows
    return subject_id, set(years)


def _worklist_item(client: TestClient, headers: dict[str, str], subject_id: str) -> dict[str, object]:
    """The subject's row of the caller's worklist, page by page."""
    page, pages = 1, 1
    while page <= pages:
        body = client.get(f"/api/v1/worklist?page={page}", headers=headers).json()
        found = [i for i in body["items"] if i["subject_id"] == subject_id]
        if found:
            return dict(found[0])
        page, pages = page + 1, body["pages"]
    raise AssertionError(f"{subject_id} is not on the worklist")


def test_timeline_is_in_date_order_and_from_the_subjects_records(
    client: TestClient, headers_for: Headers, published: Path
) -> None:
    subject = _richest_subject(published)
    body = client.get(f"/api/v1/subjects/{subject}/timeline", headers=headers_for("supervisor")).json()
    days = [e["on"] for e in body["events"]]
    assert days and days == sorted(days)
    provenance = client.get(
        f"/api/v1/subjects/{subject}/provenance", headers=headers_for("supervisor")
    ).json()
    records = {r.replace("|", ":") for r in provenance["records"]}
    assert {e["record"] for e in body["events"]} <= records


def test_why_linked_gives_each_records_strongest_link_with_match_weights(
    client: TestClient, headers_for: Headers, published: Path
) -> None:
    subject = _richest_subject(published)
    body = client.get(f"/api/v1/subjects/{subject}/why-linked", headers=headers_for("analyst")).json()
    links = [r["link"] for r in body["records"] if r["link"] is not None]
    assert len(body["records"]) >= 2 and links
    for link in links:
        assert 0.0 <= link["probability"] <= 1.0
        assert link["comparisons"] and all(c["level"] for c in link["comparisons"])
        assert link["probability"] == pytest.approx(1 / (1 + 2 ** -link["weight"]), abs=1e-6)


def test_decision_carries_its_gates_explanation_and_policy_version(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    subject = _richest_subject(published)
    body = client.get(f"/api/v1/subjects/{subject}/decision", headers=headers_for("analyst")).json()
    policy = current_policy(app.state.store.settings.home)
    assert body["subject_id"] == subject
    assert body["status"] in {s.value for s in Status}
    assert (body["policy_version"], body["policy_hash"]) == (policy.version, policy.content_hash)
    assert body["gates"] and all(g["reason"] for g in body["gates"])
    assert body["explanation"] and body["purpose"] == "case_investigation"
    blocking = [g for g in body["gates"] if g["blocks"]]
    assert (body["status"] == "actionable") == (not blocking)


@pytest.mark.parametrize("view", SUBJECT_VIEWS)
def test_an_unknown_subject_is_not_found_in_every_view(
    client: TestClient, headers_for: Headers, published: Path, view: str
) -> None:
    response = client.get(f"/api/v1/subjects/Snot-a-subject/{view}", headers=headers_for("analyst"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_worklist_pages_every_subject_and_names_unknown_filters(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    subjects = pq.read_table(published / "subjects.parquet").num_rows
    body = client.get("/api/v1/worklist", headers=headers_for("analyst")).json()
    assert body["total"] == subjects == sum(body["by_status"].values())
    assert 0 < len(body["items"]) <= 50 and body["pages"] == -(-subjects // 50)
    blocked = client.get("/api/v1/worklist?status=blocked", headers=headers_for("analyst")).json()
    assert blocked["matching"] == body["by_status"].get("blocked", 0)
    assert all(i["status"] == "blocked" and i["gates"] for i in blocked["items"])
    wrong = client.get("/api/v1/worklist?status=doomed&gate=nope", headers=headers_for("analyst"))
    assert wrong.status_code == 422
    assert {p["location"] for p in wrong.json()["error"]["problems"]} == {"status", "gate"}
    assert _audited(app, "worklist.read")


def test_a_judgement_from_the_queue_is_recorded_and_leaves_the_queue(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    queue = client.get("/api/v1/review-queue", headers=headers_for("data_steward")).json()
    assert queue["pair"] is not None and queue["waiting"] >= 1, "the world leaves pairs for review"
    pair = queue["pair"]
    assert pair["comparisons"] and pair["left"]["key"] != pair["right"]["key"]
    # Read from the queue's own row of the link: the weights `ilos link explain` gives (each comparison's
    # with its term-frequency adjustment).
    explained = explain_link(published, pair["left"]["key"], pair["right"]["key"])
    assert (pair["probability"], pair["weight"]) == (explained.match_probability, explained.match_weight)
    shown = [(c["name"], c["level"], c["weight"]) for c in pair["comparisons"]]
    assert shown == [(c.comparison, c.level, c.match_weight + c.tf_adjustment) for c in explained.comparisons]
    verdict = {"left": pair["left"]["key"], "right": pair["right"]["key"], "verdict": "no_match"}
    made = client.post("/api/v1/review-judgements", json=verdict, headers=headers_for("data_steward"))
    assert made.status_code == 201, made.text
    assert made.json()["judged_by"] == "data-steward"
    after = client.get("/api/v1/review-queue", headers=headers_for("data_steward")).json()
    assert after["waiting"] == queue["waiting"] - 1
    assert (after["recent"][0]["left"], after["recent"][0]["verdict"]) == (made.json()["left"], "no_match")
    judged = _audited(app, "review.judge")
    assert [e.detail for e in judged] == ["no_match"]


def test_a_reviewer_whose_purpose_may_not_see_a_source_neither_sees_nor_judges_its_pairs(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    """A supervisor working for case investigation may not use tax data: pairs holding a tax record are
    counted for them, not shown (nor named in the latest judgements), and a judgement on one is refused and
    audited. The data steward, working for data quality, sees and judges them."""
    steward = client.get("/api/v1/review-queue", headers=headers_for("data_steward")).json()
    supervisor = client.get("/api/v1/review-queue", headers=headers_for("supervisor")).json()
    assert supervisor["withheld"] > 0 and steward["withheld"] == 0
    assert supervisor["waiting"] + supervisor["withheld"] == steward["waiting"]
    assert "tax_addresses" in {w["source"] for w in supervisor["withheld_sources"]}
    assert "tax_addresses|" not in json.dumps(
        {k: v for k, v in supervisor.items() if k != "withheld_sources"}
    )
    queued = pq.read_table(published / "review.parquet").to_pylist()
    taxed = next(q for q in queued if "tax_addresses|" in q["unique_id_l"] + q["unique_id_r"])
    verdict = {"left": taxed["unique_id_l"], "right": taxed["unique_id_r"], "verdict": "match"}
    refused = client.post("/api/v1/review-judgements", json=verdict, headers=headers_for("supervisor"))
    assert refused.status_code == 403, refused.text
    assert [e.outcome for e in _audited(app, "review.judge")] == ["denied"]
    # However the source is spelled (judge_pair finds it in any case, spaces around it trimmed), and
    # whether or not such a record exists: a 404 would tell which tax records do.
    taxed_key = next(
        k for k in (taxed["unique_id_l"], taxed["unique_id_r"]) if k.startswith("tax_addresses|")
    )
    other_key = ({taxed["unique_id_l"], taxed["unique_id_r"]} - {taxed_key}).pop()
    for spelled in ("TAX_ADDRESSES|", " Tax_Addresses|"):
        for record_id in (taxed_key.split("|", 1)[1], "NO-SUCH-RECORD"):
            probe = {"left": other_key, "right": spelled + record_id, "verdict": "no_match"}
            answer = client.post("/api/v1/review-judgements", json=probe, headers=headers_for("supervisor"))
            assert answer.status_code == 403, (probe, answer.text)
    assert [e.outcome for e in _audited(app, "review.judge")] == ["denied"] * 5
    assert not judgements.read_judgements(published)
    made = client.post("/api/v1/review-judgements", json=verdict, headers=headers_for("data_steward"))
    assert made.status_code == 201, made.text
    recent = client.get("/api/v1/review-queue", headers=headers_for("supervisor")).json()["recent"]
    assert not [j for j in recent if "tax_addresses|" in j["left"] + j["right"]]


def test_judging_records_that_were_never_paired_is_not_found_and_audited(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    """A judgement refused for an unknown or unscored pair leaves its audit event as any refusal does:
    probing which records exist must leave a trace."""
    verdict = {"left": "court_cases|NOPE-1", "right": "encounters|NOPE-2", "verdict": "match"}
    response = client.post("/api/v1/review-judgements", json=verdict, headers=headers_for("supervisor"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    [event] = _audited(app, "review.judge")
    assert (event.outcome, event.actor, list(event.object_ids)) == (
        "not_found",
        "supervisor",
        ["court_cases|NOPE-1", "encounters|NOPE-2"],
    )
    assert "NOPE-1" in event.detail


def test_subject_read_and_search_leave_out_sources_the_purpose_may_not_use(
    client: TestClient, headers_for: Headers, published: Path
) -> None:
    """Even that a tax record exists is tax return information: an analyst's summary (read or search) does
    not name the source nor count its records, and `withheld` says why."""
    taxed = _subject_with_source(published, "tax_addresses")
    clusters = pq.read_table(published / "clusters.parquet").to_pylist()
    mine = [c for c in clusters if c["subject_id"] == taxed]
    untaxed = [c for c in mine if c["source"] != "tax_addresses"]
    body = client.get(f"/api/v1/subjects/{taxed}", headers=headers_for("analyst")).json()
    assert "tax_addresses" not in body["payload"]["sources"]
    assert body["payload"]["record_count"] == len(untaxed) < len(mine)
    assert not {"records_by_source", "source_markings"} & body["payload"].keys()
    [withheld] = [w for w in body["withheld"] if w["record"] == "tax_addresses"]
    assert withheld["what"] == "source" and "authority" in withheld["reason"]
    name = body["display_name"]
    found = client.get("/api/v1/subjects", params={"q": name}, headers=headers_for("analyst")).json()
    [hit] = [s for s in found["items"] if s["subject_id"] == taxed]
    assert (hit["payload"], hit["withheld"]) == (body["payload"], body["withheld"])


def test_published_names_dates_and_identifiers_come_from_open_records_only(
    app: FastAPI, published: Path
) -> None:
    """What every reader of the store sees (name, date of birth, search identifiers) is taken from records
    that are neither tax nor health data; a subject known only from those is published without a name."""
    observations = pq.read_table(published / "observations.parquet").to_pylist()
    open_values: dict[str, set[tuple[str, str]]] = {}
    restricted = 0
    for o in observations:
        if {"TAX", "HEALTH"} & set(o["markings"] or ()):
            restricted += 1
            continue
        open_values.setdefault(o["subject_id"], set()).add((o["attribute"], o["value"]))
    assert restricted, "the world has tax and health records"
    linked = set(pq.read_table(published / "subjects.parquet").column("subject_id").to_pylist())
    with app.state.store.transaction() as session:  # the app's own fixture subjects are not the world's
        subjects = {s.subject_id: s for s in session.scalars(select(SubjectRow)) if s.subject_id in linked}
        identifiers = [i for i in session.scalars(select(SubjectIdentifierRow)) if i.subject_id in linked]
    assert len(subjects) == len(linked)
    for subject in subjects.values():
        mine = open_values.get(subject.subject_id, set())
        names = {v for a, v in mine if a == "full_name"}
        assert subject.display_name in names or (subject.display_name == "(no name)" and not names)
        if subject.date_of_birth is not None:
            assert ("date_of_birth", subject.date_of_birth.isoformat()) in mine
    for identifier in identifiers:
        mine = open_values.get(identifier.subject_id, set())
        assert any(a == identifier.kind and identifier_key(v) == identifier.value for a, v in mine)


def test_a_policy_that_marks_a_source_restricted_keeps_its_values_out_of_what_every_reader_sees(
    linked: Path,
) -> None:
    """The published name, date of birth and search identifiers honour the policy's `source_markings`, not
    only the records' own markings: with every source marked HEALTH, nothing names a subject."""
    sources = set(pq.read_table(linked / "observations.parquet").column("source").to_pylist())
    open_rows = list(linkage_publish.subject_rows(linked, {}))
    assert any(r["display_name"] != "(no name)" for r in open_rows)
    closed_rows = list(linkage_publish.subject_rows(linked, {s: ("HEALTH",) for s in sources}))
    assert len(closed_rows) == len(open_rows)
    for row in closed_rows:
        assert (row["display_name"], row["date_of_birth"], row["identifiers"]) == ("(no name)", None, [])
