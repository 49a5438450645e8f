"""The audit viewer's page: verify the chain, then the latest events (newest first), optionally of one
actor or action. Both reads go through `audit_log`, so each is authorised (oversight) and audited."""

from __future__ import annotations

from dataclasses import dataclass

from ilos.audit.chain import Verification
from ilos.services import audit_log
from ilos.services.access import Caller
from ilos.services.audit_log import AuditEventView
from ilos.services.store_access import Store
from ilos.store.audit_events import EventFilter

PAGE = 50
SCAN = 1000  # a filtered page looks this far back in the chain


@dataclass(frozen=True, slots=True)
class AuditPage:
    verification: Verification
    events: tuple[AuditEventView, ...]
    older: int | None  # pass as `before` for the next (older) page


def audit_page(
    store: Store, caller: Caller, before: int | None, actor: str | None, action: str | None
) -> AuditPage:
    """Events with seq < `before` (default: after the head), newest first."""
    verification = audit_log.verify(store, caller)
    end = min(before or verification.head.seq + 1, verification.head.seq + 1)
    filtered = actor is not None or action is not None
    window = SCAN if filtered else PAGE
    after = max(0, end - 1 - window)
    found = audit_log.list_events(store, caller, EventFilter(after, window, actor, action))
    events = [e for e in found if e.seq < end][-PAGE:]
    events.reverse()
    older = (events[-1].seq if events else after + 1) if after > 0 else None
    return AuditPage(verification, tuple(events), older)
