"""The demo use case: a synthetic world through every pipeline stage that exists, with a summary; then
the subjects and the analyst's worklist are published to the operational store and demo users get fresh
random passwords."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher

from ilos.config import Settings
from ilos.errors import ConflictError
from ilos.resolve.evaluation import LinkageScores
from ilos.services import ingestion, legal_records, linking, subjects, users, worklists, world
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.audit_log import Action, record
from ilos.services.linkage_publish import publish_linkage
from ilos.services.progress import Progress
from ilos.services.store_access import Store, open_store
from ilos.services.subject_record import linkage_dir
from ilos.services.worklist_publish import publish_worklist
from ilos.store import users as user_rows

# One user per role a first visitor wants to try; passwords are new on every run and shown once.
DEMO_USERS = (
    ("analyst", Role.analyst),
    ("supervisor", Role.supervisor),
    ("steward", Role.data_steward),
    ("oversight", Role.oversight),
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    world_dir: Path
    persons: int
    seed: int
    source_rows: dict[str, int]
    ingested: ingestion.IngestReport
    linkage: linking.LinkRun
    scores: LinkageScores
    subjects: subjects.SubjectsBuild
    published: int
    worklist: worklists.WorklistBuild


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: str
    password: str  # shown once by the CLI, never stored or logged


def run_demo(settings: Settings, persons: int, seed: int, progress: Progress) -> DemoSummary:
    """Generate a fresh world under ILOS_HOME/world, ingest, link, score, build and publish subjects."""
    world_dir = settings.world_dir
    if world_dir.exists():
        shutil.rmtree(world_dir)
    progress(f"generating a world of {persons:,} persons (seed {seed})")
    generated = world.generate_world(world_dir, persons, seed, None)
    # A small world may have no rows for a source (no departure reports): ingest refuses a file without
    # data rows, so those are left out of ingest and linked as known to be empty.
    empty = [name for name, rows in generated.rows_per_source.items() if rows == 0]
    landed = [name for name in generated.rows_per_source if name not in empty]
    progress("ingesting the world's sources into the lake")
    report = ingestion.ingest_config(world_dir / "sources.yaml", settings, None, landed)
    out = linkage_dir(settings.home)
    link_run = linking.link_lake(
        settings, world_dir / "sources.yaml", out, progress=progress, empty_sources=empty
    )
    progress("scoring the linkage against the hidden truth")
    scores = linking.evaluate_linkage(out, world_dir / "truth" / "records.parquet")
    progress("building subject records")
    built = subjects.build_subjects(out, world_dir / "sources.yaml", settings=settings)
    progress("publishing subjects to the operational store")
    store = open_store(settings)
    operator = local_operator(Purpose.data_quality)
    try:
        published = publish_linkage(store, operator, out).subjects
        progress(f"deciding the worklist for {worklists.DEFAULT_PURPOSE} and publishing it")
        inputs = legal_records.decision_inputs(store, operator)
        worklist = worklists.build_worklist(out, home=settings.home, progress=progress, inputs=inputs)
        publish_worklist(store, operator, out)
    finally:
        store.close()
    return DemoSummary(
        world_dir, persons, seed, dict(generated.rows_per_source), report, link_run, scores, built, published,
        worklist,
    )  # fmt: skip


def reset_demo_users(settings: Settings) -> list[DemoUser]:
    """Create the demo users, or give existing ones a new password (unlocked, enabled); audited."""
    store = open_store(settings)
    operator = local_operator(Purpose.administration)
    try:
        return [_ensure_user(store, operator, name, role) for name, role in DEMO_USERS]
    finally:
        store.close()


def _ensure_user(store: Store, operator: Caller, username: str, role: Role) -> DemoUser:
    password = secrets.token_urlsafe(15)
    try:
        users.create_user(store, operator, username, password, [role.value])
    except ConflictError:
        with store.transaction() as session:
            row = user_rows.get_user_by_username(session, username, for_update=True)
            assert row is not None  # the conflict said it exists, and users are never deleted
            row.password_hash = PasswordHasher().hash(password)
            row.roles, row.disabled, row.failed_attempts, row.locked_until = [role.value], False, 0, None
            action = Action("user.reset_password", "user", (row.id,), {"username": username}, 1)
            record(session, operator, action)
    return DemoUser(username, role.value, password)
