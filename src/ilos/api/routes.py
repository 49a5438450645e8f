"""The /api/v1 routes: each parses its input, calls one service function and renders the result.

The routes every client calls often (health, sign-in, subject read and search) are `async` and run their
service call on the API's few threads (`ilos.api.threads`); the audit routes are plain sync routes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request

from ilos import __version__
from ilos.api.deps import client_address, request_caller, request_credentials, store_of
from ilos.api.schemas import (
    ERROR_RESPONSES,
    AuditEventListOut,
    AuditEventOut,
    HealthOut,
    SubjectListOut,
    SubjectOut,
    TokenIn,
    TokenOut,
    VerifyOut,
)
from ilos.api.threads import in_api_thread, in_sign_in_thread
from ilos.services import audit_log, subject_search, users
from ilos.services.access import Caller
from ilos.services.api_context import Credentials
from ilos.services.store_access import Store
from ilos.store.audit_events import EventFilter

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; refuse it as invalid input, not a 500

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/health", response_model=HealthOut, tags=["health"])
async def health(store: Store = Depends(store_of)) -> HealthOut:
    """Liveness and database reachability; no authentication, no subject data."""
    database = "ok" if await in_api_thread(store.is_healthy) else "unreachable"
    return HealthOut(status="ok" if database == "ok" else "degraded", version=__version__, database=database)


@router.post("/auth/token", response_model=TokenOut, tags=["auth"])
async def issue_token(body: TokenIn, request: Request, store: Store = Depends(store_of)) -> TokenOut:
    """Sign in with a password for one purpose of use; returns a bearer token (shown once)."""
    attempt = users.SignIn(
        body.username, body.password, body.purpose, client_address(request), role=body.role
    )
    issued = await in_sign_in_thread(users.sign_in, store, attempt)
    return TokenOut(
        access_token=issued.token,
        token_id=issued.token_id,
        purpose=issued.purpose.value,
        expires_at=issued.expires_at,
        username=issued.username,
        roles=issued.roles,
        role=issued.role.value,
    )


@router.get("/subjects", response_model=SubjectListOut, tags=["subjects"])
async def search_subjects(
    q: str = Query(
        ..., max_length=200, description="A name (contains), a date of birth YYYY-MM-DD or an identifier."
    ),
    limit: int = Query(20, ge=1, le=subject_search.MAX_RESULTS),
    credentials: Credentials = Depends(request_credentials),
    store: Store = Depends(store_of),
) -> SubjectListOut:
    """Search published subjects; the query, the caller's purpose and the results are audited."""
    found = await in_api_thread(subject_search.search, store, credentials, q, limit)
    return SubjectListOut(items=[SubjectOut.from_view(v) for v in found], count=len(found))


@router.get("/subjects/{subject_id}", response_model=SubjectOut, tags=["subjects"])
async def read_subject(
    subject_id: str = Path(max_length=64, pattern=NO_NUL),
    credentials: Credentials = Depends(request_credentials),
    store: Store = Depends(store_of),
) -> SubjectOut:
    """One published subject; the token check, the read and its audit event are one transaction."""
    return SubjectOut.from_view(await in_api_thread(subject_search.view, store, credentials, subject_id))


@router.get("/audit/events", response_model=AuditEventListOut, tags=["audit"])
def list_audit_events(
    after: int = Query(0, ge=0, le=2**62, description="Only events after this chain position."),
    limit: int = Query(100, ge=1, le=1000),
    actor: str | None = Query(None, max_length=128, pattern=NO_NUL),
    action: str | None = Query(None, max_length=64, pattern=NO_NUL),
    caller: Caller = Depends(request_caller),
    store: Store = Depends(store_of),
) -> AuditEventListOut:
    """Audit events in chain order (oversight only); this read is itself audited."""
    events = audit_log.list_events(store, caller, EventFilter(after, limit, actor, action))
    next_after = events[-1].seq if len(events) == limit else None
    return AuditEventListOut(items=[AuditEventOut.from_view(e) for e in events], next_after=next_after)


@router.get("/audit/verify", response_model=VerifyOut, tags=["audit"])
def verify_audit_chain(
    caller: Caller = Depends(request_caller), store: Store = Depends(store_of)
) -> VerifyOut:
    """Check the whole hash chain (oversight only); names the first bad event if any."""
    r = audit_log.verify(store, caller)
    return VerifyOut(
        ok=r.ok,
        checked=r.checked,
        head_seq=r.head.seq,
        head_hash=r.head.hash,
        first_bad_seq=r.first_bad_seq,
        reason=r.reason,
    )
