"""Use cases of policy versions: which policy is in force, and applying one with who, when and why recorded (append-only JSONL under
ILOS_HOME/policies/applied.jsonl until the operational store holds it)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import DEFAULT_POLICY, load_policy
from ilos.errors import ConfigError, InvalidInputError

APPLIED_LOG = "applied.jsonl"


@dataclass(frozen=True, slots=True)
class AppliedPolicy:
    at: str
    by: str
    reason: str
    policy_id: str
    version: int
    content_hash: str
    source: str


def applied_log(home: Path) -> Path:
    return home / "policies" / APPLIED_LOG


def applied_history(home: Path) -> list[AppliedPolicy]:
    path = applied_log(home)
    if not path.is_file():
        return []
    return [AppliedPolicy(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def resolve_policy(name: str | None, home: Path | None) -> Policy:
    """The named policy, else the last one applied under `home`, else the shipped default.

    An applied policy whose file changed since it was applied is refused: decisions must cite what applied."""
    if name:
        return load_policy(name, home)
    history = applied_history(home) if home is not None else []
    if not history:
        return load_policy(DEFAULT_POLICY, home)
    last = history[-1]
    policy = load_policy(last.source, home)
    if policy.content_hash != last.content_hash:
        raise ConfigError(
            f"Policy {last.policy_id} applied on {last.at} (hash {last.content_hash[:12]}) has changed on disk "
            f"(now {policy.content_hash[:12]}); apply the new version with `ilos policy apply` or restore the file"
        )
    return policy


def apply_policy(name: str, by: str, reason: str, home: Path, now: datetime | None = None) -> AppliedPolicy:
    """Validate the policy and append who applied it, when and why; the log is never rewritten."""
    problems = [what for what, value in (("--by", by), ("--reason", reason)) if not value.strip()]
    if problems:
        raise InvalidInputError(f"Applying a policy needs {' and '.join(problems)}: who applies it and why")
    policy = load_policy(name, home)
    record = AppliedPolicy(
        at=(now or datetime.now(UTC)).isoformat(),
        by=by,
        reason=reason,
        policy_id=policy.id,
        version=policy.version,
        content_hash=policy.content_hash,
        source=str(Path(policy.source).resolve()),
    )
    path = applied_log(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(json.dumps(asdict(record)) + "\n")
    return record
