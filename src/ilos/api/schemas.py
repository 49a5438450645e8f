"""Request and response bodies of the REST API (pydantic), including the one error shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ilos.services.audit_log import AuditEventView
from ilos.services.subject_search import SubjectView


class Problem(BaseModel):
    location: str
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, invalid_input.")
    message: str
    problems: list[Problem] = Field(
        default_factory=list, description="Every field error, not just the first."
    )


class ErrorOut(BaseModel):
    """Every error the API returns has this shape."""

    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in {
        400: "Missing or unknown purpose (X-ILOS-Purpose)",
        401: "Missing, invalid, expired or idle token",
        403: "The caller's role or purpose does not allow this",
        404: "Not found",
        405: "Method not allowed",
        422: "Invalid input",
        500: "Unexpected server error",
    }.items()
}


class TokenIn(BaseModel):
    username: str = Field(max_length=64, pattern=r"^[^\x00]*$")
    password: str = Field(max_length=1024)
    purpose: str = Field(
        max_length=64,
        pattern=r"^[^\x00]*$",
        description="Purpose of use for this token, e.g. case_investigation.",
    )
    role: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[^\x00]*$",
        description="The role to work under for the purpose; needed only when several of the user's roles "
        "allow it (otherwise 422).",
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    token_id: str
    purpose: str
    expires_at: datetime
    username: str
    roles: list[str]
    role: str = Field(
        description="The acting role: every check of a request with this token judges it as this role."
    )


class HealthOut(BaseModel):
    status: str
    version: str
    database: str


class IdentifierOut(BaseModel):
    kind: str
    value: str


class WithheldOut(BaseModel):
    """Something the caller's purpose may not use, and why (a value, an event, a source's records)."""

    model_config = ConfigDict(from_attributes=True)

    what: str
    record: str
    reason: str


class SubjectOut(BaseModel):
    subject_id: str
    display_name: str
    date_of_birth: date | None
    identifiers: list[IdentifierOut]
    payload: dict[str, Any] = Field(
        description="The published summary; sources the purpose may not use are left out (see `withheld`)."
    )
    updated_at: datetime
    withheld: list[WithheldOut] = Field(description="Sources withheld from this purpose, with the reason.")

    @classmethod
    def from_view(cls, view: SubjectView) -> SubjectOut:
        return cls(
            subject_id=view.subject_id,
            display_name=view.display_name,
            date_of_birth=view.date_of_birth,
            identifiers=[IdentifierOut(kind=k, value=v) for k, v in view.identifiers],
            payload=view.payload,
            updated_at=view.updated_at,
            withheld=[WithheldOut.model_validate(w) for w in view.withheld],
        )


class SubjectListOut(BaseModel):
    items: list[SubjectOut]
    count: int


class AuditEventOut(BaseModel):
    seq: int = Field(description="Position in the hash chain (not an object identifier).")
    event_id: str
    at: datetime
    actor: str
    client: str
    purpose: str
    action: str
    object_type: str
    object_ids: list[str]
    query: dict[str, Any] | None
    result_count: int | None
    outcome: str
    detail: str
    prev_hash: str
    hash: str

    @classmethod
    def from_view(cls, view: AuditEventView) -> AuditEventOut:
        return cls.model_validate(view, from_attributes=True)


class AuditEventListOut(BaseModel):
    items: list[AuditEventOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null at the end.")


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    reason: str
