"""Where the API's blocking service calls run: a few threads per process, not anyio's default forty; and
the garbage collector's view of a serving process.

Every audited request holds the audit chain's head lock from its append through its commit, so the chain
is extended one request at a time across all server processes. With up to forty request threads per
process taking turns on the GIL, the holder waited for the GIL between its statements and its commit
(measured: lock to commit p99 38 ms, commit p99 103 ms, instead of ~1 and ~4), and every other audited
request queued behind it (lock wait p99 0.5 s at 50 requests/s). With four threads the queue is in
front of the transaction (FIFO, holding no lock and no connection) and the holder keeps its pace
(docs/api.md, Performance)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

T = TypeVar("T")

API_THREADS = 4
"""Blocking API calls (each a transaction, mostly waiting on the database) running at once per process."""

SIGN_IN_THREADS = 1
"""Sign-ins running at once per process: each hashes a password (argon2, ~20 ms of one core), so more at
once only take cores from the reads; a burst of sign-ins waits here instead of in front of them."""

_API: RunVar[CapacityLimiter] = RunVar("ilos_api_threads")
_SIGN_IN: RunVar[CapacityLimiter] = RunVar("ilos_sign_in_threads")


def freeze_startup_objects() -> None:
    """Called once when the app starts (process-wide).

    Everything loaded by then (FastAPI, SQLAlchemy, pydantic models, both apps: hundreds of MB) is moved
    out of the garbage collector's view (gc.freeze), so a full collection scans only what requests allocated
    since: without this a full collection stopped the process for ~200 ms about once every 15 s of load."""
    if gc.get_freeze_count():  # once per process (tests start many apps in one)
        return
    gc.collect()
    gc.freeze()


async def in_api_thread(call: Callable[..., T], *args: object) -> T:
    """`call(*args)` on one of the API's few threads (waiting in line for one if all are busy)."""
    return await anyio.to_thread.run_sync(partial(call, *args), limiter=_limiter(_API, API_THREADS))


async def in_sign_in_thread(call: Callable[..., T], *args: object) -> T:
    """`call(*args)` on the process's sign-in thread (one sign-in at a time per process)."""
    return await anyio.to_thread.run_sync(partial(call, *args), limiter=_limiter(_SIGN_IN, SIGN_IN_THREADS))


def _limiter(slot: RunVar[CapacityLimiter], tokens: int) -> CapacityLimiter:
    """The limiter of this event loop (one per loop, as anyio keeps its default one)."""
    try:
        return slot.get()
    except LookupError:
        limiter = CapacityLimiter(tokens)
        slot.set(limiter)
        return limiter
