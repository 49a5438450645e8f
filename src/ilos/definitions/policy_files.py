"""Finding, reading and hashing policy files: shipped defaults under the package, overridable by files of
the same name in ILOS_HOME/policies (and ILOS_HOME/policies/priority for rule sets)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ilos.definitions.policy import Policy, PolicySpec
from ilos.definitions.priority_rules import PriorityRuleSet
from ilos.definitions.sources import hash_config_text
from ilos.definitions.yaml_text import load_yaml
from ilos.errors import FieldProblem, InvalidInputError, NotFoundError

SHIPPED_POLICIES = Path(__file__).with_name("policies")
DEFAULT_POLICY = "default"
M = TypeVar("M", bound=BaseModel)


def policy_dirs(home: Path | None) -> list[Path]:
    """Where policy names are looked up, the deployment's own first."""
    return ([home / "policies"] if home is not None else []) + [SHIPPED_POLICIES]


def find_policy_file(name_or_path: str, home: Path | None, sub: str = "") -> Path:
    """A path as given, or `<name>.yaml` in the first policy directory that has it."""
    given = Path(name_or_path)
    if given.suffix in (".yaml", ".yml"):
        if given.is_file():
            return given
        raise NotFoundError(f"Policy file {given} does not exist")
    searched = [d / sub / f"{name_or_path}.yaml" for d in policy_dirs(home)]
    for candidate in searched:
        if candidate.is_file():
            return candidate
    raise NotFoundError(
        f"No policy named {name_or_path!r} (looked for {', '.join(map(str, searched))}); "
        f"shipped: {', '.join(shipped_policy_names())}"
    )


def shipped_policy_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_POLICIES.glob("*.yaml"))


def load_priority_rules(path: Path) -> PriorityRuleSet:
    raw, data = _read_yaml(path, "Priority rule set")
    rules = _validate(PriorityRuleSet, data, f"Priority rule set {path}")
    return rules.model_copy(update={"content_hash": hash_config_text(raw)})


def load_policy(name_or_path: str = DEFAULT_POLICY, home: Path | None = None) -> Policy:
    """A policy and its priority rule set, validated; the hash covers both, so a decision cites both."""
    path = find_policy_file(name_or_path, home)
    raw, data = _read_yaml(path, "Policy file")
    spec = _validate(PolicySpec, data, f"Policy file {path}")
    rules_path = _sibling_rules(path, spec.priority_rules) or find_policy_file(
        spec.priority_rules, home, "priority"
    )
    rules = load_priority_rules(rules_path)
    digest = hashlib.sha256(raw + b"\0" + rules.content_hash.encode()).hexdigest()
    return Policy(spec=spec, rules=rules, content_hash=digest, source=str(path))


def _sibling_rules(policy_path: Path, name: str) -> Path | None:
    """A policy finds its rule set in the `priority/` directory next to it first."""
    candidate = policy_path.parent / "priority" / f"{name}.yaml"
    return candidate if candidate.is_file() else None


def _read_yaml(path: Path, what: str) -> tuple[bytes, Any]:
    if not path.is_file():
        raise NotFoundError(f"{what} {path} does not exist")
    raw = path.read_bytes()
    try:
        return raw, load_yaml(raw)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{what} {path} is not valid YAML: {exc}") from exc


def _validate(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(map(str, e["loc"])) or "file", str(e["msg"]).removeprefix("Value error, "))
            for e in exc.errors()
        ]
        raise InvalidInputError(f"{what} is invalid", problems) from exc
