"""The /api/v1 routes of the near-real-time path and of splits: post a change event into the worker's
inbox, read its processing state, list the splits that touched attached work. Thin: parse, call, render."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ilos.api.deps import request_caller, store_of
from ilos.api.schemas import ERROR_RESPONSES, ErrorOut
from ilos.services import changes, subject_splits
from ilos.services.access import Caller
from ilos.services.change_inbox import MAX_VALUE_CHARS
from ilos.services.store_access import Store

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
Who = Depends(request_caller)
At = Depends(store_of)
Text = Annotated[str, Field(max_length=MAX_VALUE_CHARS, pattern=r"^[^\x00]*$")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChangeIn(BaseModel):
    source: str = Field(max_length=64, pattern=r"^[^\x00]*$", description="A source of the linkage's config.")
    values: dict[Annotated[str, Field(max_length=128, pattern=r"^[^\x00]*$")], Text | None] = Field(
        max_length=200, description="The source row: every declared column (null allowed), values as text."
    )


class ChangeOut(_Out):
    event_id: str = Field(description="Opaque; GET /api/v1/changes/{event_id} reads the state.")
    source: str
    posted_at: datetime
    posted_by: str
    state: Literal["pending", "held", "processed"] = Field(
        description="held: the last attempt failed (see error); it stays first in line, never skipped."
    )
    processed_at: datetime | None
    outcome: str | None
    record: str | None
    subject_id: str | None
    link_action: str | None
    change_counts: dict[str, int] = Field(
        description="How many affirmative and derogatory changes the event made; what they are, as the "
        "caller's purpose and the data's markings allow: GET /api/v1/subjects/{subject_id}."
    )
    error: str | None


class SplitOut(_Out):
    split_id: str
    subject_id: str = Field(description="The part that kept the id.")
    parts: list[str]
    split_at: str
    state: str
    moved: list[dict[str, Any]]
    halted: list[str]
    applied_at: datetime
    resolved_by: str | None
    resolution_note: str | None


@router.post(
    "/changes",
    response_model=ChangeOut,
    status_code=201,
    tags=["changes"],
    responses={409: {"model": ErrorOut, "description": "The record is already linked"}},
)
def post_change(body: ChangeIn, caller: Caller = Who, store: Store = At) -> ChangeOut:
    """Put a change event in the worker's inbox (data steward, supervisor); 422 names every wrong field, 409
    refuses a record the linkage holds already (a correction needs a new record id)."""
    return ChangeOut.model_validate(changes.post_change_event(store, caller, body.source, body.values))


@router.get("/changes/{event_id}", response_model=ChangeOut, tags=["changes"])
def read_change(
    event_id: Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]+$")],
    caller: Caller = Who,
    store: Store = At,
) -> ChangeOut:
    """A change event's processing state (not its values); posters and oversight."""
    return ChangeOut.model_validate(changes.read_change_event(store, caller, event_id))


@router.get("/split-reviews", response_model=list[SplitOut], tags=["changes"])
def list_split_reviews(
    state: Literal["open", "resolved", "nothing_attached"] = Query("open"),
    caller: Caller = Who,
    store: Store = At,
) -> list[SplitOut]:
    """Splits of subjects applied to attached work: what moved where, which actions were halted."""
    return [SplitOut.model_validate(s) for s in subject_splits.split_reviews(store, caller, state)]
