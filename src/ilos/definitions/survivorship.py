"""The survivorship rules file (survivorship.yaml): validated, hashed and turned into domain rules."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ilos.definitions.sources import hash_config_text
from ilos.definitions.yaml_text import load_yaml
from ilos.domain.attributes import Criterion, SurvivorshipRules
from ilos.errors import FieldProblem, InvalidInputError

DEFAULT_RULES_PATH = Path(__file__).with_name("survivorship.yaml")


class SurvivorshipSpec(BaseModel):
    """The file's shape; every problem is reported at once by pydantic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    tiers: dict[int, list[str]]
    default_tier: int
    criteria: list[Criterion]
    per_attribute: dict[str, list[Criterion]] = {}
    critical: list[str] = []

    @model_validator(mode="after")
    def _each_source_once(self) -> SurvivorshipSpec:
        seen: dict[str, int] = {}
        for tier, sources in self.tiers.items():
            for source in sources:
                if source in seen:
                    raise ValueError(
                        f"source {source!r} is in tier {seen[source]} and tier {tier}; list it once"
                    )
                seen[source] = tier
        return self


def load_survivorship_rules(path: Path = DEFAULT_RULES_PATH) -> SurvivorshipRules:
    """Read, validate and hash a rules file; the hash travels with every best value derived from it."""
    if not path.is_file():
        raise InvalidInputError(f"Survivorship rules file {path} does not exist")
    raw = path.read_bytes()
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"Survivorship rules file {path} is not valid YAML: {exc}") from exc
    try:
        spec = SurvivorshipSpec.model_validate(data)
    except ValidationError as exc:
        problems = [FieldProblem(".".join(map(str, e["loc"])) or "file", e["msg"]) for e in exc.errors()]
        raise InvalidInputError(f"Survivorship rules file {path} is invalid", problems) from exc
    return SurvivorshipRules(
        source_tiers={s: tier for tier, sources in spec.tiers.items() for s in sources},
        default_tier=spec.default_tier,
        criteria=tuple(spec.criteria),
        per_attribute={k: tuple(v) for k, v in spec.per_attribute.items()},
        critical=frozenset(spec.critical),
        version=spec.version,
        content_hash=hash_config_text(raw),
    )
