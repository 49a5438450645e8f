"""The policy in force for the pages, the API and the publishers, parsed once and re-read only when a file it could come from changes
(the applied-policy log, ILOS_HOME/policies, the shipped policies, an applied policy's own directory): parsing the YAML and
validating it took longer than rendering a 50-record subject."""

from __future__ import annotations

import threading
from pathlib import Path

from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import SHIPPED_POLICIES
from ilos.errors import PermissionDeniedError
from ilos.services.access import Caller
from ilos.services.policy_admin import applied_log, resolve_policy

_cache: dict[Path, tuple[tuple[tuple[str, int, int], ...], Policy]] = {}
_lock = threading.Lock()


def _stamp(home: Path, policy: Policy | None) -> tuple[tuple[str, int, int], ...]:
    places = [home / "policies", SHIPPED_POLICIES] + (
        [Path(policy.source).parent] if policy is not None else []
    )
    files = [applied_log(home), *(f for d in places if d.is_dir() for f in d.rglob("*.y*ml"))]
    stats = []
    for f in sorted(set(files)):
        if f.is_file():
            st = f.stat()
            stats.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(stats)


def current_policy(home: Path) -> Policy:
    """`resolve_policy(None, home)`, from memory while none of its possible files changed. The files are
    stamped before they are read, so a change during the read is seen on the next call."""
    with _lock:
        cached = _cache.get(home)
    previous = cached[1] if cached is not None else None
    stamp = _stamp(home, previous)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    policy = resolve_policy(None, home)
    with _lock:
        _cache[home] = (stamp, policy)
    return policy


def policy_role(policy: Policy, caller: Caller) -> str:
    """The caller's role the policy lets work for the caller's purpose. A signed-in caller acts with one
    role (its acting role, `access.acting_role`), the one every route check judged it as; only the local
    operator, who acts with every role, gets the first allowed, alphabetically."""
    for role in sorted(r.value for r in caller.roles):
        if caller.purpose.value in policy.spec.role_purposes.get(role, ()):
            return role
    raise PermissionDeniedError(
        f"Policy {policy.label} lets none of the roles {sorted(r.value for r in caller.roles)} "
        f"work for purpose {caller.purpose.value}"
    )
