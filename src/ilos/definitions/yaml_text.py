"""Reading a definitions file's YAML: safe types only, and a key given twice in one mapping refused (YAML
keeps the last silently, so `given_name: fname` then `given_name: lname` linked every given name as the
family name). A merge (`<<: *base`) may still be overridden by the mapping's own keys."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _UniqueKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_at: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # a list or mapping as a key: the parent reports it as YAML that cannot be read
            if key in first_at:
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice (first on line {first_at[key] + 1}): give it once",
                    key_node.start_mark,
                )
            first_at[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def load_yaml(raw: bytes | str) -> Any:
    """The document's data (`yaml.safe_load`, with repeated keys refused by a `yaml.YAMLError`)."""
    return yaml.load(raw, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


__all__ = ["load_yaml"]
